"""Mesures dans le processus (Django chargé sur la base du banc) : pages à charger, SQL de chaque page,
calcul du tableau de bord, import d'un fichier de bénéficiaires."""

import contextlib
import os
import random
import re
import statistics
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

# Contrôle de transaction et de curseur : pas des requêtes de la page (le COMMIT final est compté à part).
IGNOREES = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK", "COMMIT", "BEGIN", "FETCH", "CLOSE", "MOVE")
# Un QuerySet.iterator() ouvre un curseur nommé côté serveur : on rejoue la requête qu'il enveloppe.
RE_CURSEUR_NOMME = re.compile(
    r'^DECLARE\s+"?\w+"?\s+(?:NO\s+SCROLL\s+)?(?:BINARY\s+)?CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+', re.I
)


def requetes_a_rejouer(capture):
    return [RE_CURSEUR_NOMME.sub("", q["sql"]) for q in capture.captured_queries if not q["sql"].startswith(IGNOREES)]


def _combinaisons(base, tris, pages, filtres, alea, *, unique=True):
    """Des adresses de liste telles que des référents les ouvrent (filtres, tri, page), chacune rendue unique
    par `vue=` (lu par aucun filtre) quand `unique` : aucune n'est en cache au moment où elle est demandée."""
    combinaisons = [f"{f}&sort={t}&page={p}" for f in filtres for t in tris for p in pages]
    alea.shuffle(combinaisons)
    adresses = []
    for i in range(NB_ADRESSES_SANS_CACHE):
        adresse = f"{base}{combinaisons[i % len(combinaisons)]}"
        adresses.append(f"{adresse}&vue={i}" if unique else adresse)
    return adresses


def pages_mixtes(*, graine=2017):
    """Charge mixte : chaque requête ouvre une adresse jamais demandée (filtres, tris, pages, fiches) pendant que
    bench/ecrivain.py écrit ; l'administration Django, sans cache, avec les mêmes filtres, en référence."""
    from beneficiaires.models import Beneficiaire, StatutParcours
    from comptes.models import User
    from referentiel.models import BassinEmploi

    alea = random.Random(graine + 1)
    bassin = BassinEmploi.objects.filter(nom="Orléans").first() or BassinEmploi.objects.order_by("pk").first()
    referent = User.objects.get(username="referent")
    # Le filtre de statut de la liste se nomme `statut` (celui de l'administration, `statut_parcours__exact`).
    statuts = ["", *(f"&statut={s}" for s in (StatutParcours.EN_PARCOURS, StatutParcours.A_EVALUER))]
    liste = reverse("beneficiaires:liste")
    beneficiaires = _combinaisons(
        f"{liste}?bassin={bassin.pk}",
        ["nom", "-nom", "commune", "statut_parcours", "-evaluation"],
        range(1, 6),
        statuts,
        alea,
    )
    admin = []
    for i in range(NB_ADRESSES_SANS_CACHE):
        statut = ["", "&statut_parcours__exact=en_parcours", "&statut_parcours__exact=a_evaluer"][i % 3]
        admin.append(
            f"/admin/beneficiaires/beneficiaire/?commune__bassin_emploi__id__exact={bassin.pk}{statut}"
            f"&o={alea.choice(['1', '-1', '2', '3'])}&p={1 + i % 3}"
        )
    contrats = _combinaisons(
        f"{reverse('contrats:liste')}?", ["numero_convention", "-numero_convention", "beneficiaire"], [1], [""], alea
    )
    admin_contrats = [
        f"/admin/contrats/contrataide/?o={alea.choice(['1', '-1', '2'])}{['', '&statut__exact=signe'][i % 2]}"
        for i in range(NB_ADRESSES_SANS_CACHE)
    ]
    personnes = list(
        Beneficiaire.objects.visibles_par(referent).order_by("?").values_list("pk", flat=True)[:NB_ADRESSES_SANS_CACHE]
    )
    fiches = [reverse("beneficiaires:detail", args=[pk]) for pk in personnes]
    sans_echauffement = {"sans_echauffement": True}
    return [
        Page("mixte_minimal", "Mixte : vue minimale (référence)", ["/bench/minimal/"], "referent", reference=True),
        Page(
            "mixte_beneficiaires",
            "Mixte : liste des bénéficiaires, adresses nouvelles",
            beneficiaires,
            "referent",
            **sans_echauffement,
        ),
        Page(
            "mixte_admin_beneficiaires",
            "Mixte : admin Django, bénéficiaires, mêmes filtres (référence)",
            admin,
            "admin",
            reference=True,
            **sans_echauffement,
        ),
        Page(
            "mixte_contrats",
            "Mixte : liste des contrats aidés, adresses nouvelles",
            contrats,
            "referent",
            **sans_echauffement,
        ),
        Page(
            "mixte_admin_contrats",
            "Mixte : admin Django, contrats (référence)",
            admin_contrats,
            "admin",
            reference=True,
            **sans_echauffement,
        ),
        Page("mixte_fiche", "Mixte : fiche d'une personne jamais ouverte", fiches, "referent", **sans_echauffement),
    ]


@dataclass
class Page:
    code: str
    libelle: str
    chemins: list  # tirés au hasard par la charge ; le premier sert à la mesure SQL
    identifiant: str  # compte de démonstration utilisé
    reference: bool = False
    sans_echauffement: bool = False  # mesure SQL sur un chemin jamais demandé (page dont le résultat est en cache)
    manque: str = ""  # raison si la page n'existe pas (encore)
    sql: dict = field(default_factory=dict)
    charge: dict = field(default_factory=dict)  # {utilisateurs: résultat locust}


def _url(*noms, args=None):
    for nom in noms:
        try:
            return reverse(nom, args=args)
        except NoReverseMatch:
            continue
    return None


def _modele(etiquette):
    try:
        return apps.get_model(etiquette)
    except LookupError:
        return None


def compter():
    """Le volume de chaque table mesurée (pour le rapport)."""
    etiquettes = {
        "foyers": "beneficiaires.Foyer",
        "personnes": "beneficiaires.Beneficiaire",
        "evaluations": "beneficiaires.Evaluation",
        "contrats": "contrats.ContratAide",
        "orientations": "placement.Orientation",
        "vehicules": "mobilite.Vehicule",
        "locations": "mobilite.Location",
        "forums": "forums.Forum",
        "participations": "forums.Participation",
    }
    resultat = {}
    with connection.cursor() as c:
        for cle, etiquette in etiquettes.items():
            modele = _modele(etiquette)
            if modele is not None:
                c.execute(f"SELECT count(*) FROM {modele._meta.db_table}")
                resultat[cle] = c.fetchone()[0]
    return resultat


NB_ADRESSES_SANS_CACHE = 4000


def _adresses_jamais_demandees(adresse, alea):
    """La même page sous des adresses toutes différentes (`vue=` n'est lu par aucun filtre) : aucune en cache."""
    separateur = "" if adresse.endswith("?") else "&"
    adresses = [f"{adresse}{separateur}vue={i}" for i in range(NB_ADRESSES_SANS_CACHE)]
    alea.shuffle(adresses)
    return adresses


def definir_pages(*, graine=2017, nb_fiches=200):
    """Les pages mesurées, avec des paramètres pris dans les données semées (bassin d'Orléans, fiches visibles)."""
    from beneficiaires.models import Beneficiaire
    from comptes.models import User
    from referentiel.models import BassinEmploi

    alea = random.Random(graine)
    bassin = BassinEmploi.objects.filter(nom="Orléans").first() or BassinEmploi.objects.order_by("pk").first()
    referent = User.objects.get(username="referent")
    pages = [
        Page("minimal", "Vue minimale authentifiée (référence)", ["/bench/minimal/"], "referent", reference=True),
    ]

    # « Mon activité » : la page d'accueil de chaque rôle est sa file de travail (cible : < 300 ms au Loiret).
    for identifiant, libelle in (
        ("referent", "Mon activité : file du référent (deux bassins)"),
        ("prestataire", "Mon activité : file du prestataire"),
        ("mobilite", "Mon activité : file de l'agent mobilité"),
        ("pilotage", "Mon activité : file du pilotage"),
    ):
        pages.append(Page(f"activite_{identifiant}", libelle, ["/"], identifiant, sans_echauffement=False))

    liste = _url("beneficiaires:liste", "beneficiaires:index")
    pages.append(
        Page(
            "beneficiaires",
            "Liste des bénéficiaires filtrée par bassin",
            [f"{liste}?bassin={bassin.pk}"] if liste else [],
            "referent",
            manque="" if liste else "URL beneficiaires:liste absente",
        )
    )
    modele_admin = "beneficiaires/beneficiaire"
    pages.append(
        Page(
            "admin_beneficiaires",
            "Admin Django : liste des bénéficiaires, même filtre (référence)",
            [f"/admin/{modele_admin}/?commune__bassin_emploi__id__exact={bassin.pk}"],
            "admin",
            reference=True,
        )
    )
    tous = list(
        Beneficiaire.objects.visibles_par(referent)
        .filter(commune__bassin_emploi=bassin)
        .order_by("?")
        .values_list("pk", flat=True)[: nb_fiches + NB_ADRESSES_SANS_CACHE]
    )
    alea.shuffle(tous)
    pks, autres = tous[:nb_fiches], tous[nb_fiches:]
    fiche = _url("beneficiaires:detail", args=[pks[0]]) if pks else None
    pages.append(
        Page(
            "fiche",
            "Fiche d'une personne",
            [reverse("beneficiaires:detail", args=[pk]) for pk in pks] if fiche else [],
            "referent",
            manque="" if fiche else "URL beneficiaires:detail absente ou aucune personne",
        )
    )
    contrats = _url("contrats:liste", "contrats:index")
    pages.append(
        Page(
            "contrats",
            "Liste des contrats aidés",
            [contrats] if contrats else [],
            "referent",
            manque="" if contrats else "URL contrats:liste absente",
        )
    )
    # Les mêmes pages sans leur corps en cache (commun/cache_pages.py) : chaque requête demande une adresse jamais
    # demandée (un paramètre sans effet sur le contenu ; une autre personne pour la fiche), donc calculée.
    pages.append(
        Page(
            "beneficiaires_sans_cache",
            "Liste des bénéficiaires, adresse jamais demandée (sans cache)",
            _adresses_jamais_demandees(f"{liste}?bassin={bassin.pk}", alea) if liste else [],
            "referent",
            manque="" if liste else "URL beneficiaires:liste absente",
            sans_echauffement=True,
        )
    )
    pages.append(
        Page(
            "fiche_sans_cache",
            "Fiche d'une personne jamais affichée (sans cache)",
            [reverse("beneficiaires:detail", args=[pk]) for pk in autres] if fiche and autres else [],
            "referent",
            manque="" if fiche and autres else "URL beneficiaires:detail absente ou trop peu de personnes",
            sans_echauffement=True,
        )
    )
    pages.append(
        Page(
            "contrats_sans_cache",
            "Liste des contrats aidés, adresse jamais demandée (sans cache)",
            _adresses_jamais_demandees(f"{contrats}?", alea) if contrats else [],
            "referent",
            manque="" if contrats else "URL contrats:liste absente",
            sans_echauffement=True,
        )
    )
    vehicules = _url("mobilite:recherche")
    from django.utils import timezone

    jour = timezone.localdate()
    criteres = [
        f"debut={(jour + timedelta(days=d)).isoformat()}&fin={(jour + timedelta(days=d + n)).isoformat()}"
        f"&bassin={bassin.pk}"
        for d in (1, 7, 14, 30)
        for n in (1, 6, 30)
    ]
    pages.append(
        Page(
            "vehicules",
            "Recherche de véhicules libres (période, bassin)",
            [f"{vehicules}?{c}" for c in criteres] if vehicules else [],
            "referent",
            manque="" if vehicules else "URL de recherche de véhicules absente",
        )
    )
    tableau = _url("tableau_de_bord:tableau", "tableau_de_bord:index")
    pages.append(
        Page(
            "tableau",
            "Tableau de bord (période par défaut, en cache)",
            [tableau] if tableau else [],
            "pilotage",
            manque="" if tableau else "URL tableau_de_bord:tableau absente",
        )
    )
    # Le même tableau sans cache : chaque requête demande une période jamais calculée (début décalé d'un jour).
    debut_tdb, fin_tdb = periode_tableau()
    periodes = [
        f"{tableau}?debut={(debut_tdb + timedelta(days=i)).isoformat()}&fin={fin_tdb.isoformat()}" for i in range(300)
    ]
    alea.shuffle(periodes)
    pages.append(
        Page(
            "tableau_sans_cache",
            "Tableau de bord, période jamais calculée (sans cache)",
            periodes if tableau else [],
            "pilotage",
            manque="" if tableau else "URL tableau_de_bord:tableau absente",
            sans_echauffement=True,
        )
    )
    return pages


def client_connecte(identifiant):
    from comptes.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=identifiant))
    return client


def mesurer_sql(page, *, repetitions=5):
    """Capture les requêtes d'une requête HTTP (client de test, dans le processus), puis les rejoue seules.

    Rend le nombre de requêtes, le temps SQL médian (toutes les requêtes de la page, rejouées dans une
    transaction annulée), et les trois requêtes les plus lentes.
    """
    client = client_connecte(page.identifiant)
    chemin = page.chemins[0]
    if page.sans_echauffement:
        client.get(page.chemins[-1])  # échauffement sur un autre chemin : celui mesuré n'est pas en cache
    else:
        client.get(chemin)  # échauffement (caches de gabarits, plan des requêtes)
    with CaptureQueriesContext(connection) as capture:
        debut = time.perf_counter()
        reponse = client.get(chemin)
        rendu = time.perf_counter() - debut
    if reponse.status_code != 200:
        return {"erreur": f"statut {reponse.status_code} pour {chemin}"}
    requetes = requetes_a_rejouer(capture)
    totaux, par_requete = [], [[] for _ in requetes]
    for _ in range(repetitions):
        with transaction.atomic():
            curseur = connection.cursor().cursor  # curseur psycopg brut : sans la journalisation de Django
            total = 0.0
            for i, sql in enumerate(requetes):
                t = time.perf_counter()
                curseur.execute(sql)
                if curseur.description is not None:
                    curseur.fetchall()
                d = time.perf_counter() - t
                par_requete[i].append(d)
                total += d
            transaction.set_rollback(True)
        totaux.append(total)
    medianes = [statistics.median(t) * 1000 for t in par_requete]
    lentes = sorted(range(len(requetes)), key=lambda i: -medianes[i])[:3]
    return {
        "chemin": chemin,
        "requetes": len(requetes),
        "sql_ms": round(statistics.median(totaux) * 1000, 2),
        "rendu_dans_le_processus_ms": round(rendu * 1000, 1),
        "plus_lentes": [{"ms": round(medianes[i], 2), "sql": requetes[i][:600]} for i in lentes],
        "plan_de_la_plus_lente": expliquer(requetes[lentes[0]]) if lentes and medianes[lentes[0]] > 5 else None,
    }


def expliquer(sql, lignes=40, *, base=DEFAULT_DB_ALIAS):
    """EXPLAIN (ANALYZE, BUFFERS) d'une requête de lecture, dans une transaction annulée."""
    if not sql.lstrip().upper().startswith("SELECT"):
        return None
    with transaction.atomic(using=base):
        curseur = connections[base].cursor().cursor
        curseur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan = [r[0] for r in curseur.fetchall()]
        transaction.set_rollback(True, using=base)
    return plan[:lignes]


def nature_requete(sql):
    """« controle » : les positions dans le journal que compare le routeur (commun/routage.py) ; « versions » : les
    versions lues pour les clés du cache, toujours sur la base principale (commun/versions.py) ; « donnees » : le
    reste, les lectures du tableau lui-même."""
    from commun import versions

    if "wal_lsn" in sql or "pg_is_in_recovery" in sql:
        return "controle"
    if versions.TABLE in sql:
        return "versions"
    return "donnees"


@contextlib.contextmanager
def requetes_par_base(*alias):
    """Compte, par base et par nature (`nature_requete`), les requêtes exécutées dans le bloc : la preuve que le
    tableau a lu la réplique et non la base principale."""
    comptes = {a: {"donnees": 0, "versions": 0, "controle": 0} for a in alias}

    def compteur(a):
        def envelopper(execute, sql, params, many, context):
            comptes[a][nature_requete(sql)] += 1
            return execute(sql, params, many, context)

        return envelopper

    with contextlib.ExitStack() as pile:
        for a in alias:
            pile.enter_context(connections[a].execute_wrapper(compteur(a)))
        yield comptes


def attendre_replique(*, delai=1800):
    """Attend que la réplique ait rejoué tout ce que la base principale avait validé en entrant (le semis, le
    VACUUM ANALYZE) ; renvoie l'attente, l'écart de départ en octets et la position attendue."""
    from commun import routage

    with connections[DEFAULT_DB_ALIAS].cursor() as curseur:
        curseur.execute("SELECT pg_current_wal_lsn()::text")
        position = curseur.fetchone()[0]
    replique = connections[routage.ALIAS]
    debut, ecart_initial, derniere_erreur = time.perf_counter(), None, None
    while time.perf_counter() - debut < delai:
        try:
            with replique.cursor() as curseur:
                curseur.execute(
                    "SELECT pg_is_in_recovery(), "
                    "GREATEST(pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn()), 0)::bigint",
                    [position],
                )
                en_reprise, ecart = curseur.fetchone()
        except OperationalError as exc:  # la base du banc n'existe pas encore sur la réplique : rejeu en cours
            derniere_erreur = exc
            replique.close()
            time.sleep(0.5)
            continue
        if not en_reprise:
            raise ValueError(
                f"{replique.settings_dict['HOST']}:{replique.settings_dict['PORT']} n'est pas une réplique en "
                "streaming (pg_is_in_recovery() est faux) : le tableau n'y serait pas mesuré sur une réplique"
            )
        if ecart_initial is None:
            ecart_initial = int(ecart)
        if ecart == 0:
            return {
                "attente_rejeu_s": round(time.perf_counter() - debut, 2),
                "retard_initial_octets": ecart_initial,
                "position_attendue": position,
            }
        time.sleep(0.2)
    raise TimeoutError(f"la réplique n'a pas rejoué jusqu'à {position} en {delai} s ({derniere_erreur or ''})")


def mesurer_tableau(*, repetitions=3, replique=False):
    """Le calcul du tableau de bord (toute la période par défaut, tous les bassins) : sans cache, avec cache,
    et le SQL seul qu'il exécute.

    `replique` : la base `replique` est déclarée (DATABASE_REPLICA_URL) ; on attend qu'elle ait rejoué le semis,
    puis le tableau est calculé à travers le routeur (commun/routage.py), et son SQL rejoué sur elle. Les requêtes
    sont comptées par base : si une seule lecture de données du tableau est allée à la base principale, la
    mesure est déclarée nulle (`sur_la_replique` faux)."""
    try:
        from tableau_de_bord import services as tdb
    except ImportError as exc:
        return {"erreur": f"tableau_de_bord indisponible : {exc}"}
    from commun import routage
    from referentiel.models import BassinEmploi

    resultat = {}
    bases = (DEFAULT_DB_ALIAS,)
    if replique:
        if not routage.configuree():
            raise ValueError("mesure sur la réplique demandée, mais la base « replique » n'est pas déclarée")
        resultat["replique"] = attendre_replique()
        bases = (DEFAULT_DB_ALIAS, routage.ALIAS)
    base_lue = bases[-1]
    resultat["charge_machine_1min"] = round(os.getloadavg()[0], 2)
    comptes = {}
    debut, fin = periode_tableau()
    bassins = list(BassinEmploi.objects.order_by("nom"))
    sans_cache = []
    with requetes_par_base(*bases) as comptes["sans_cache"]:
        for _ in range(repetitions):
            t = time.perf_counter()
            tdb.tableau_calculer(debut=debut, fin=fin, bassins=bassins, restreint=False, utiliser_cache=False)
            sans_cache.append(time.perf_counter() - t)
    with CaptureQueriesContext(connections[base_lue]) as capture:
        tdb.tableau_calculer(debut=debut, fin=fin, bassins=bassins, restreint=False, utiliser_cache=False)
    requetes = [q for q in requetes_a_rejouer(capture) if nature_requete(q) == "donnees"]
    sql, par_requete = [], [[] for _ in requetes]
    for _ in range(repetitions):
        curseur = connections[base_lue].cursor().cursor
        total = 0.0
        for i, q in enumerate(requetes):
            t = time.perf_counter()
            curseur.execute(q)
            if curseur.description is not None:
                curseur.fetchall()
            par_requete[i].append(time.perf_counter() - t)
            total += par_requete[i][-1]
        sql.append(total)
    with requetes_par_base(*bases) as comptes["remplissage_du_cache"]:
        tdb.tableau_calculer(debut=debut, fin=fin, bassins=bassins, restreint=False)  # remplit le cache
    avec_cache = []
    with requetes_par_base(*bases) as comptes["avec_cache"]:
        for _ in range(5):
            t = time.perf_counter()
            tdb.tableau_calculer(debut=debut, fin=fin, bassins=bassins, restreint=False)
            avec_cache.append(time.perf_counter() - t)
    # Une période jamais calculée (début décalé d'un jour), les stocks « à ce jour » déjà en cache : ce que
    # paie un responsable qui change de période.
    nouvelle_periode = []
    with requetes_par_base(*bases) as comptes["nouvelle_periode"]:
        for i in range(1, repetitions + 1):
            t = time.perf_counter()
            tdb.tableau_calculer(debut=debut + timedelta(days=i), fin=fin, bassins=bassins, restreint=False)
            nouvelle_periode.append(time.perf_counter() - t)
    medianes = [statistics.median(t) * 1000 for t in par_requete]
    lentes = sorted(range(len(requetes)), key=lambda i: -medianes[i])[:5]
    plan = expliquer(requetes[lentes[0]], base=base_lue) if lentes else None
    resultat.update(
        {
            "periode": [debut.isoformat(), fin.isoformat()],
            "base_lue": base_lue,
            "requetes": len(requetes),
            "sans_cache_ms": round(statistics.median(sans_cache) * 1000, 1),
            "avec_cache_ms": round(statistics.median(avec_cache) * 1000, 2),
            "nouvelle_periode_ms": round(statistics.median(nouvelle_periode) * 1000, 1),
            "sql_ms": round(statistics.median(sql) * 1000, 1),
            "requetes_par_base": comptes,
        }
    )
    if replique:
        resultat["sur_la_replique"] = lu_sur_la_replique(comptes)
    resultat["plus_lentes"] = [{"ms": round(medianes[i], 2), "sql": requetes[i][:600]} for i in lentes]
    resultat["plan_de_la_plus_lente"] = plan
    return resultat


def lu_sur_la_replique(comptes):
    """Vrai si chaque calcul a lu ses données sur la réplique : aucune lecture de données sur la base principale
    (seules les versions des clés du cache et le contrôle du routeur y vont), et des lectures sur la réplique
    pour chaque calcul qui n'était pas en cache."""
    from commun import routage

    principale = sum(c[DEFAULT_DB_ALIAS]["donnees"] for c in comptes.values())
    calculs = ("sans_cache", "remplissage_du_cache", "nouvelle_periode")
    return principale == 0 and all(comptes[p][routage.ALIAS]["donnees"] > 0 for p in calculs if p in comptes)


def periode_tableau():
    """La période que la page du tableau affiche par défaut (celle de son formulaire de filtre)."""
    from datetime import date

    from django.utils import timezone

    from referentiel.models import BassinEmploi

    try:
        from tableau_de_bord.forms import FiltreForm

        return FiltreForm(None, bassins_visibles=BassinEmploi.objects.order_by("nom")).periode()
    except (ImportError, TypeError, AttributeError):
        aujourdhui = timezone.localdate()
        return date(aujourdhui.year, 1, 1), aujourdhui


ENTETES_IMPORT = [
    "Numéro allocataire",
    "Organisme",
    "État du droit",
    "SDD",
    "Rôle",
    "Civilité",
    "Nom",
    "Prénoms",
    "Date de naissance",
    "Code INSEE",
    "Adresse",
    "Date d'ouverture du droit",
]
NOMS = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
]
PRENOMS_F = [
    "Marie",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Catherine",
    "Sandrine",
    "Céline",
    "Émilie",
    "Aurélie",
    "Julie",
    "Sophie",
    "Fatima",
    "Amina",
    "Léa",
    "Chloé",
    "Inès",
    "Camille",
    "Manon",
    "Sarah",
    "Laura",
]
PRENOMS_H = [
    "Jean",
    "Pierre",
    "Michel",
    "Philippe",
    "Nicolas",
    "Christophe",
    "Stéphane",
    "Sébastien",
    "Julien",
    "David",
    "Mohamed",
    "Karim",
    "Thomas",
    "Kevin",
    "Lucas",
    "Hugo",
    "Yanis",
    "Mathieu",
    "Antoine",
    "Rémi",
]


def fichier_import(lignes, *, graine=2017):
    """Un CSV (point-virgule, UTF-8) de `lignes` personnes en foyers de 1 à 3, dans les communes chargées."""
    import csv
    import io

    from referentiel.models import Commune

    alea = random.Random(graine)
    codes = list(Commune.objects.values_list("code_insee", flat=True))
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";")
    ecrivain.writerow(ENTETES_IMPORT)
    n, foyer = 0, 0
    while n < lignes:
        foyer += 1
        numero = f"9{foyer:08d}"
        commune = alea.choice(codes)
        ouverture = f"{alea.randint(1, 28):02d}/{alea.randint(1, 12):02d}/{alea.randint(2009, 2017)}"
        nom = alea.choice(NOMS)
        taille = min(lignes - n, alea.choice([1, 1, 1, 2, 2, 3]))
        for rang in range(taille):
            role = ["DEM", "CJT", "ENF"][rang]
            femme = alea.random() < 0.55 if rang == 0 else rang == 1
            prenom = alea.choice(PRENOMS_F if femme else PRENOMS_H)
            annee = alea.randint(1958, 1998) if role != "ENF" else alea.randint(1999, 2001)
            ecrivain.writerow(
                [
                    numero,
                    "CAF" if alea.random() < 0.94 else "MSA",
                    "2",
                    "oui" if role != "ENF" else "non",
                    role,
                    "MME" if femme else "M",
                    nom,
                    f"{prenom} {alea.choice(PRENOMS_F if femme else PRENOMS_H)}",
                    f"{alea.randint(1, 28):02d}/{alea.randint(1, 12):02d}/{annee}",
                    commune,
                    f"{alea.randint(1, 120)} rue de la République",
                    ouverture,
                ]
            )
            n += 1
    return sortie.getvalue().encode("utf-8")


def mesurer_import(*, lignes=30_000):
    """Import par la commande `importer_beneficiaires` : un fichier neuf (créations), puis le même (à jour)."""
    import io
    import tempfile

    from django.core.management import call_command, get_commands

    if "importer_beneficiaires" not in get_commands():
        return {"erreur": "commande importer_beneficiaires absente"}
    t = time.perf_counter()
    contenu = fichier_import(lignes)
    generation = time.perf_counter() - t
    resultat = {"lignes": lignes, "generation_fichier_s": round(generation, 2), "octets": len(contenu)}
    with tempfile.NamedTemporaryFile(suffix=".csv") as f:
        f.write(contenu)
        f.flush()
        for passage in ("premier_import", "reimport_identique"):
            sortie = io.StringIO()
            t = time.perf_counter()
            call_command("importer_beneficiaires", f.name, stdout=sortie)
            resultat[f"{passage}_s"] = round(time.perf_counter() - t, 2)
            resultat[f"{passage}_bilan"] = sortie.getvalue().strip().splitlines()[0][:300]
    return resultat

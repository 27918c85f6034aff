"""Semis à l'échelle nationale par COPY (psycopg 3), après `demo --echelle petite` (référentiel, comptes,
structures, marché et lots, flotte, forums).

Proportions reprises du lancement du Loiret : 2 personnes par foyer en moyenne (28 485 / 14 293), environ
60 % des personnes évaluées, 1 % en contrat aidé, 3 % orientées vers un prestataire, 1 % de locations.
Toutes les personnes sont réparties dans les communes chargées (les 325 du Loiret, selon leur population) :
c'est le pire cas, un seul « département » de 2 millions de personnes, où chaque bassin compte des centaines
de milliers de personnes (les listes filtrées par bassin et le tableau de bord en portent tout le poids).

Le chargement désactive les déclencheurs de clés étrangères le temps du COPY
(session_replication_role = replica, réservé au superutilisateur) : les identifiants sont attribués ici,
de façon cohérente, et une vérification par anti-jointure suit chaque chargement.
"""

import random
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone

from bench.mesures import NOMS, PRENOMS_F, PRENOMS_H

AUJOURDHUI = date.today()
DEBUT_ACTIVITE = AUJOURDHUI - timedelta(days=3 * 365)


def _defaut(champ, maintenant):
    if getattr(champ, "auto_now", False) or getattr(champ, "auto_now_add", False):
        return maintenant
    if champ.has_default():
        return champ.get_default()
    if champ.null:
        return None
    if isinstance(champ, models.CharField | models.TextField):
        return ""
    raise ValueError(f"{champ.model._meta.label}.{champ.attname} : valeur obligatoire non fournie par le semis")


class Copie:
    """COPY d'un modèle : colonnes = tous ses champs concrets ; ceux qu'on ne donne pas prennent leur défaut."""

    def __init__(self, curseur, modele, donnes):
        self.modele = modele
        self.table = modele._meta.db_table
        maintenant = timezone.now()
        champs = list(modele._meta.local_concrete_fields)
        self.colonnes = [f.column for f in champs]
        self.ordre = [f.attname for f in champs]
        inconnus = set(donnes) - set(self.ordre)
        if inconnus:
            raise ValueError(f"{modele._meta.label} : champs inconnus {sorted(inconnus)}")
        self.donnes = list(donnes)
        self.fixes = {f.attname: _defaut(f, maintenant) for f in champs if f.attname not in donnes}
        liste = ", ".join(f'"{c}"' for c in self.colonnes)
        self._copie_cm = curseur.copy(f'COPY "{self.table}" ({liste}) FROM STDIN')
        self.lignes = 0

    def __enter__(self):
        self._copie = self._copie_cm.__enter__()
        return self

    def ecrire(self, valeurs):
        ligne = dict(self.fixes)
        ligne.update(zip(self.donnes, valeurs, strict=True))
        self._copie.write_row([ligne[a] for a in self.ordre])
        self.lignes += 1

    def __exit__(self, *exc):
        return self._copie_cm.__exit__(*exc)


TAILLE_PAQUET = 50_000
CHAMPS_FOYER = ["id", "numero_allocataire", "organisme", "etat_droit", "date_ouverture_droit", "commune_id"]
CHAMPS_PERSONNE = [
    "id",
    "foyer_id",
    "role",
    "civilite",
    "nom",
    "prenoms",
    "date_naissance",
    "soumis_droits_devoirs",
    "adresse",
    "commune_id",
    "orientation",
    "date_orientation",
    "statut_parcours",
    "evaluation_courante_id",
    "recherche",
    "date_premiere_evaluation",
    "date_evaluation_courante",
]
POSITION_ROLE = CHAMPS_PERSONNE.index("role")
POSITION_ORIENTATION = CHAMPS_PERSONNE.index("orientation")
CHAMPS_EVALUATION = [
    "id",
    "beneficiaire_id",
    "date",
    "evaluateur_id",
    "statut",
    "permis_b",
    "permis_am",
    "frein_mobilite",
    "metiers_vises",
    "heures_disponibles",
]


def _copier(curseur, modele, champs, lignes):
    if lignes:
        with Copie(curseur, modele, champs) as copie:
            for ligne in lignes:
                copie.ecrire(ligne)


def _prochain_id(curseur, modele):
    curseur.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{modele._meta.db_table}"')
    return curseur.fetchone()[0]


def _recaler_sequence(curseur, modele):
    table = modele._meta.db_table
    curseur.execute(
        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))"
    )


METIERS = ["Agent d'entretien", "Aide à domicile", "Cariste", "Vendeur", "Agent de restauration"]


def _instant(jour):
    return timezone.make_aware(datetime.combine(jour, datetime.min.time()).replace(hour=9))


def _jour(alea, debut=DEBUT_ACTIVITE, fin=AUJOURDHUI):
    return debut + timedelta(days=alea.randrange(max(1, (fin - debut).days)))


CHAMPS_CONTRAT = [
    "id",
    "beneficiaire_id",
    "employeur_id",
    "type",
    "intitule_poste",
    "lieu_travail_id",
    "date_debut",
    "date_fin",
    "heures_hebdomadaires",
    "taux_aide_etat",
    "tuteur_nom",
    "actions_accompagnement",
    "actions_formation",
    "referent_id",
    "statut",
    "date_signature",
    "numero_convention",
    "date_rupture",
    "motif_rupture",
]
CHAMPS_ORIENTATION = [
    "id",
    "beneficiaire_id",
    "lot_id",
    "prescripteur_id",
    "statut",
    "date_proposition",
    "date_reponse",
    "motif_refus",
    "date_entree",
]
CHAMPS_VEHICULE = [
    "id",
    "immatriculation",
    "type",
    "marque",
    "modele",
    "date_premiere_immatriculation",
    "kilometrage",
    "commune_id",
    "partenaire_id",
    "prix_journalier",
    "depot_garantie",
    "statut",
    "date_entree_flotte",
]
CHAMPS_LOCATION = [
    "id",
    "beneficiaire_id",
    "vehicule_id",
    "debut",
    "fin",
    "motif",
    "prix_journalier",
    "depot_garantie",
    "statut",
    "date_depart",
    "km_depart",
    "date_retour",
    "km_retour",
    "montant_du",
]


@dataclass
class Existant:
    """Ce que le semis lit de la base avant de semer (chargé par `demo --echelle petite`)."""

    communes: list  # [(id, population, bassin_id)]
    poids: list  # population de chaque commune (1 au moins) : les personnes sont réparties selon elle
    referents: list
    employeurs: list  # structures non marchandes, hors partenaires
    partenaires: list
    lots_par_bassin: dict  # {bassin_id: lot_id}


def _lire_existant():
    from comptes.models import Role, User
    from placement.models import Lot
    from referentiel.models import Commune, Structure

    communes = list(Commune.objects.values_list("pk", "population", "bassin_emploi_id"))
    referents = list(User.objects.filter(role=Role.REFERENT).values_list("pk", flat=True)) or [
        User.objects.order_by("pk").values_list("pk", flat=True).first()
    ]
    employeurs = list(
        Structure.objects.filter(secteur=Structure.Secteur.NON_MARCHAND)
        .exclude(type=Structure.Type.PARTENAIRE)
        .values_list("pk", flat=True)
    )
    partenaires = list(Structure.objects.filter(type=Structure.Type.PARTENAIRE).values_list("pk", flat=True))
    lots_par_bassin = {}
    for lot in Lot.objects.prefetch_related("bassins"):
        for b in lot.bassins.all():
            lots_par_bassin.setdefault(b.pk, lot.pk)
    return Existant(
        communes=communes,
        poids=[max(1, p) for _, p, _ in communes],
        referents=referents,
        employeurs=employeurs,
        partenaires=partenaires,
        lots_par_bassin=lots_par_bassin,
    )


def semer_national(*, personnes, graine=2017, journal=print):
    """Sème `personnes` personnes (et leurs foyers, évaluations, contrats, orientations, flotte et locations) ;
    la même graine sème les mêmes lignes. Rend la durée de chaque étape (secondes)."""
    from beneficiaires.models import Beneficiaire, Evaluation, Foyer
    from contrats.models import ContratAide
    from mobilite.models import Location, Vehicule
    from placement.models import Orientation

    alea = random.Random(graine)
    temps = {}
    existant = _lire_existant()

    curseur_django = connection.cursor()
    curseur = curseur_django.cursor  # curseur psycopg 3 : .copy()
    curseur.execute("SET session_replication_role = replica")
    try:
        t = time.perf_counter()
        adultes, (nb_foyers, nb_personnes, nb_evaluations) = _semer_foyers(curseur, alea, existant, personnes)
        temps["foyers_personnes_evaluations_s"] = round(time.perf_counter() - t, 1)
        journal(
            f"  {nb_foyers} foyers, {nb_personnes} personnes, "
            f"{nb_evaluations} évaluations : {temps['foyers_personnes_evaluations_s']} s"
        )

        t = time.perf_counter()
        nb_contrats = _semer_contrats(curseur, alea, existant, adultes, personnes)
        temps["contrats_s"] = round(time.perf_counter() - t, 1)
        journal(f"  {nb_contrats} contrats aidés : {temps['contrats_s']} s")

        t = time.perf_counter()
        nb_orientations = _semer_orientations(curseur, alea, existant, adultes, personnes)
        temps["orientations_s"] = round(time.perf_counter() - t, 1)
        journal(f"  {nb_orientations} orientations : {temps['orientations_s']} s")

        t = time.perf_counter()
        vehicules = _semer_flotte(curseur, alea, existant, personnes)
        nb_locations = _semer_locations(curseur, alea, adultes, vehicules, personnes)
        temps["flotte_locations_s"] = round(time.perf_counter() - t, 1)
        journal(f"  {len(vehicules)} véhicules, {nb_locations} locations : {temps['flotte_locations_s']} s")

        for modele in (Foyer, Beneficiaire, Evaluation, ContratAide, Orientation, Vehicule, Location):
            _recaler_sequence(curseur, modele)
    finally:
        curseur.execute("SET session_replication_role = DEFAULT")
    t = time.perf_counter()
    verifier_cles(curseur)
    temps["verification_cles_s"] = round(time.perf_counter() - t, 1)
    return temps


# --- Foyers, personnes, évaluations : par paquets (un seul COPY à la fois sur une connexion) --------------------


@dataclass
class Identifiants:
    """Les prochains identifiants à attribuer (les COPY les donnent eux-mêmes)."""

    foyer: int
    personne: int
    evaluation: int


def _semer_foyers(curseur, alea, existant, personnes):
    """Rend les adultes semés [(id, bassin_id, commune_id, orientation)] (les personnes que les axes peuvent
    concerner) et les nombres de foyers, de personnes et d'évaluations semés."""
    from beneficiaires.models import Beneficiaire, Evaluation, Foyer

    ids = Identifiants(
        foyer=_prochain_id(curseur, Foyer),
        personne=_prochain_id(curseur, Beneficiaire),
        evaluation=_prochain_id(curseur, Evaluation),
    )
    premiers = Identifiants(ids.foyer, ids.personne, ids.evaluation)
    adultes = []
    tirages = alea.choices(range(len(existant.communes)), weights=existant.poids, k=4096)
    n = 0
    while n < personnes:
        foyers, benefs, evaluations = [], [], []
        while n < personnes and len(benefs) < TAILLE_PAQUET:
            commune_id, _pop, bassin_id = existant.communes[tirages[ids.foyer % len(tirages)]]
            n += _semer_foyer(
                alea, existant, ids, commune_id, bassin_id, personnes - n, (foyers, benefs, evaluations, adultes)
            )
        _copier(curseur, Foyer, CHAMPS_FOYER, foyers)
        _copier(curseur, Beneficiaire, CHAMPS_PERSONNE, benefs)
        _copier(curseur, Evaluation, CHAMPS_EVALUATION, evaluations)
    return adultes, (
        ids.foyer - premiers.foyer,
        ids.personne - premiers.personne,
        ids.evaluation - premiers.evaluation,
    )


def _semer_foyer(alea, existant, ids, commune_id, bassin_id, reste, sorties):
    """Un foyer de la commune et ses membres (au plus `reste`), ajoutés aux lignes à copier ; rend le nombre de
    membres."""
    from beneficiaires.models import normaliser

    foyers, benefs, evaluations, adultes = sorties
    numero = f"8{ids.foyer:09d}"
    etat = 2 if alea.random() < 0.85 else alea.choice([0, 3, 4, 5])
    foyers.append(
        [
            ids.foyer,
            numero,
            "CAF" if alea.random() < 0.94 else "MSA",
            etat,
            _jour(alea, date(2009, 1, 1), AUJOURDHUI),
            commune_id,
        ]
    )
    taille = min(reste, alea.choices([1, 2, 3, 4], weights=[45, 25, 18, 12])[0])
    nom = alea.choice(NOMS)
    vus = set()  # (rôle, prénom, naissance) déjà tirés dans ce foyer : unicité en base
    for rang in range(taille):
        benef, evaluation = _membre(alea, existant, ids, rang, (nom, numero, commune_id), vus, normaliser)
        if evaluation is not None:
            evaluations.append(evaluation)
        benefs.append(benef)
        if benef[POSITION_ROLE] != "ENF":
            adultes.append((ids.personne, bassin_id, commune_id, benef[POSITION_ORIENTATION]))
        ids.personne += 1
    ids.foyer += 1
    return taille


def _membre(alea, existant, ids, rang, foyer, vus, normaliser):
    """La ligne d'une personne du foyer (demandeur, conjoint, enfants) et celle de son évaluation (ou None).
    `foyer` : (nom, numéro allocataire, commune_id) ; `vus` : (rôle, prénom, naissance) déjà tirés dans le foyer."""
    nom, numero, commune_id = foyer
    role = ("DEM", "CJT", "ENF", "ENF")[rang]
    femme = alea.random() < 0.55 if rang != 1 else alea.random() < 0.8
    prenom = alea.choice(PRENOMS_F if femme else PRENOMS_H)
    naissance = None
    while naissance is None or (role, prenom, naissance) in vus:
        naissance = date(
            alea.randint(1958, 1999) if role != "ENF" else alea.randint(2000, 2008),
            alea.randint(1, 12),
            alea.randint(1, 28),
        )
    vus.add((role, prenom, naissance))
    statut = alea.choices(["a_evaluer", "en_evaluation", "en_parcours", "sorti"], weights=[30, 10, 50, 10])[0]
    evaluee = statut in ("en_parcours", "sorti")
    eval_id = jour_eval = evaluation = None
    if evaluee or statut == "en_evaluation":
        eval_id, jour_eval = ids.evaluation, _jour(alea)
        ids.evaluation += 1
        evaluation = [
            eval_id,
            ids.personne,
            jour_eval,
            alea.choice(existant.referents),
            "realisee" if evaluee else "prevue",
            alea.random() < 0.45,
            alea.random() < 0.1,
            alea.choices([0, 1, 2], weights=[50, 30, 20])[0],
            alea.choice(METIERS),
            alea.choice([20, 24, 26, 35]),
        ]
    orientation = ""
    if evaluee:
        orientation = alea.choices(["pro", "socio_pro", "sociale"], weights=[50, 30, 20])[0]
    benef = [
        ids.personne,
        ids.foyer,
        role,
        "MME" if femme else "M",
        nom,
        prenom,
        naissance,
        role != "ENF",
        f"{alea.randint(1, 150)} rue de la Gare",
        commune_id,
        orientation,
        jour_eval if orientation else None,
        statut,
        eval_id if evaluee else None,
        normaliser(f"{nom}  {prenom} {numero}")[:400],
        jour_eval if evaluee else None,
        jour_eval if evaluee else None,  # une seule évaluation : la première est aussi celle en vigueur
    ]
    return benef, evaluation


# --- Contrats aidés (1 %), orientations vers les prestataires (3 %), flotte et locations (1 %) -------------------


def _semer_contrats(curseur, alea, existant, adultes, personnes):
    from contrats.models import ContratAide

    id_contrat = _prochain_id(curseur, ContratAide)
    contrats = alea.sample(adultes, k=min(len(adultes), max(1, personnes // 100)))
    with Copie(curseur, ContratAide, CHAMPS_CONTRAT) as copie:
        for i, (bid, _bassin, commune_id, _o) in enumerate(contrats):
            debut = _jour(alea)
            fin = debut + timedelta(days=alea.choice([182, 273, 365]))
            statut = "en_cours" if fin >= AUJOURDHUI else alea.choices(["termine", "rompu"], weights=[85, 15])[0]
            rompu = statut == "rompu"
            copie.ecrire(
                [
                    id_contrat + i,
                    bid,
                    alea.choice(existant.employeurs),
                    "cui_cae" if debut.year < 2018 else "pec",
                    alea.choice(["Agent d'entretien des espaces verts", "Agent polyvalent", "Aide à domicile"]),
                    commune_id,
                    debut,
                    fin,
                    alea.choice([20, 24, 26, 35]),
                    Decimal(alea.choice([60, 70, 80, 95])),
                    "Tuteur désigné",
                    "Entretiens mensuels avec le tuteur et le référent",
                    "Formation aux gestes du poste",
                    alea.choice(existant.referents),
                    statut,
                    debut - timedelta(days=alea.randint(1, 20)),
                    f"NAT-{debut.year}-{id_contrat + i:07d}",
                    debut + timedelta(days=alea.randint(30, 150)) if rompu else None,
                    "accord_commun" if rompu else "",
                ]
            )
    return len(contrats)


def _semer_orientations(curseur, alea, existant, adultes, personnes):
    from placement.models import Orientation

    id_orientation = _prochain_id(curseur, Orientation)
    candidats = [p for p in adultes if p[3] == "pro" and p[1] in existant.lots_par_bassin]
    orientees = alea.sample(candidats, k=min(len(candidats), personnes * 3 // 100))
    motifs_refus = ["injoignable", "refus_personne", "non_disponible", "profil"]
    with Copie(curseur, Orientation, CHAMPS_ORIENTATION) as copie:
        for i, (bid, bassin_id, _c, _o) in enumerate(orientees):
            statut = alea.choices(["proposee", "acceptee", "en_accompagnement", "refusee"], weights=[15, 15, 55, 15])[0]
            proposition = _jour(alea)
            reponse = proposition + timedelta(days=alea.randint(1, 15)) if statut != "proposee" else None
            entree = reponse + timedelta(days=alea.randint(0, 20)) if statut == "en_accompagnement" else None
            copie.ecrire(
                [
                    id_orientation + i,
                    bid,
                    existant.lots_par_bassin[bassin_id],
                    alea.choice(existant.referents),
                    statut,
                    proposition,
                    reponse,
                    alea.choice(motifs_refus) if statut == "refusee" else "",
                    entree,
                ]
            )
    return len(orientees)


def _semer_flotte(curseur, alea, existant, personnes):
    """Un véhicule pour 1 000 personnes (20 au moins) ; rend leurs identifiants."""
    from mobilite.models import Vehicule

    id_vehicule = _prochain_id(curseur, Vehicule)
    vehicules = []
    with Copie(curseur, Vehicule, CHAMPS_VEHICULE) as copie:
        for i in range(max(20, personnes // 1000)):
            vid = id_vehicule + i
            type_v = alea.choices(["voiture", "vsp", "deux_roues"], weights=[70, 20, 10])[0]
            commune_id = existant.communes[alea.randrange(len(existant.communes))][0]
            copie.ecrire(
                [
                    vid,
                    f"BN-{vid:06d}",
                    type_v,
                    "Renault" if type_v == "voiture" else "Aixam",
                    "Clio" if type_v == "voiture" else "City",
                    date(2014, 1, 1) + timedelta(days=alea.randrange(2500)),
                    alea.randint(20_000, 150_000),
                    commune_id,
                    alea.choice(existant.partenaires),
                    Decimal("1.00"),
                    Decimal("0.00"),
                    "disponible",
                    DEBUT_ACTIVITE,
                ]
            )
            vehicules.append(vid)
    return vehicules


def _semer_locations(curseur, alea, adultes, vehicules, personnes):
    """Des locations à la suite pour chaque véhicule, depuis le début de l'activité ; rend leur nombre."""
    from mobilite.models import Location

    id_location = _prochain_id(curseur, Location)
    louees = alea.sample(adultes, k=min(len(adultes), personnes // 100))
    par_vehicule = len(louees) // len(vehicules) + 1
    with Copie(curseur, Location, CHAMPS_LOCATION) as copie:
        i = 0
        for vid in vehicules:
            jour = DEBUT_ACTIVITE
            for _ in range(par_vehicule):
                if i >= len(louees):
                    break
                debut = jour + timedelta(days=alea.randint(0, 10))
                fin = debut + timedelta(days=alea.randint(3, 60))
                passee = fin < AUJOURDHUI
                km = alea.randint(20_000, 150_000)
                copie.ecrire(
                    [
                        id_location + i,
                        louees[i][0],
                        vid,
                        debut,
                        fin,
                        alea.choice(["nouvel_emploi", "formation", "entretien", "contrat_aide"]),
                        Decimal("1.00"),
                        Decimal("0.00"),
                        "restituee" if passee else "reservee",
                        _instant(debut) if passee else None,
                        km if passee else None,
                        fin if passee else None,
                        km + alea.randint(50, 2000) if passee else None,
                        Decimal((fin - debut).days + 1) if passee else Decimal("0.00"),
                    ]
                )
                jour = fin + timedelta(days=1)
                i += 1
    return i


def verifier_cles(curseur):
    """Chaque clé étrangère des tables semées désigne une ligne existante (anti-jointures)."""
    from beneficiaires.models import Beneficiaire, Evaluation, Foyer
    from contrats.models import ContratAide
    from mobilite.models import Location, Vehicule
    from placement.models import Orientation

    erreurs = []
    for modele in (Foyer, Beneficiaire, Evaluation, ContratAide, Orientation, Vehicule, Location):
        for champ in modele._meta.local_concrete_fields:
            if not champ.is_relation:
                continue
            cible = champ.related_model._meta.db_table
            curseur.execute(
                f'SELECT count(*) FROM "{modele._meta.db_table}" t LEFT JOIN "{cible}" c ON c.id = t."{champ.column}" '
                f'WHERE t."{champ.column}" IS NOT NULL AND c.id IS NULL'
            )
            orphelins = curseur.fetchone()[0]
            if orphelins:
                erreurs.append(f"{modele._meta.label}.{champ.name} : {orphelins} référence(s) orpheline(s)")
    if erreurs:
        raise RuntimeError("Semis national incohérent : " + " ; ".join(erreurs))

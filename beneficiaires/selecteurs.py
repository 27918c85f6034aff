"""Lectures composées du registre : listes et fiche, imports, files d'activité du référent, portefeuilles par
bassin."""

import datetime

from django.core.cache import cache
from django.db.models import Count, Q

from commun import versions
from commun.tableaux import lue_par_cle, perimetre_fait_une_fois, selection_faite_une_fois
from comptes.models import Role, User, nom_affiche
from referentiel.models import Commune
from referentiel.selecteurs import bassins, bassins_de

from .models import Beneficiaire, DoublonProbable, Evaluation, Foyer, ImportBeneficiaires, StatutParcours

# Une personne orientée attend son évaluation ; au-delà de ce délai, elle est en retard (en rouge).
DELAI_EVALUATION_JOURS = 30
# Page de réaffectation : au plus ce nombre de personnes à cocher (le même plafond que le service).
REAFFECTATION_LISTE_MAX = 500
STATUTS_SUIVIS = (StatutParcours.A_EVALUER, StatutParcours.EN_EVALUATION, StatutParcours.EN_PARCOURS)


# Ce que lisent la liste, son export et ses tris (tables.py) : les colonnes affichées de la personne (dont la date
# de son évaluation en vigueur, tenue sur elle), et en annotations, chacune par une sous-requête sur sa clé
# (commun.tableaux.lue_par_cle : ni le compte ni le tri n'en héritent de jointure), celles de son foyer, de sa commune
# et de son bassin, de son référent (son nom complet, à défaut son identifiant, comme `User.__str__`). Une instance
# par ligne, une vingtaine de valeurs à convertir, au lieu de six instances et de 90 colonnes (select_related).
COLONNES_LISTE = (
    "nom",
    "prenoms",
    "date_naissance",
    "role",
    "adresse_brute",
    "soumis_droits_devoirs",
    "orientation",
    "statut_parcours",
    "commune_id",
    "referent_id",
    "date_evaluation_courante",
)
ANNOTATIONS_LISTE = {
    "liste_numero": lue_par_cle(Foyer, "foyer_id", "numero_allocataire"),
    "liste_etat_droit": lue_par_cle(Foyer, "foyer_id", "etat_droit"),
    "liste_commune": lue_par_cle(Commune, "commune_id", "nom"),
    "liste_bassin": lue_par_cle(Commune, "commune_id", "bassin_emploi__nom"),
    "liste_referent": lue_par_cle(User, "referent_id", nom_affiche()),
}


def pour_la_liste(personnes):
    """Ces personnes avec ce que la liste affiche (foyer, commune et bassin, référent, évaluation)."""
    return personnes.only(*COLONNES_LISTE).annotate(**ANNOTATIONS_LISTE)


# Les cinq sous-requêtes résolues une fois par processus (1,1 ms par page sinon) ; chaque page en prend une copie
# (commun.tableaux.selection_faite_une_fois), que le périmètre restreint.
_lignes_de_la_liste = selection_faite_une_fois(lambda: pour_la_liste(Beneficiaire.objects.all()))
# Et restreintes au périmètre une fois par utilisateur et par version des comptes (commun.tableaux).
_lignes_du_perimetre = perimetre_fait_une_fois("beneficiaires", lambda user: _lignes_de_la_liste().visibles_par(user))


def beneficiaires_visibles(user):
    """Les personnes du périmètre, telles que la liste les lit (le même SQL que
    `pour_la_liste(Beneficiaire.objects.visibles_par(user))`)."""
    return _lignes_du_perimetre(user)


def membres_du_foyer(beneficiaire, user):
    """Les autres membres du foyer de la personne que l'utilisateur peut voir."""
    return (
        Beneficiaire.objects.visibles_par(user)
        .filter(foyer_id=beneficiaire.foyer_id)
        .exclude(pk=beneficiaire.pk)
        .order_by("role", "date_naissance", "pk")
    )


def evaluation_prevue(beneficiaire):
    """La prochaine évaluation prévue de la personne, ou None."""
    return next(
        (e for e in beneficiaire.evaluations.filter(statut=Evaluation.Statut.PREVUE).order_by("date", "pk")[:1]),
        None,
    )


def derniers_imports(user, nombre=10):
    """Les derniers dépôts de listes visibles par l'utilisateur, sans leur contenu."""
    return ImportBeneficiaires.objects.visibles_par(user).select_related("utilisateur").defer("contenu")[:nombre]


def doublons_a_examiner(user):
    return (
        DoublonProbable.objects.visibles_par(user).a_examiner().select_related("existant__foyer", "existant__commune")
    )


def bassins_pour(user):
    """Les bassins de l'utilisateur (tous pour qui voit tout), par nom."""
    return bassins() if user.voit_tout else bassins_de(user)


def personnes_a_reaffecter(user, bassin, source):
    """Personnes suivies du bassin visibles par l'utilisateur : sans référent (`source` « aucun ») ou suivies par
    le référent dont `source` est l'identifiant ; aucune sinon."""
    qs = (
        Beneficiaire.objects.visibles_par(user)
        .filter(commune__bassin_emploi=bassin, statut_parcours__in=STATUTS_SUIVIS)
        .order_by("nom", "prenoms", "pk")
    )
    if source == "aucun":
        return qs.filter(referent__isnull=True)
    if source.isdigit():
        return qs.filter(referent_id=int(source))
    return qs.none()


def referents_du_bassin(bassin):
    """Les référents actifs du bassin, par nom."""
    return User.objects.filter(role=Role.REFERENT, is_active=True, bassins=bassin).order_by(
        "last_name", "first_name", "pk"
    )


def personnes_a_evaluer(user, jour):
    """Personnes « à évaluer » du périmètre, par ancienneté de leur orientation (les plus anciennes d'abord)."""
    return (
        Beneficiaire.objects.visibles_par(user)
        .filter(statut_parcours=StatutParcours.A_EVALUER)
        .select_related("commune")
    )


def en_retard_d_evaluation(jour):
    return Q(date_orientation__lt=jour - datetime.timedelta(days=DELAI_EVALUATION_JOURS))


def evaluations_de_la_semaine(user, jour):
    lundi = jour - datetime.timedelta(days=jour.weekday())
    return (
        Evaluation.objects.visibles_par(user)
        .filter(statut=Evaluation.Statut.PREVUE, date__range=(lundi, lundi + datetime.timedelta(days=6)))
        .select_related("beneficiaire")
    )


def personnes_sans_referent(user, jour):
    return (
        Beneficiaire.objects.visibles_par(user)
        .filter(referent__isnull=True, statut_parcours__in=STATUTS_SUIVIS)
        .select_related("commune")
    )


def personnes_a_rattacher(user, jour=None):
    """Personnes importées dont l'adresse n'a pas été reconnue (« adresse à vérifier ») : sans commune, donc sans
    bassin ni référent, tant que le pilotage ne les a pas rattachées à une commune."""
    return Beneficiaire.objects.visibles_par(user).a_rattacher().select_related("foyer")


def portefeuilles(bassin, jour):
    """Pour chaque référent du bassin : personnes suivies (du bassin), à évaluer, en retard d'évaluation. Une requête,
    quel que soit le nombre de référents et de personnes."""
    du_bassin = Q(beneficiaires_suivis__commune__bassin_emploi=bassin)
    suivies = du_bassin & Q(beneficiaires_suivis__statut_parcours__in=STATUTS_SUIVIS)
    a_evaluer = du_bassin & Q(beneficiaires_suivis__statut_parcours=StatutParcours.A_EVALUER)
    limite = jour - datetime.timedelta(days=DELAI_EVALUATION_JOURS)
    return (
        User.objects.filter(role=Role.REFERENT, is_active=True, bassins=bassin)
        .annotate(
            suivies=Count("beneficiaires_suivis", filter=suivies),
            a_evaluer=Count("beneficiaires_suivis", filter=a_evaluer),
            en_retard=Count(
                "beneficiaires_suivis", filter=a_evaluer & Q(beneficiaires_suivis__date_orientation__lt=limite)
            ),
        )
        .order_by("last_name", "first_name", "pk")
    )


def sans_referent_du_bassin(bassin):
    return Beneficiaire.objects.filter(
        commune__bassin_emploi=bassin, referent__isnull=True, statut_parcours__in=STATUTS_SUIVIS
    ).count()


def referents_pour_reaffecter(user):
    """Les référents actifs à qui l'utilisateur peut confier des personnes : ceux des bassins qu'il suit (tous pour
    qui voit tout). Le service vérifie encore, personne par personne, que le référent suit son bassin."""
    qs = User.objects.filter(role=Role.REFERENT, is_active=True)
    if not user.voit_tout:
        qs = qs.filter(bassins__in=user.bassins.values("pk")).distinct()
    return qs.order_by("last_name", "first_name", "pk")


def noms_pour_reaffecter(user):
    """[(clé, nom)] des référents de `referents_pour_reaffecter` : les options de « Réaffecter à », sous chaque page
    de la liste. Gardées en cache sous la version des comptes (rôle, activité, bassins des référents et de
    l'utilisateur : tout ce dont la liste dépend), relue une fois par page ; dans une transaction qui a écrit des
    comptes sans valider, la version porte un jeton qui lui est propre (commun.versions)."""
    cle = f"reaffectation:{user.pk}:{versions.versions('comptes')}"
    noms = cache.get(cle)
    if noms is None:
        referents = referents_pour_reaffecter(user).only("pk", "username", "first_name", "last_name")
        noms = [(r.pk, str(r)) for r in referents]
        cache.set(cle, noms, 3600)
    return noms

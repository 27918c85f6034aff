"""Indicateurs de l'axe 3 (placement), agrégés en SQL par bassin (celui de la personne) et par mois.

Chaque lien mène à la liste des orientations (ou à l'état des résultats) filtrée de sorte que le nombre de
lignes (ou le total) soit le chiffre affiché.
"""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth

from referentiel.models import Structure
from tableau_de_bord.registre import Contexte, Indicateur, Ventilation, indicateur, premier_du_mois, taux, taux_par_cle

from .models import MaintienEmploi, Orientation, ResultatPaye, Sortie

BASSIN_ORIENTATION = "beneficiaire__commune__bassin_emploi"
BASSIN_SORTIE = "orientation__beneficiaire__commune__bassin_emploi"
MODELES = ("placement.Orientation", "placement.Sortie", "placement.MaintienEmploi", "placement.ResultatPaye")


@indicateur(axe="placement", ordre=10, modeles=MODELES)
def orientations_proposees(ctx: Contexte):
    return ctx.compter(
        Orientation.objects.all(),
        code="placement_orientations",
        libelle="Orientations proposées aux prestataires",
        unite="orientations",
        champ_date="date_proposition",
        champ_bassin=BASSIN_ORIENTATION,
        lien=ctx.lien("placement:liste", params_periode=("proposee_apres", "proposee_avant")),
    )


@indicateur(axe="placement", ordre=20, modeles=MODELES)
def entrees(ctx: Contexte):
    return ctx.compter(
        Orientation.objects.filter(date_entree__isnull=False),
        code="placement_entrees",
        libelle="Entrées en accompagnement",
        unite="personnes",
        champ_date="date_entree",
        champ_bassin=BASSIN_ORIENTATION,
        lien=ctx.lien("placement:liste", params_periode=("entree_apres", "entree_avant")),
        description="Personnes entrées en accompagnement chez un prestataire (objectif du plan : 600).",
    )


def _jours(duree):
    if duree is None:
        return 0
    if isinstance(duree, timedelta):
        return duree.days + duree.seconds / 86400
    return float(duree)


def _moyenne(somme, nombre):
    return round(somme / nombre, 1) if nombre else None


@indicateur(axe="placement", ordre=30, modeles=MODELES)
def delai_acceptation(ctx: Contexte):
    """Délai moyen (jours) entre la proposition et l'acceptation, pour les orientations acceptées sur la période."""
    qs = ctx.filtrer_bassin(
        ctx.filtrer_periode(Orientation.objects.filter(statut__in=Orientation.STATUTS_OCCUPANT), "date_reponse"),
        BASSIN_ORIENTATION,
    )
    delai = ExpressionWrapper(F("date_reponse") - F("date_proposition"), output_field=DurationField())
    lignes = (
        qs.annotate(_mois=TruncMonth("date_reponse"), _bassin=F(BASSIN_ORIENTATION))
        .values("_mois", "_bassin")
        .annotate(_n=Count("pk"), _somme=Sum(delai))
        .order_by()
    )
    n_total, s_total = 0, 0.0
    n_bassin, s_bassin, n_mois, s_mois = defaultdict(int), defaultdict(float), defaultdict(int), defaultdict(float)
    for ligne in lignes:
        mois = premier_du_mois(ligne["_mois"])
        n, s = ligne["_n"], _jours(ligne["_somme"])
        n_total, s_total = n_total + n, s_total + s
        n_bassin[ligne["_bassin"]] += n
        s_bassin[ligne["_bassin"]] += s
        n_mois[mois] += n
        s_mois[mois] += s
    return Indicateur.avec_lien(
        ctx.lien("placement:liste", params_periode=("reponse_apres", "reponse_avant"), acceptee="true"),
        code="placement_delai_acceptation",
        libelle="Délai moyen d'acceptation",
        valeur=_moyenne(s_total, n_total),
        unite="jours",
        par_bassin={b: _moyenne(s_bassin[b], n) for b, n in n_bassin.items()},
        par_mois={m: _moyenne(s_mois[m], n) for m, n in sorted(n_mois.items())},
        description="Jours entre la proposition et l'acceptation ; la liste montre les orientations moyennées.",
    )


@indicateur(axe="placement", ordre=40, modeles=MODELES)
def sorties_positives(ctx: Contexte):
    return ctx.compter(
        Sortie.objects.filter(positive=True),
        code="placement_sorties_positives",
        libelle="Sorties positives",
        unite="personnes",
        champ_date="date",
        champ_bassin=BASSIN_SORTIE,
        lien=ctx.lien("placement:liste", params_periode=("sortie_apres", "sortie_avant"), positive="true"),
        description="CDI, CDD ou intérim de 6 mois ou plus, création d'entreprise, formation qualifiante.",
    )


@indicateur(axe="placement", ordre=50, modeles=MODELES)
def taux_sorties_positives(ctx: Contexte):
    """Une requête groupée (bassin, mois) : les sorties positives et toutes les sorties, deux comptes."""
    qs = ctx.filtrer_bassin(ctx.filtrer_periode(Sortie.objects.all(), "date"), BASSIN_SORTIE)
    lignes = (
        qs.annotate(_mois=TruncMonth("date"), _bassin=F(BASSIN_SORTIE))
        .values("_mois", "_bassin")
        .annotate(_pos=Count("pk", filter=Q(positive=True)), _tout=Count("pk"))
        .order_by()
    )
    positives, toutes = Ventilation(), Ventilation()
    for ligne in lignes:
        mois = premier_du_mois(ligne["_mois"])
        positives.ajouter(ligne["_bassin"], mois, ligne["_pos"])
        toutes.ajouter(ligne["_bassin"], mois, ligne["_tout"])
    return Indicateur.avec_lien(
        ctx.lien("placement:liste", params_periode=("sortie_apres", "sortie_avant")),
        code="placement_taux_sorties_positives",
        libelle="Taux de sorties positives",
        valeur=taux(positives.total, toutes.total),
        unite="%",
        par_bassin=taux_par_cle(positives.par_bassin, toutes.par_bassin),
        par_mois=taux_par_cle(positives.par_mois, toutes.mois_tries()),
        description="Sorties positives sur l'ensemble des sorties de la période (la liste montre toutes les sorties).",
    )


@indicateur(axe="placement", ordre=60, modeles=MODELES)
def maintien_6_mois(ctx: Contexte):
    return ctx.compter(
        MaintienEmploi.objects.filter(echeance=MaintienEmploi.Echeance.SIX_MOIS, en_emploi=True),
        code="placement_maintien_6_mois",
        libelle="Toujours en emploi à 6 mois",
        unite="personnes",
        champ_date="date_constat",
        champ_bassin="sortie__" + BASSIN_SORTIE,
        lien=ctx.lien("placement:liste", params_periode=("maintien6_apres", "maintien6_avant")),
    )


def _montant(lignes, *, code, libelle, lien, description=""):
    """Un Indicateur « comme ctx.compter », à partir de lignes déjà groupées (bassin, mois) -> montant."""
    cumul = Ventilation()
    for bassin, mois, v in lignes:
        cumul.ajouter(bassin, mois, v)
    return cumul.indicateur(code=code, libelle=libelle, unite="€", lien=lien, description=description)


@indicateur(axe="placement", ordre=70, modeles=MODELES)
def montants_dus(ctx: Contexte):
    """Montant dû au titre des résultats validés par le Département (service fait : validés ou payés) : au total,
    puis par prestataire. Les résultats seulement déclarés, ou rejetés, ne comptent pas.

    Deux requêtes quel que soit le nombre de prestataires : la liste des prestataires titulaires d'un lot, et
    une requête groupée (prestataire, bassin, mois) dont on tire le total et chaque prestataire."""
    qs = ctx.filtrer_bassin(ctx.filtrer_periode(ResultatPaye.objects.service_fait(), "date"), BASSIN_SORTIE)
    lignes = (
        qs.annotate(_mois=TruncMonth("date"), _bassin=F(BASSIN_SORTIE), _prestataire=F("lot__prestataire"))
        .values("_prestataire", "_bassin", "_mois")
        .annotate(_v=Sum("prix_unitaire"))
        .order_by()
    )
    toutes, par_prestataire = [], defaultdict(list)
    for ligne in lignes:
        mois = premier_du_mois(ligne["_mois"])
        cellule = (ligne["_bassin"], mois, ligne["_v"] or 0)
        toutes.append(cellule)
        par_prestataire[ligne["_prestataire"]].append(cellule)
    indicateurs = [
        _montant(
            toutes,
            code="placement_montant_du",
            libelle="Montant dû aux prestataires",
            lien=ctx.lien("placement:etat", params_periode=("debut", "fin")),
            description="Résultats validés par le Département (entrées, sorties positives, maintiens à 6 mois) x "
            "prix unitaires des lots ; le lien ouvre l'état des résultats, dont le total dû est ce chiffre.",
        )
    ]
    prestataires = Structure.objects.filter(type=Structure.Type.PRESTATAIRE, lots_placement__isnull=False).distinct()
    for pk, nom in prestataires.order_by("nom").values_list("pk", "nom"):
        indicateurs.append(
            _montant(
                par_prestataire.get(pk, []),
                code=f"placement_montant_du_{pk}",
                libelle=f"Montant dû à {nom}",
                lien=ctx.lien("placement:etat", params_periode=("debut", "fin"), prestataire=pk),
            )
        )
    return indicateurs

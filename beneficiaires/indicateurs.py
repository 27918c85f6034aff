"""Indicateurs de l'axe 1 (évaluation) et chiffres clés du registre, pour le tableau de bord.

Chaque chiffre est une requête groupée (bassin, mois) ; son lien ouvre la liste des bénéficiaires filtrée de
sorte que le nombre de lignes soit le chiffre (voir beneficiaires.filters).
"""

from django.db.models import Count, Q
from django.urls import reverse

from commun.francais import compte, est_pluriel
from tableau_de_bord.registre import Contexte, Indicateur, indicateur, taux, taux_par_cle

from .filters import condition_dans_le_plan, condition_delai_30j
from .models import FREINS, Beneficiaire, Foyer, Role, StatutParcours

BASSIN = "commune__bassin_emploi"
# Droit ouvert : états 2 (versable), 3 (suspendu) et 4 (versement suspendu) — le droit existe, même si le
# versement est momentanément interrompu. C'est le stock comparable aux 14 293 foyers du lancement.
ETATS_DROIT_OUVERT = (2, 3, 4)
MODELES = ("beneficiaires.Beneficiaire", "beneficiaires.Evaluation", "beneficiaires.Foyer")


def dans_le_plan():
    """Personnes du plan : soumises aux droits et devoirs, jamais « hors plan » (enfants, autres membres du
    foyer), orientées, non archivées."""
    return Beneficiaire.objects.filter(condition_dans_le_plan(), date_orientation__isnull=False).exclude(
        statut_parcours=StatutParcours.ARCHIVE
    )


@indicateur(axe="contexte", ordre=10, modeles=MODELES, periode=False)
def foyers_droit_ouvert(ctx: Contexte):
    total, par_bassin = ctx.stock(Foyer.objects.filter(etat_droit__in=ETATS_DROIT_OUVERT), BASSIN)
    return Indicateur.avec_lien(
        ctx.lien("beneficiaires:liste", etat_droit=list(ETATS_DROIT_OUVERT), role=Role.DEM),
        code="foyers_droit_ouvert",
        libelle="Foyers RSA au droit ouvert",
        valeur=total,
        unite="foyers",
        par_bassin=par_bassin,
        description="Foyers du registre dont le droit est ouvert (états 2, 3 et 4), à ce jour. "
        "Le lien liste leurs demandeurs.",
    )


@indicateur(axe="contexte", ordre=11, modeles=MODELES, periode=False)
def personnes_couvertes(ctx: Contexte):
    """Compté par différence : toutes les personnes non archivées (parcours de l'index benef_commune_statut_idx
    seul), moins celles des foyers au droit fermé (~15 % des foyers, leurs membres lus dans l'index
    benef_couverts_idx). Joindre les 2 millions de personnes aux foyers au droit ouvert coûtait trois fois plus
    (650 ms contre ~230 ms à l'échelle nationale)."""
    actives = Beneficiaire.objects.exclude(statut_parcours=StatutParcours.ARCHIVE)
    _, toutes = ctx.stock(actives, BASSIN)
    fermes = Foyer.objects.exclude(etat_droit__in=ETATS_DROIT_OUVERT).values("pk")
    _, hors_droit = ctx.stock(actives.filter(foyer__in=fermes), BASSIN)
    par_bassin = {b: n - hors_droit.get(b, 0) for b, n in toutes.items() if n - hors_droit.get(b, 0)}
    total = sum(par_bassin.values())
    return Indicateur.avec_lien(
        ctx.lien("beneficiaires:liste", etat_droit=list(ETATS_DROIT_OUVERT)),
        code="personnes_couvertes",
        libelle="Personnes couvertes par le RSA",
        valeur=total,
        unite="personnes",
        par_bassin=par_bassin,
        description="Membres (non archivés) des foyers au droit ouvert, à ce jour.",
    )


def _orientes(ctx: Contexte):
    """Personnes du plan par jour d'orientation et bassin, et celles d'entre elles évaluées dans les 30 jours : une
    requête (avec la période précédente quand elle la précède) pour « entrées dans le plan » et « part évaluée
    dans les 30 jours », au lieu de cinq. Rend {"plan": (Ventilation, précédent), "delai": (…)}."""
    return ctx.partage(
        "beneficiaires.orientes",
        lambda: ctx.ventilations(
            dans_le_plan(),
            champ_date="date_orientation",
            champ_bassin=BASSIN,
            mesures={"plan": Count("pk"), "delai": Count("pk", filter=condition_delai_30j())},
            avec_precedent=True,
        ),
    )


def _evalues(ctx: Contexte):
    """Personnes non archivées par jour de leur évaluation en vigueur et bassin, au total et pour chaque frein
    (léger ou fort) : une requête (avec la période précédente quand elle la précède) pour « personnes évaluées »
    et les huit freins, au lieu de trois. Rend {"evaluees": (Ventilation, précédent), champ du frein: (…)}."""
    base = Beneficiaire.objects.filter(evaluation_courante__isnull=False)
    base = base.exclude(statut_parcours=StatutParcours.ARCHIVE)
    mesures = {"evaluees": Count("pk")}
    mesures.update({champ: Count("pk", filter=Q(**{f"evaluation_courante__{champ}__gte": 1})) for champ, _ in FREINS})
    return ctx.partage(
        "beneficiaires.evalues",
        lambda: ctx.ventilations(
            base, champ_date="evaluation_courante__date", champ_bassin=BASSIN, mesures=mesures, avec_precedent=True
        ),
    )


@indicateur(axe="evaluation", ordre=10, modeles=MODELES)
def personnes_dans_le_plan(ctx: Contexte):
    cumul, precedent = _orientes(ctx)["plan"]
    return cumul.indicateur(
        code="personnes_plan",
        libelle="Personnes entrées dans le plan",
        unite="personnes",
        lien=ctx.lien("beneficiaires:liste", params_periode=("oriente_apres", "oriente_avant"), plan="true"),
        description="Personnes soumises aux droits et devoirs orientées pendant la période (hors archivées).",
        precedent=precedent,
    )


@indicateur(axe="evaluation", ordre=20, modeles=MODELES)
def personnes_evaluees(ctx: Contexte):
    cumul, precedent = _evalues(ctx)["evaluees"]
    return cumul.indicateur(
        code="personnes_evaluees",
        libelle="Personnes évaluées",
        unite="personnes",
        lien=ctx.lien("beneficiaires:liste", params_periode=("evalue_apres", "evalue_avant")),
        description="Personnes dont l'évaluation en vigueur (la dernière réalisée) date de la période.",
        precedent=precedent,
    )


@indicateur(axe="evaluation", ordre=30, modeles=MODELES)
def evaluees_sous_30_jours(ctx: Contexte):
    """Part des personnes orientées dans la période évaluées au plus 30 jours après leur orientation."""
    orientes = _orientes(ctx)
    (numerateur, n_precedent), (denominateur, d_precedent) = orientes["delai"], orientes["plan"]
    n_total, d_total = numerateur.total, denominateur.total
    return Indicateur.avec_lien(
        ctx.lien("beneficiaires:liste", params_periode=("oriente_apres", "oriente_avant"), plan="true", delai_30j="on"),
        code="evaluees_30_jours",
        libelle="Part évaluée dans les 30 jours de l'orientation",
        valeur=taux(n_total, d_total),
        unite="%",
        par_bassin=taux_par_cle(numerateur.par_bassin, denominateur.par_bassin),
        par_mois=taux_par_cle(numerateur.par_mois, denominateur.mois_tries()),
        description=f"{compte(n_total, 'personne')} sur {compte(d_total, 'orientée')} dans la période "
        f"{'ont eu leur' if est_pluriel(n_total) else 'a eu sa'} première évaluation au plus 30 jours "
        "après l'orientation. Le lien liste ces personnes.",
        precedent=taux(n_precedent, d_precedent) if d_precedent is not None else None,
    )


@indicateur(axe="evaluation", ordre=40, modeles=MODELES)
def freins_par_frequence(ctx: Contexte):
    """Un chiffre par frein : personnes dont l'évaluation en vigueur (datée de la période) relève ce frein
    (léger ou fort) ; rangés du plus fréquent au moins fréquent. Lu dans la requête des personnes évaluées
    (`_evalues`), qui compte les huit freins."""
    evalues = _evalues(ctx)
    resultat = []
    for champ, libelle in FREINS:
        cumul, precedent = evalues[champ]
        resultat.append(
            Indicateur.avec_lien(
                ctx.lien("beneficiaires:liste", params_periode=("evalue_apres", "evalue_avant"), frein=champ),
                code=f"frein_{champ.removeprefix('frein_')}",
                libelle=f"Frein : {libelle.lower()}",
                valeur=cumul.total,
                unite="personnes",
                par_bassin={b: v for b, v in cumul.par_bassin.items() if v},
                par_mois={m: v for m, v in cumul.mois_tries().items() if v},
                description="Personnes évaluées dans la période dont l'évaluation relève ce frein (léger ou fort).",
                precedent=precedent,
            )
        )
    return sorted(resultat, key=lambda i: (-(i.valeur or 0), i.libelle))


@indicateur(axe="contexte", ordre=90, modeles=MODELES, periode=False)
def personnes_a_rattacher(ctx: Contexte):
    """Personnes importées dont l'adresse n'est pas dans le référentiel : sans commune, donc sans bassin. Un nombre,
    sans donnée personnelle ; le lien vers la file n'est donné qu'à qui voit tout le registre (un référent ne voit
    pas ces personnes)."""
    return Indicateur(
        code="personnes_a_rattacher",
        libelle="Personnes à rattacher à une commune",
        valeur=Beneficiaire.objects.a_rattacher().count(),
        unite="personnes",
        lien=None if ctx.total_seul or ctx.restreint else reverse("beneficiaires:a_rattacher"),
        description="Personnes importées avec une adresse hors du référentiel des communes (adresse à vérifier) : "
        "sans bassin ni référent tant qu'une commune ne leur est pas rattachée.",
    )

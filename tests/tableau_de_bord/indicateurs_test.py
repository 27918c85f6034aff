"""Indicateurs de test, déclarés par les tests seulement (fixture registre_isole) sur des modèles connus."""

from django.db.models import Count, Q

from beneficiaires.models import Evaluation, Foyer
from tableau_de_bord.registre import Contexte

BASSIN_EVAL = "beneficiaire__commune__bassin_emploi"


def evaluations_realisees(ctx: Contexte):
    qs = Evaluation.objects.filter(statut=Evaluation.Statut.REALISEE)
    return ctx.compter(
        qs,
        code="test_evaluations",
        libelle="Évaluations réalisées (test)",
        unite="évaluations",
        champ_date="date",
        champ_bassin=BASSIN_EVAL,
        lien=ctx.lien("tableau_de_bord:tableau", params_periode=("debut", "fin"), source="evaluations"),
    )


def evaluations_permis(ctx: Contexte):
    """Mesure conditionnelle (Count avec filter=) : évaluations de personnes titulaires du permis B."""
    return ctx.compter(
        Evaluation.objects.all(),
        code="test_permis",
        libelle="=SOMME(A1) évaluations avec permis B",
        champ_date="date",
        champ_bassin=BASSIN_EVAL,
        mesure=Count("pk", filter=Q(permis_b=True)),
    )


def foyers_ouverts(ctx: Contexte):
    return ctx.compter(
        Foyer.objects.filter(etat_droit=2),
        code="test_foyers",
        libelle="Foyers ouverts (test)",
        champ_date="date_ouverture_droit",
        champ_bassin="commune__bassin_emploi",
    )


def declarer_tous(declarer):
    declarer(foyers_ouverts, axe="contexte", ordre=1, modeles=("beneficiaires.Foyer",))
    declarer(evaluations_realisees, axe="evaluation", ordre=1, modeles=("beneficiaires.Evaluation",))
    declarer(evaluations_permis, axe="evaluation", ordre=2, modeles=("beneficiaires.Evaluation",))

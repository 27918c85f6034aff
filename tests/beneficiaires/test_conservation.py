"""Conservation : le jour de la limite, une personne est conservée, même quand c'est une donnée liée (et non sa
fiche) qui porte sa dernière activité ; les journaux sont gardés la durée du réglage JOURNAL_CONSERVATION_MOIS."""

import datetime

import pytest
from django.utils import timezone

from beneficiaires import rgpd
from beneficiaires.models import Beneficiaire, Evaluation
from tests.beneficiaires.factories import BeneficiaireFactory, EvaluationFactory


@pytest.mark.django_db
def test_derniere_activite_d_une_donnee_liee_au_jour_de_la_limite_conservee(settings):
    """La fiche est ancienne (le premier tri dans la base la retient) : seule la comparaison de la dernière
    activité, portée par l'évaluation, décide."""
    settings.CONSERVATION_MOIS = 24
    aujourd_hui = datetime.date(2026, 6, 15)
    limite = rgpd.date_limite(aujourd_hui)
    assert limite == datetime.date(2024, 6, 15)
    au_jour, veille = BeneficiaireFactory(), BeneficiaireFactory()
    for personne, jour in ((au_jour, limite), (veille, limite - datetime.timedelta(days=1))):
        ancien = timezone.make_aware(datetime.datetime(2020, 1, 1, 12))
        Beneficiaire.objects.filter(pk=personne.pk).update(date_creation=ancien)
        Beneficiaire.history.model.objects.filter(id=personne.pk).update(history_date=ancien)
        evaluation = EvaluationFactory(beneficiaire=personne)
        Evaluation.objects.filter(pk=evaluation.pk).update(date=jour, date_creation=ancien)
        Evaluation.history.model.objects.filter(id=evaluation.pk).update(history_date=ancien, date=jour)
    assert rgpd.dernieres_activites(Beneficiaire.objects.filter(pk=au_jour.pk)) == {au_jour.pk: limite}
    assert rgpd.personnes_a_anonymiser(aujourd_hui) == [veille.pk]


def test_les_journaux_sont_gardes_la_duree_du_reglage(settings):
    aujourd_hui = datetime.date(2026, 12, 6)
    settings.JOURNAL_CONSERVATION_MOIS = 12
    assert rgpd.limite_journaux(aujourd_hui) == timezone.make_aware(datetime.datetime(2025, 12, 6))
    settings.JOURNAL_CONSERVATION_MOIS = 6
    assert rgpd.limite_journaux(aujourd_hui) == timezone.make_aware(datetime.datetime(2026, 6, 6))


def test_le_jour_d_une_activite_est_celui_du_fuseau_du_projet(settings):
    """Une modification enregistrée à 00 h 30 à Paris (22 h 30 UTC la veille en été) date du jour de Paris."""
    settings.TIME_ZONE = "Europe/Paris"
    instant = datetime.datetime(2024, 6, 14, 22, 30, tzinfo=datetime.UTC)
    assert rgpd.en_date(instant) == datetime.date(2024, 6, 15)
    assert rgpd.en_date(datetime.datetime(2024, 6, 14, 23, 59)) == datetime.date(2024, 6, 14)
    assert rgpd.en_date(datetime.date(2024, 6, 14)) == datetime.date(2024, 6, 14)
    assert rgpd.en_date(None) is None

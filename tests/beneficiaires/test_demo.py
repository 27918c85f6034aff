import pytest
from django.db.models import F

from beneficiaires.demo import beneficiaires
from beneficiaires.models import Beneficiaire, Evaluation, Foyer, StatutParcours
from comptes.demo import comptes
from comptes.models import User
from referentiel.demo import communes

pytestmark = pytest.mark.django_db


def test_demo_petite_idempotente_et_coherente():
    sortie = []
    communes(echelle="petite", graine=2017, sortie=sortie.append)
    comptes(echelle="petite", graine=2017, sortie=sortie.append)
    beneficiaires(echelle="petite", graine=2017, sortie=sortie.append)
    assert Foyer.objects.count() == 150 and Beneficiaire.objects.count() == 300
    assert all(Foyer.objects.filter(etat_droit__in=[2, 3, 4]).values_list("pk", flat=True))
    # Le compte « referent » suit des personnes d'Orléans et de Montargis, et elles sont dans ses bassins.
    referent = User.objects.get(username="referent")
    bassins = set(Beneficiaire.objects.filter(referent=referent).values_list("commune__bassin_emploi__nom", flat=True))
    assert bassins == {"Orléans", "Montargis"}
    # Chaque personne « en parcours » a son profil courant, la dernière évaluation réalisée.
    en_parcours = Beneficiaire.objects.filter(statut_parcours=StatutParcours.EN_PARCOURS)
    assert en_parcours.exists()
    assert not en_parcours.filter(evaluation_courante__isnull=True).exists()
    assert not en_parcours.exclude(evaluation_courante__statut=Evaluation.Statut.REALISEE).exists()
    # La date de l'évaluation en vigueur, tenue sur la personne, est celle de son évaluation en vigueur.
    evaluees = Beneficiaire.objects.filter(evaluation_courante__isnull=False)
    assert evaluees.exists()
    assert evaluees.filter(date_evaluation_courante=F("evaluation_courante__date")).count() == evaluees.count()
    assert not Beneficiaire.objects.filter(evaluation_courante__isnull=True, date_evaluation_courante__isnull=False)
    assert not Beneficiaire.objects.filter(recherche="").exists()
    avant = (Foyer.objects.count(), Beneficiaire.objects.count(), Evaluation.objects.count(), User.objects.count())
    beneficiaires(echelle="petite", graine=2017, sortie=sortie.append)
    assert (
        Foyer.objects.count(),
        Beneficiaire.objects.count(),
        Evaluation.objects.count(),
        User.objects.count(),
    ) == avant

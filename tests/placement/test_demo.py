"""Démonstration du placement : marché, lots de 600 places, comptes prestataires, flux ; idempotente."""

import pytest
from django.core.exceptions import ValidationError

from comptes.models import Role, User
from comptes.services import MOT_DE_PASSE_DEMO, comptes_demo_creer
from placement import demo, services
from placement.models import Lot, Marche, Orientation, ResultatPaye
from referentiel.demo import structures
from tests.beneficiaires.factories import BeneficiaireFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def referentiel_demo(bassins):
    structures(echelle="petite", graine=1, sortie=lambda _: None)
    comptes_demo_creer()


def lancer():
    lignes = []
    demo.placement(echelle="petite", graine=2017, sortie=lignes.append)
    return lignes


def test_sans_beneficiaire_marche_et_lots_seulement(referentiel_demo):
    lignes = lancer()
    assert Marche.objects.count() == 1
    assert Lot.objects.count() == 4
    assert sum(Lot.objects.values_list("capacite", flat=True)) == 600
    assert not Orientation.objects.exists()
    assert any("aucun bénéficiaire" in ligne for ligne in lignes)


def test_comptes_prestataires_rattaches(referentiel_demo):
    lancer()
    p1, p2 = User.objects.get(username="prestataire"), User.objects.get(username="prestataire2")
    assert (p1.role, p1.structure.nom) == (Role.PRESTATAIRE, "Insertion Emploi Centre")
    assert (p2.role, p2.structure.nom) == (Role.PRESTATAIRE, "Trajectoires Placement 45")
    assert p2.check_password(MOT_DE_PASSE_DEMO)


def test_comptes_refuses_hors_developpement(referentiel_demo, settings):
    settings.DEMO_AUTORISEE = False
    with pytest.raises(ValidationError):
        services.comptes_prestataires_demo_rattacher()


def test_flux_realiste_et_idempotent(referentiel_demo, bassins):
    for nom in bassins:
        for _ in range(12):
            BeneficiaireFactory(commune=bassins[nom].commune_test)
    lancer()
    nb = Orientation.objects.count()
    assert nb == 48
    statuts = set(Orientation.objects.values_list("statut", flat=True))
    assert {"acceptee", "en_accompagnement", "sortie"} & statuts
    assert ResultatPaye.objects.filter(nature="entree").exists()
    for lot in Lot.objects.avec_occupation():
        assert lot.places_occupees <= lot.capacite
    lancer()
    assert Orientation.objects.count() == nb
    assert Lot.objects.count() == 4 and Marche.objects.count() == 1
    assert User.objects.filter(username__startswith="prestataire").count() == 2

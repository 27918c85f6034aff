import pytest

from forums.demo import TITRE_PROPRETE, forums
from forums.models import Forum, OffreEmploi, Participation
from forums.selecteurs import bilan_forum
from referentiel.demo import structures
from tests.beneficiaires.factories import BeneficiaireFactory

pytestmark = pytest.mark.django_db


def lancer():
    lignes = []
    forums(echelle="petite", graine=2017, sortie=lignes.append)
    return lignes


@pytest.fixture
def socle(bassins, admin_user):
    structures(echelle="petite", graine=2017, sortie=lambda _: None)
    return bassins


def test_demo_forum_de_la_proprete_tenu_a_montargis_idempotente(socle):
    for _ in range(40):
        BeneficiaireFactory(commune=socle["Montargis"].commune_test)
    for _ in range(10):
        BeneficiaireFactory(commune=socle["Gien"].commune_test)
    lancer()
    proprete = Forum.objects.get(titre=TITRE_PROPRETE)
    assert proprete.statut == Forum.Statut.TENU
    assert proprete.commune.bassin_emploi == socle["Montargis"]
    assert proprete.exposants.count() >= 10
    assert sum(OffreEmploi.objects.filter(exposant__forum=proprete).values_list("nombre_postes", flat=True)) == 60
    bilan = bilan_forum(proprete)
    assert bilan["presents"] > 0 and bilan["entretiens"] > 0 and bilan["embauches"] > 0
    assert bilan["places_prises"] <= proprete.capacite
    assert Forum.objects.filter(statut=Forum.Statut.INSCRIPTIONS_OUVERTES).exists()
    avant = (Forum.objects.count(), Participation.objects.count(), OffreEmploi.objects.count())

    lignes = lancer()
    assert (Forum.objects.count(), Participation.objects.count(), OffreEmploi.objects.count()) == avant
    assert "0 créé," in lignes[-1]


def test_demo_sans_beneficiaires(socle):
    lignes = lancer()
    assert Forum.objects.count() == 5
    assert not Participation.objects.exists()
    assert Forum.objects.get(titre=TITRE_PROPRETE).statut == Forum.Statut.TENU
    assert "aucun bénéficiaire" in lignes[-1]

import datetime

import pytest

from contrats.demo import contrats as generer
from contrats.models import ContratAide, Enveloppe, Statut
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.referentiel.factories import StructureFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def monde(bassins):
    for bassin in bassins.values():
        StructureFactory(commune_employeur=True, commune=bassin.commune_test, nom=f"Commune de {bassin.nom}")
        StructureFactory(commune=bassin.commune_test)
        UserFactory(referent=True, bassins=[bassin])
    StructureFactory(type="epci", commune=bassins["Orléans"].commune_test)
    StructureFactory(entreprise=True)
    noms = list(bassins)
    for i in range(90):
        BeneficiaireFactory(commune=bassins[noms[i % 4]].commune_test)
    return bassins


def test_demo_reproduit_le_lancement_et_est_idempotente(monde):
    messages = []
    generer(echelle="petite", graine=2017, sortie=messages.append)
    decembre = ContratAide.objects.signes().filter(
        date_signature__gte=D(2017, 12, 1), date_signature__lte=D(2017, 12, 31)
    )
    assert decembre.count() == 52
    assert decembre.filter(employeur__type="commune").count() == 9
    assert not ContratAide.objects.filter(employeur__secteur="marchand").exists()
    assert ContratAide.objects.filter(date_signature__year=2018).exists()
    assert Enveloppe.objects.filter(annee__in=[2017, 2018]).count() == 2
    for annee, enveloppe in Enveloppe.objects.values_list("annee", "nombre_contrats"):
        assert ContratAide.objects.signes().filter(date_signature__year=annee).count() <= enveloppe
    assert ContratAide.objects.filter(statut__in=[Statut.TERMINE, Statut.ROMPU]).exists()
    total = ContratAide.objects.count()
    generer(echelle="petite", graine=2017, sortie=messages.append)
    assert ContratAide.objects.count() == total
    assert "déjà présents" in messages[-1]


def test_demo_sans_beneficiaires_s_arrete_avec_un_message(bassins):
    messages = []
    generer(echelle="petite", graine=2017, sortie=messages.append)
    assert not ContratAide.objects.exists()
    assert "au moins 52" in messages[-1]

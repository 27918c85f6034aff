"""Garanties sous concurrence réelle (PostgreSQL) : enveloppe, numéros de convention, chevauchement."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from contrats import services
from contrats.models import ContratAide, Statut
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.concurrence import en_parallele

from .factories import ContratAideFactory, EnveloppeFactory

D = datetime.date
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _signer(pk):
    contrat = ContratAide.objects.get(pk=pk)
    return services.contrat_signer(contrat=contrat, par=None, date_signature=D(2018, 1, 1))


def test_enveloppe_tient_sous_signatures_simultanees(postgresql_requis):
    EnveloppeFactory(annee=2018, nombre_contrats=5)
    pks = [ContratAideFactory().pk for _ in range(20)]
    resultats = en_parallele(lambda i: _signer(pks[i]), n=20)
    reussites = [r for r in resultats if isinstance(r, ContratAide)]
    refus = [r for r in resultats if isinstance(r, ValidationError)]
    assert len(reussites) == 5
    assert len(refus) == 15
    assert all("épuisée" in " ".join(r.messages) for r in refus)
    assert ContratAide.objects.filter(statut=Statut.SIGNE).count() == 5


def test_numeros_uniques_et_continus_sous_signatures_simultanees(postgresql_requis, settings):
    settings.DEPARTEMENT_CODE = "45"
    EnveloppeFactory(annee=2018, nombre_contrats=100)
    pks = [ContratAideFactory().pk for _ in range(20)]
    resultats = en_parallele(lambda i: _signer(pks[i]), n=20)
    assert all(isinstance(r, ContratAide) for r in resultats), resultats
    numeros = sorted(ContratAide.objects.values_list("numero_convention", flat=True))
    assert numeros == [f"CAE-45-2018-{n:05d}" for n in range(1, 21)]


def test_une_personne_deux_signatures_simultanees_une_seule_passe(postgresql_requis):
    EnveloppeFactory(annee=2018, nombre_contrats=100)
    benef = BeneficiaireFactory()
    pks = [ContratAideFactory(beneficiaire=benef).pk for _ in range(6)]
    resultats = en_parallele(lambda i: _signer(pks[i]), n=6)
    assert sum(isinstance(r, ContratAide) for r in resultats) == 1
    assert ContratAide.objects.signes().filter(beneficiaire=benef).count() == 1


def test_contrainte_d_exclusion_postgresql(postgresql_requis):
    """Même en contournant le service, la base refuse deux conventions signées qui se chevauchent."""
    assert connection.vendor == "postgresql"
    benef = BeneficiaireFactory()
    ContratAideFactory(beneficiaire=benef, signe=True)
    with pytest.raises(IntegrityError):
        ContratAideFactory(beneficiaire=benef, signe=True, date_debut=D(2018, 6, 1), date_fin=D(2018, 12, 31))

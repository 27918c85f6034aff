"""Fixtures du placement : deux prestataires, chacun avec un lot, et leurs comptes."""

import pytest

from tests.beneficiaires.factories import BeneficiaireFactory, EvaluationFactory
from tests.comptes.factories import UserFactory
from tests.placement.factories import LotFactory, MarcheFactory
from tests.referentiel.factories import StructureFactory


@pytest.fixture
def marche(db):
    return MarcheFactory(reference="2017-PLACEMENT")


@pytest.fixture
def prestataire_a(db):
    return StructureFactory(prestataire=True, nom="Insertion Emploi Centre")


@pytest.fixture
def prestataire_b(db):
    return StructureFactory(prestataire=True, nom="Trajectoires Placement")


@pytest.fixture
def lot_orleans(marche, bassins, prestataire_a):
    return LotFactory(marche=marche, numero=1, prestataire=prestataire_a, bassins=[bassins["Orléans"]], capacite=10)


@pytest.fixture
def lot_gien(marche, bassins, prestataire_b):
    return LotFactory(marche=marche, numero=2, prestataire=prestataire_b, bassins=[bassins["Gien"]], capacite=10)


@pytest.fixture
def agent_a(prestataire_a):
    return UserFactory(prestataire=True, structure=prestataire_a, username="agent.a")


@pytest.fixture
def agent_b(prestataire_b):
    return UserFactory(prestataire=True, structure=prestataire_b, username="agent.b")


@pytest.fixture
def personne(bassins):
    """Une personne du bassin d'Orléans, avec une évaluation réalisée."""
    b = BeneficiaireFactory(commune=bassins["Orléans"].commune_test, telephone="0601020304")
    evaluation = EvaluationFactory(
        beneficiaire=b,
        metiers_vises="Agent d'entretien\nAide à domicile",
        frein_mobilite=2,
        synthese="SYNTHESE-CONFIDENTIELLE",
    )
    b.evaluation_courante = evaluation
    b.save()
    return b

"""Capacité d'un lot et orientation unique sous accès simultanés : garanties vérifiées sur PostgreSQL."""

import pytest
from django.core.exceptions import ValidationError

from placement import services
from placement.models import Orientation
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.concurrence import en_parallele
from tests.placement.factories import LotFactory
from tests.placement.outils import J0, orienter
from tests.referentiel.factories import BassinFactory, CommuneFactory, StructureFactory

N = 10
PLACES_RESTANTES = 3


@pytest.fixture
def lot_presque_plein(db):
    bassin = BassinFactory(nom="Orléans")
    commune = CommuneFactory(bassin_emploi=bassin)
    structure = StructureFactory(prestataire=True)
    lot = LotFactory(prestataire=structure, bassins=[bassin], capacite=5)
    referent = UserFactory(referent=True, bassins=[bassin])
    agent = UserFactory(prestataire=True, structure=structure)
    # 2 places déjà prises : il en reste 3.
    for _ in range(lot.capacite - PLACES_RESTANTES):
        o = orienter(BeneficiaireFactory(commune=commune), referent)
        services.orientation_accepter(orientation=o, par=agent, date=J0)
    en_attente = [orienter(BeneficiaireFactory(commune=commune), referent) for _ in range(N)]
    return lot, agent, en_attente, referent, commune


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_n_acceptations_simultanees_k_places(postgresql_requis, lot_presque_plein):
    lot, agent, en_attente, _, _ = lot_presque_plein
    resultats = en_parallele(
        lambda i: services.orientation_accepter(orientation=en_attente[i], par=agent, date=J0), n=N
    )
    reussites = [r for r in resultats if not isinstance(r, Exception)]
    echecs = [r for r in resultats if isinstance(r, Exception)]
    assert len(reussites) == PLACES_RESTANTES
    assert all(isinstance(e, ValidationError) and "capacité" in str(e) for e in echecs), echecs
    occupees = Orientation.objects.filter(lot=lot, statut__in=Orientation.STATUTS_OCCUPANT).count()
    assert occupees == lot.capacite


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_propositions_simultanees_pour_une_personne(postgresql_requis, lot_presque_plein):
    _, _, _, referent, commune = lot_presque_plein
    personne = BeneficiaireFactory(commune=commune)
    resultats = en_parallele(lambda i: services.orientation_proposer(beneficiaire=personne, par=referent, date=J0), n=8)
    assert sum(1 for r in resultats if not isinstance(r, Exception)) == 1
    assert all(isinstance(r, ValidationError) for r in resultats if isinstance(r, Exception))
    assert Orientation.objects.filter(beneficiaire=personne).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_declarations_simultanees_d_un_resultat(postgresql_requis, lot_presque_plein):
    """Le même résultat déclaré plusieurs fois à la fois : une seule déclaration, les autres refusées en français
    (verrou sur l'orientation, puis relecture)."""
    from placement.models import ResultatPaye
    from tests.placement.outils import declarer

    _, agent, en_attente, _, _ = lot_presque_plein
    o = en_attente[0]
    services.orientation_accepter(orientation=o, par=agent, date=J0)
    services.orientation_demarrer_accompagnement(orientation=o, par=agent, date=J0)
    resultats = en_parallele(lambda i: declarer(o, agent, "entree"), n=6)
    assert sum(1 for r in resultats if isinstance(r, ResultatPaye)) == 1
    assert all(isinstance(r, ValidationError) for r in resultats if not isinstance(r, ResultatPaye)), resultats
    assert ResultatPaye.objects.filter(orientation=o).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_validations_simultanees_d_un_resultat(postgresql_requis, lot_presque_plein):
    from placement.models import ResultatPaye
    from tests.placement.outils import declarer

    _, agent, en_attente, _, _ = lot_presque_plein
    o = en_attente[0]
    services.orientation_accepter(orientation=o, par=agent, date=J0)
    services.orientation_demarrer_accompagnement(orientation=o, par=agent, date=J0)
    r = declarer(o, agent, "entree")
    verificateurs = [UserFactory(pilotage=True) for _ in range(6)]
    resultats = en_parallele(lambda i: services.resultat_valider(resultat=r, par=verificateurs[i]), n=6)
    assert sum(1 for x in resultats if isinstance(x, ResultatPaye)) == 1
    assert all(isinstance(x, ValidationError) for x in resultats if not isinstance(x, ResultatPaye)), resultats
    assert r.history.filter(statut="valide").count() == 1

"""Concurrence réelle (PostgreSQL) pour les règles que les applications ne testaient pas encore ainsi :
double clic sur « confirmer l'import », cessions simultanées d'un même véhicule, et deux passages simultanés de
la commande de conservation."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from beneficiaires.models import Beneficiaire, ImportBeneficiaires
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.concurrence import en_parallele
from tests.referentiel.factories import BassinFactory, CommuneFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CSV = (
    "numéro allocataire;organisme;état du droit;rôle;nom;prénoms;date de naissance;code postal;commune\r\n"
    "7000001;CAF;2;DEM;MARTIN;Sophie;14/03/1984;45000;Orléans\r\n"
    "7000001;CAF;2;CJT;MARTIN;Paul;02/05/1982;45000;Orléans\r\n"
    "7000002;CAF;2;DEM;DURAND;Lina;30/11/1990;45000;Orléans\r\n"
).encode()


def test_double_confirmation_d_un_import_n_importe_qu_une_fois(postgresql_requis):
    from beneficiaires import services

    CommuneFactory(code_insee="45234", nom="Orléans", codes_postaux="45000", bassin_emploi=BassinFactory())
    admin = UserFactory(administrateur=True)
    depot = services.import_deposer(par=admin, fichier_nom="liste.csv", contenu=CSV, source="CAF Loiret")
    resultats = en_parallele(lambda i: services.import_confirmer(depot=depot, par=admin), n=6)
    reussites = [r for r in resultats if not isinstance(r, Exception)]
    refus = [r for r in resultats if isinstance(r, Exception)]
    assert len(reussites) == 1, resultats
    assert all(isinstance(r, ValidationError) and "déjà été importé" in " ".join(r.messages) for r in refus)
    assert Beneficiaire.objects.count() == 3
    assert Beneficiaire.history.count() == 3
    assert ImportBeneficiaires.objects.get().statut == ImportBeneficiaires.Statut.IMPORTE


def test_cessions_simultanees_d_un_vehicule_une_seule_passe(postgresql_requis):
    from mobilite import services
    from mobilite.models import Cession, StatutVehicule
    from tests.mobilite.factories import ConventionFactory, VehiculeFactory

    vehicule = VehiculeFactory()
    services.vehicule_declasser(vehicule=vehicule, date=datetime.date(2025, 1, 10))
    conventions = [ConventionFactory() for _ in range(4)]

    def ceder(i):
        return services.vehicule_ceder(
            vehicule=vehicule,
            convention=conventions[i % 4],
            date=datetime.date(2025, 2, 1),
            kilometrage=60_000,
            valeur_comptable=Decimal("500.00"),
        )

    resultats = en_parallele(ceder, n=8)
    assert sum(isinstance(r, Cession) for r in resultats) == 1, resultats
    refus = [r for r in resultats if not isinstance(r, Cession)]
    assert all(isinstance(r, ValidationError) and "déjà été cédé" in " ".join(r.messages) for r in refus), refus
    assert Cession.objects.count() == 1
    vehicule.refresh_from_db()
    assert vehicule.statut == StatutVehicule.CEDE


def test_deux_passages_simultanes_de_la_conservation(postgresql_requis):
    from beneficiaires.rgpd import conservation_appliquer

    personnes = BeneficiaireFactory.create_batch(30)
    ancien = datetime.datetime(2019, 1, 1, 12, tzinfo=datetime.UTC)
    ids = [p.pk for p in personnes]
    Beneficiaire.objects.filter(pk__in=ids).update(date_creation=ancien)
    Beneficiaire.history.model.objects.filter(id__in=ids).update(history_date=ancien)
    resultats = en_parallele(lambda i: conservation_appliquer(taille_lot=7), n=3)
    assert not [r for r in resultats if isinstance(r, Exception)], resultats
    # Chaque personne est anonymisée une fois, par un seul des passages.
    traitees = sorted(pk for r in resultats for pk in r["personnes"])
    assert traitees == sorted(ids)
    assert Beneficiaire.objects.filter(date_anonymisation__isnull=False).count() == 30
    assert Beneficiaire.history.model.objects.filter(history_change_reason__startswith="Anonymisation").count() == 30

"""Garanties propres à PostgreSQL : la contrainte d'exclusion et le verrou de ligne du véhicule."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from mobilite import services
from mobilite.models import Location, StatutLocation
from tests.concurrence import en_parallele
from tests.mobilite.factories import LocationFactory, VehiculeFactory, personne

J = datetime.date(2030, 6, 10)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_vingt_reservations_simultanees_donnent_une_seule_location(postgresql_requis):
    vehicule = VehiculeFactory()
    personnes = [personne() for _ in range(20)]

    def reserver(i):
        return services.location_reserver(
            vehicule=vehicule,
            beneficiaire=personnes[i],
            debut=J,
            fin=J + datetime.timedelta(days=3),
            motif="nouvel_emploi",
        )

    resultats = en_parallele(reserver, n=20)
    reussites = [r for r in resultats if isinstance(r, Location)]
    echecs = [r for r in resultats if isinstance(r, Exception)]
    assert len(reussites) == 1
    assert len(echecs) == 19 and all(isinstance(e, ValidationError) for e in echecs)
    assert Location.objects.filter(vehicule=vehicule).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_vingt_reservations_simultanees_chevauchantes_sans_verrou_applicatif(postgresql_requis, monkeypatch):
    """Même sans le verrou du service, la base refuse les chevauchements (contrainte d'exclusion)."""
    vehicule = VehiculeFactory()
    personnes = [personne() for _ in range(20)]
    monkeypatch.setattr(services, "_verrouiller_vehicule", lambda v: type(v).objects.get(pk=v.pk))

    def reserver(i):
        return services.location_reserver(
            vehicule=vehicule,
            beneficiaire=personnes[i],
            debut=J + datetime.timedelta(days=i % 3),
            fin=J + datetime.timedelta(days=5),
            motif="nouvel_emploi",
        )

    resultats = en_parallele(reserver, n=20)
    assert sum(1 for r in resultats if isinstance(r, Location)) == 1
    assert Location.objects.filter(vehicule=vehicule).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_la_contrainte_seule_refuse_un_chevauchement_hors_service(postgresql_requis):
    vehicule = VehiculeFactory()
    LocationFactory(vehicule=vehicule, debut=J, fin=J + datetime.timedelta(days=4))
    # Fin le jour où l'autre commence : chevauchement (jours entiers, bornes comprises).
    with pytest.raises(IntegrityError, match="location_sans_chevauchement"), transaction.atomic():
        LocationFactory(vehicule=vehicule, debut=J - datetime.timedelta(days=2), fin=J)
    # Le lendemain : accepté.
    LocationFactory(vehicule=vehicule, debut=J + datetime.timedelta(days=5), fin=J + datetime.timedelta(days=6))
    # Une location annulée ne bloque pas.
    LocationFactory(vehicule=vehicule, debut=J, fin=J, statut=StatutLocation.ANNULEE)
    # Un autre véhicule : accepté.
    LocationFactory(debut=J, fin=J + datetime.timedelta(days=4))
    assert Location.objects.filter(vehicule=vehicule).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db
def test_reactiver_une_annulee_chevauchante_refuse_par_la_base(postgresql_requis):
    vehicule = VehiculeFactory()
    annulee = LocationFactory(vehicule=vehicule, debut=J, fin=J, statut=StatutLocation.ANNULEE)
    LocationFactory(vehicule=vehicule, debut=J, fin=J)
    with pytest.raises(IntegrityError), transaction.atomic():
        Location.objects.filter(pk=annulee.pk).update(statut=StatutLocation.RESERVEE)


@pytest.mark.django_db
def test_la_contrainte_n_existe_que_sur_postgresql():
    with connection.cursor() as curseur:
        contraintes = connection.introspection.get_constraints(curseur, "mobilite_location")
    assert ("location_sans_chevauchement" in contraintes) == (connection.vendor == "postgresql")

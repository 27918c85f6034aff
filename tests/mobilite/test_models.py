"""Les contraintes nommées tiennent en base, même hors des services, avec leur message en français."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mobilite.models import (
    Location,
    StatutLocation,
    StatutVehicule,
    Vehicule,
    normaliser_immatriculation,
    valider_immatriculation,
)
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.mobilite.factories import ConventionFactory, LocationFactory, MaintenanceFactory, VehiculeFactory

pytestmark = pytest.mark.django_db
J = datetime.date(2030, 6, 10)


@pytest.mark.parametrize(
    "saisie,attendu", [("ab123cd", "AB-123-CD"), (" ab-123-cd ", "AB-123-CD"), ("AB 123 CD", "AB-123-CD")]
)
def test_normaliser_immatriculation(saisie, attendu):
    assert normaliser_immatriculation(saisie) == attendu


@pytest.mark.parametrize("plaque", ["AB-123-CD", "ZZ-999-HJ", "GH-001-TV"])
def test_immatriculations_valides(plaque):
    assert valider_immatriculation(plaque) is None


@pytest.mark.parametrize(
    "plaque", ["ab-123-cd", "AU-123-CD", "AB-123-IO", "AB-123", "AB-1234-CD", "WW-123-AB", "AB-000-CD", "SS-123-AB"]
)
def test_immatriculations_invalides(plaque):
    with pytest.raises(ValidationError):
        valider_immatriculation(plaque)


def assert_viole(fabrique, message, **kwargs):
    objet = fabrique.build(**kwargs)
    with pytest.raises(ValidationError) as exc:
        objet.full_clean()
    assert message in " ".join(exc.value.messages)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(objet).objects.bulk_create([objet])


VEILLE = J - datetime.timedelta(days=1)


def _liens():
    return {"vehicule": VehiculeFactory(), "beneficiaire": BeneficiaireFactory()}


def test_location_dates_ordonnees():
    assert_viole(LocationFactory, "La fin de la location ne peut précéder son début.", debut=J, fin=VEILLE, **_liens())


def test_location_km_retour_superieur_au_depart():
    assert_viole(
        LocationFactory,
        "Le kilométrage au retour ne peut être inférieur",
        restituee=True,
        km_depart=1000,
        km_retour=999,
        **_liens(),
    )


def test_location_remise_porte_le_kilometrage():
    assert_viole(
        LocationFactory,
        "Une location remise porte le kilométrage au départ.",
        **_liens(),
        statut=StatutLocation.EN_COURS,
    )


def test_location_montants_positifs():
    assert_viole(LocationFactory, "ne peuvent pas être négatifs", montant_du=Decimal("-1"), **_liens())


def test_maintenance_dates_ordonnees():
    assert_viole(
        MaintenanceFactory,
        "La fin de la maintenance ne peut précéder son début.",
        vehicule=VehiculeFactory(),
        debut=J,
        fin=J - datetime.timedelta(1),
    )


def test_convention_dates_ordonnees():
    from tests.referentiel.factories import StructureFactory

    assert_viole(
        ConventionFactory,
        "La fin de la convention ne peut précéder son début.",
        partenaire=StructureFactory(partenaire=True),
        debut=J,
        fin=J - datetime.timedelta(1),
    )


def test_vehicule_immatriculation_unique_et_majuscules():
    VehiculeFactory(immatriculation="AB-123-CD")
    with pytest.raises(ValidationError) as exc:
        VehiculeFactory.build(
            immatriculation="AB-123-CD",
            commune=Vehicule.objects.get().commune,
            partenaire=Vehicule.objects.get().partenaire,
        ).full_clean()
    assert "Un véhicule porte déjà cette immatriculation." in exc.value.messages
    with pytest.raises(IntegrityError), transaction.atomic():
        Vehicule.objects.filter(immatriculation="AB-123-CD").update(immatriculation="ab-123-cd")


def test_vehicule_declasse_porte_sa_date():
    v = VehiculeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Vehicule.objects.filter(pk=v.pk).update(statut=StatutVehicule.DECLASSE)


def test_vehicule_prix_positif():
    v = VehiculeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Vehicule.objects.filter(pk=v.pk).update(prix_journalier=Decimal("-1"))


def test_historique_des_locations():
    loc = LocationFactory()
    Location.objects.get(pk=loc.pk)
    assert loc.history.count() == 1 and loc.vehicule.history.count() == 1

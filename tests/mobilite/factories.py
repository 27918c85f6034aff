import datetime
from decimal import Decimal

import factory

from mobilite.models import (
    LETTRES_SIV,
    ConventionCession,
    Location,
    MotifLocation,
    PeriodeMaintenance,
    StatutLocation,
    TypeVehicule,
    Vehicule,
)
from tests.beneficiaires.factories import BeneficiaireFactory, EvaluationFactory
from tests.referentiel.factories import CommuneFactory, StructureFactory


def plaque(n):
    gauche = LETTRES_SIV[(n // 23) % 23] + LETTRES_SIV[n % 23]
    droite = LETTRES_SIV[(n // 529) % 23] + LETTRES_SIV[(n * 7) % 23]
    if gauche in ("SS", "WW"):
        gauche = "AB"
    if droite == "SS":
        droite = "ST"
    return f"{gauche}-{n % 999 + 1:03d}-{droite}"


class VehiculeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicule

    immatriculation = factory.Sequence(plaque)
    type = TypeVehicule.VOITURE
    marque = "Renault"
    modele = "Clio"
    date_premiere_immatriculation = datetime.date(2015, 3, 1)
    kilometrage = 50_000
    commune = factory.SubFactory(CommuneFactory)
    partenaire = factory.SubFactory(StructureFactory, partenaire=True)
    prix_journalier = Decimal("1.00")
    depot_garantie = Decimal("150.00")
    date_entree_flotte = datetime.date(2020, 1, 1)

    class Params:
        vsp = factory.Trait(type=TypeVehicule.VSP, marque="Aixam", modele="City")
        deux_roues = factory.Trait(type=TypeVehicule.DEUX_ROUES, marque="Peugeot", modele="Kisbee")


class LocationFactory(factory.django.DjangoModelFactory):
    """Location posée directement en base (mise en place des tests) ; les tests de règles passent par les services."""

    class Meta:
        model = Location

    beneficiaire = factory.SubFactory(BeneficiaireFactory)
    vehicule = factory.SubFactory(VehiculeFactory)
    debut = datetime.date(2030, 6, 1)
    fin = datetime.date(2030, 6, 5)
    motif = MotifLocation.NOUVEL_EMPLOI
    prix_journalier = factory.SelfAttribute("vehicule.prix_journalier")
    depot_garantie = factory.SelfAttribute("vehicule.depot_garantie")
    statut = StatutLocation.RESERVEE

    class Params:
        en_cours = factory.Trait(statut=StatutLocation.EN_COURS, km_depart=50_000, carburant_depart=4)
        restituee = factory.Trait(
            statut=StatutLocation.RESTITUEE,
            km_depart=50_000,
            carburant_depart=4,
            km_retour=50_300,
            carburant_retour=4,
            date_retour=factory.SelfAttribute("fin"),
        )
        annulee = factory.Trait(statut=StatutLocation.ANNULEE)


class MaintenanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeriodeMaintenance

    vehicule = factory.SubFactory(VehiculeFactory)
    debut = datetime.date(2030, 7, 1)
    fin = datetime.date(2030, 7, 3)
    motif = "Révision"


class ConventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConventionCession

    partenaire = factory.SubFactory(StructureFactory, partenaire=True)
    debut = datetime.date(2024, 1, 1)
    fin = datetime.date(2027, 12, 31)
    date_signature = datetime.date(2024, 1, 10)

    class Params:
        non_signee = factory.Trait(date_signature=None)


def personne(
    *, commune=None, naissance=datetime.date(1985, 6, 15), permis_b=True, permis_am=False, evaluation=True, **kwargs
):
    """Une personne avec (ou sans) évaluation en vigueur portant ses permis."""
    options = {"date_naissance": naissance, **kwargs}
    if commune is not None:
        options["commune"] = commune
    b = BeneficiaireFactory(**options)
    if evaluation:
        ev = EvaluationFactory(beneficiaire=b, permis_b=permis_b, permis_am=permis_am)
        b.evaluation_courante = ev
        b.save(update_fields=["evaluation_courante"])
    return b

import datetime
from decimal import Decimal

import factory

from placement.models import Lot, Marche
from tests.referentiel.factories import StructureFactory


class MarcheFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Marche
        django_get_or_create = ("reference",)

    reference = factory.Sequence(lambda n: f"MARCHE-{n}")
    intitule = "Accompagnement vers l'emploi"
    date_debut = datetime.date(2017, 12, 1)
    date_fin = datetime.date(2030, 12, 31)


class LotFactory(factory.django.DjangoModelFactory):
    """`LotFactory(bassins=[...])` : le lot couvre ces bassins sur toute la période du marché."""

    class Meta:
        model = Lot
        skip_postgeneration_save = True

    marche = factory.SubFactory(MarcheFactory)
    numero = factory.Sequence(lambda n: n + 1)
    prestataire = factory.SubFactory(StructureFactory, prestataire=True)
    date_debut = factory.SelfAttribute("marche.date_debut")
    date_fin = factory.SelfAttribute("marche.date_fin")
    capacite = 10
    prix_entree = Decimal("400.00")
    prix_sortie_positive = Decimal("1200.00")
    prix_maintien_6_mois = Decimal("800.00")

    @factory.post_generation
    def bassins(self, create, extracted, **kwargs):
        if create and extracted:
            self.bassins.set(extracted)

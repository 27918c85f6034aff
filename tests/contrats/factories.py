import datetime
from decimal import Decimal

import factory

from contrats.models import ContratAide, Enveloppe, Statut, TypeContrat
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.referentiel.factories import StructureFactory


class EnveloppeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enveloppe
        django_get_or_create = ("annee",)

    annee = 2018
    nombre_contrats = 100
    budget = Decimal("500000.00")


class ContratAideFactory(factory.django.DjangoModelFactory):
    """Un brouillon complet (signable) ; `signe=True` pose directement un état signé (sans service)."""

    class Meta:
        model = ContratAide

    beneficiaire = factory.SubFactory(BeneficiaireFactory)
    employeur = factory.SubFactory(StructureFactory)
    type = TypeContrat.PEC
    intitule_poste = "Agent d'entretien des espaces verts"
    metier_vise = "Jardinier"
    lieu_travail = factory.SelfAttribute("employeur.commune")
    date_debut = datetime.date(2018, 1, 1)
    date_fin = datetime.date(2018, 12, 31)
    heures_hebdomadaires = Decimal("20")
    taux_aide_etat = Decimal("60")
    tuteur_nom = "Jean Tuteur"
    tuteur_fonction = "Chef d'équipe"
    referent = factory.SubFactory(UserFactory, referent=True)
    actions_accompagnement = "Entretiens mensuels avec le référent"
    actions_formation = "Adaptation au poste par le tuteur"
    statut = Statut.BROUILLON

    class Params:
        signe = factory.Trait(
            statut=Statut.SIGNE,
            date_signature=factory.LazyAttribute(lambda o: o.date_debut),
            numero_convention=factory.Sequence(lambda n: f"CAE-45-T-{n:05d}"),
        )

import datetime

import factory
from django.utils import timezone

from forums.models import Entretien, Exposant, Forum, OffreEmploi, Participation, Secteur, TypeContrat
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.referentiel.factories import CommuneFactory, StructureFactory


class ForumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forum

    titre = factory.Sequence(lambda n: f"Forum {n}")
    secteur = Secteur.PROPRETE
    date = datetime.date(2018, 3, 15)
    heure_debut = datetime.time(9, 30)
    heure_fin = datetime.time(16, 30)
    adresse = "Salle des fêtes, 8 rue du Port"
    commune = factory.SubFactory(CommuneFactory)
    capacite = 100
    statut = Forum.Statut.INSCRIPTIONS_OUVERTES

    class Params:
        en_preparation = factory.Trait(statut=Forum.Statut.EN_PREPARATION)
        tenu = factory.Trait(statut=Forum.Statut.TENU)
        clos = factory.Trait(statut=Forum.Statut.CLOS)


class ExposantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exposant

    forum = factory.SubFactory(ForumFactory)
    structure = factory.SubFactory(StructureFactory, entreprise=True)
    stand = factory.Sequence(lambda n: f"{n}")
    contact_nom = "Mme Martin"


class OffreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OffreEmploi

    exposant = factory.SubFactory(ExposantFactory)
    intitule = "Agent de propreté"
    type_contrat = TypeContrat.CDI
    nombre_postes = 3


class ParticipationFactory(factory.django.DjangoModelFactory):
    """Participation posée directement (sans service) : `statut` au choix, cohérent avec les contraintes."""

    class Meta:
        model = Participation

    forum = factory.SubFactory(ForumFactory)
    beneficiaire = factory.SubFactory(BeneficiaireFactory)
    statut = Participation.Statut.INSCRIT
    date_invitation = factory.LazyFunction(timezone.now)
    date_inscription = factory.LazyFunction(timezone.now)

    class Params:
        invite = factory.Trait(statut=Participation.Statut.INVITE, date_inscription=None)
        present = factory.Trait(statut=Participation.Statut.PRESENT, date_pointage=factory.LazyFunction(timezone.now))
        absent = factory.Trait(statut=Participation.Statut.ABSENT)
        excuse = factory.Trait(statut=Participation.Statut.EXCUSE)


class EntretienFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entretien

    participation = factory.SubFactory(ParticipationFactory, present=True)
    exposant = factory.SubFactory(ExposantFactory, forum=factory.SelfAttribute("..participation.forum"))
    saisi_par = factory.SubFactory(UserFactory, administrateur=True)

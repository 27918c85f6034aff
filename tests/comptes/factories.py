import factory

from comptes.models import Role, User
from tests.referentiel.factories import StructureFactory


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Agent{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    role = Role.REFERENT
    password = factory.django.Password("mot-de-passe-de-test")

    class Params:
        administrateur = factory.Trait(role=Role.ADMINISTRATEUR, is_staff=True, is_superuser=True)
        pilotage = factory.Trait(role=Role.PILOTAGE)
        referent = factory.Trait(role=Role.REFERENT)
        prestataire = factory.Trait(
            role=Role.PRESTATAIRE, structure=factory.SubFactory(StructureFactory, prestataire=True)
        )
        agent_mobilite = factory.Trait(role=Role.AGENT_MOBILITE)

    @factory.post_generation
    def bassins(self, create, extracted, **kwargs):
        if create and extracted:
            self.bassins.set(extracted)

import factory
from stdnum import luhn

from referentiel.models import BassinEmploi, Commune, Structure


class BassinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BassinEmploi
        django_get_or_create = ("nom",)

    nom = factory.Sequence(lambda n: f"Bassin {n}")
    code = factory.LazyAttribute(lambda o: o.nom.lower().replace(" ", "-").replace("é", "e"))


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("code_insee",)

    code_insee = factory.Sequence(lambda n: f"45{n % 1000:03d}" if n < 1000 else f"{10000 + n:05d}"[-5:])
    nom = factory.Sequence(lambda n: f"Commune {n}")
    codes_postaux = "45000"
    population = 1000
    departement = "45"
    bassin_emploi = factory.SubFactory(BassinFactory)


def siret_valide(n):
    siren = f"{n:08d}"[-8:]
    siren += luhn.calc_check_digit(siren)
    corps = siren + "0001"
    return corps + luhn.calc_check_digit(corps)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    nom = factory.Sequence(lambda n: f"Structure {n}")
    type = Structure.Type.ASSOCIATION
    secteur = Structure.Secteur.NON_MARCHAND
    siret = factory.Sequence(lambda n: siret_valide(10_000_000 + n))
    commune = factory.SubFactory(CommuneFactory)

    class Params:
        commune_employeur = factory.Trait(type=Structure.Type.COMMUNE, secteur=Structure.Secteur.NON_MARCHAND)
        entreprise = factory.Trait(type=Structure.Type.ENTREPRISE, secteur=Structure.Secteur.MARCHAND)
        prestataire = factory.Trait(type=Structure.Type.PRESTATAIRE, secteur=Structure.Secteur.MARCHAND)
        partenaire = factory.Trait(type=Structure.Type.PARTENAIRE, secteur=Structure.Secteur.NON_MARCHAND)

import datetime

import factory

from beneficiaires.models import Beneficiaire, Evaluation, Foyer, Organisme, Role, StatutParcours
from tests.comptes.factories import UserFactory
from tests.referentiel.factories import CommuneFactory


class FoyerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Foyer

    numero_allocataire = factory.Sequence(lambda n: f"{1000000 + n}")
    organisme = Organisme.CAF
    etat_droit = 2
    date_ouverture_droit = datetime.date(2016, 5, 1)
    commune = factory.SubFactory(CommuneFactory)


class BeneficiaireFactory(factory.django.DjangoModelFactory):
    """`BeneficiaireFactory(commune=...)` place la personne (et son foyer) dans une commune, donc un bassin."""

    class Meta:
        model = Beneficiaire

    foyer = factory.SubFactory(FoyerFactory, commune=factory.SelfAttribute("..commune"))
    role = Role.DEM
    civilite = "MME"
    nom = factory.Sequence(lambda n: f"Nom{n}")
    prenoms = factory.Sequence(lambda n: f"Prénom{n}")
    date_naissance = datetime.date(1985, 6, 15)
    soumis_droits_devoirs = True
    commune = factory.SubFactory(CommuneFactory)
    statut_parcours = StatutParcours.A_EVALUER
    recherche = factory.LazyAttribute(lambda o: f"{o.nom} {o.prenoms}".lower())

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        obj.calculer_recherche()
        obj.save()
        return obj


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evaluation

    beneficiaire = factory.SubFactory(BeneficiaireFactory)
    date = datetime.date(2017, 11, 15)
    evaluateur = factory.SubFactory(UserFactory, referent=True)
    statut = Evaluation.Statut.REALISEE
    metiers_vises = "Agent d'entretien"
    permis_b = True

    class Params:
        prevue = factory.Trait(statut=Evaluation.Statut.PREVUE)


def en_vigueur(evaluation):
    """Fait de `evaluation` l'évaluation en vigueur de sa personne, sa date avec elle, comme le service qui
    réalise une évaluation (`_rafraichir_profil`), sans ses contrôles."""
    Beneficiaire.objects.filter(pk=evaluation.beneficiaire_id).update(
        evaluation_courante=evaluation, date_evaluation_courante=evaluation.date
    )
    return evaluation

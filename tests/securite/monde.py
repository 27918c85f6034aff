"""Un petit monde complet pour les tests transversaux (matrice d'accès, entrées hostiles, échappement) :
deux bassins, un compte par rôle (plus un référent d'un autre bassin et un prestataire d'une autre structure),
et au moins un objet de chaque sorte, construit avec les fabriques des applications."""

import datetime
from dataclasses import dataclass, field

from django.apps import apps

from commun.services import progression_demarrer
from tests.beneficiaires.factories import BeneficiaireFactory, EvaluationFactory
from tests.comptes.factories import UserFactory
from tests.referentiel.factories import StructureFactory

# Ordre des colonnes de la matrice.
ROLES = (
    "anonyme",
    "administrateur",
    "pilotage",
    "referent",
    "referent_autre",
    "prestataire",
    "prestataire_autre",
    "agent_mobilite",
)


@dataclass
class Monde:
    users: dict
    objets: dict = field(default_factory=dict)

    def __getattr__(self, nom):
        try:
            return self.__dict__["objets"][nom]
        except KeyError:
            raise AttributeError(nom) from None


def construire(bassins):
    """`bassins` : la fixture du conftest (4 bassins, chacun avec sa commune `commune_test`)."""
    orleans, gien = bassins["Orléans"], bassins["Gien"]
    structure_a = StructureFactory(prestataire=True, nom="Prestataire A", commune=orleans.commune_test)
    structure_b = StructureFactory(prestataire=True, nom="Prestataire B", commune=gien.commune_test)
    users = {
        "anonyme": None,
        "administrateur": UserFactory(username="m.admin", administrateur=True),
        "pilotage": UserFactory(username="m.pilotage", pilotage=True),
        "referent": UserFactory(username="m.referent", referent=True, bassins=[orleans]),
        "referent_autre": UserFactory(username="m.referent.gien", referent=True, bassins=[gien]),
        "prestataire": UserFactory(username="m.presta", prestataire=True, structure=structure_a),
        "prestataire_autre": UserFactory(username="m.presta.b", prestataire=True, structure=structure_b),
        "agent_mobilite": UserFactory(username="m.mobilite", agent_mobilite=True),
    }
    m = Monde(users=users)
    o = m.objets
    o["bassin"], o["bassin_autre"] = orleans, gien
    o["structure_a"], o["structure_b"] = structure_a, structure_b
    referent = users["referent"]

    personne = BeneficiaireFactory(commune=orleans.commune_test, nom="Personne-Orleans", referent=referent)
    evaluation = EvaluationFactory(beneficiaire=personne, evaluateur=referent)
    personne.evaluation_courante = evaluation
    personne.save()
    o["personne"], o["evaluation"] = personne, evaluation
    o["evaluation_prevue"] = EvaluationFactory(beneficiaire=personne, evaluateur=referent, prevue=True)
    o["personne_autre"] = BeneficiaireFactory(commune=gien.commune_test, nom="Personne-Gien")
    o["courrier"] = _courrier(personne)
    o["progression"] = progression_demarrer(utilisateur=users["administrateur"], libelle="Import", total=10)

    if apps.is_installed("placement"):
        _placement(m)
    if apps.is_installed("contrats"):
        _contrats(m)
    if apps.is_installed("mobilite"):
        _mobilite(m)
    if apps.is_installed("forums"):
        _forums(m)
    _import(m)
    return m


def _courrier(personne):
    from django.contrib.contenttypes.models import ContentType

    from commun.models import Canal, Message, Objet

    return Message.objects.create(
        cle=f"matrice:{personne.pk}", objet=Objet.FIN_CONTRAT, canal=Canal.COURRIER,
        type_destinataire=ContentType.objects.get_for_model(personne), id_destinataire=personne.pk,
        adresse="1 rue", sujet="Sujet", corps="Texte", statut=Message.Statut.A_IMPRIMER,
    )  # fmt: skip


def _placement(m):
    from placement import services
    from tests.placement.factories import LotFactory, MarcheFactory

    o = m.objets
    marche = MarcheFactory(reference="M-SECURITE")
    o["lot"] = LotFactory(marche=marche, numero=1, prestataire=o["structure_a"], bassins=[o["bassin"]])
    o["lot_autre"] = LotFactory(marche=marche, numero=2, prestataire=o["structure_b"], bassins=[o["bassin_autre"]])
    jour = datetime.date(2018, 3, 1)
    # Une orientation proposée (le prestataire A peut l'accepter ou la refuser) ...
    o["orientation"] = services.orientation_proposer(
        beneficiaire=o["personne"], par=m.users["referent"], lot=o["lot"], date=jour
    )
    # ... et une autre, en cours d'accompagnement, pour les suivis et la sortie.
    o["personne_suivie"] = BeneficiaireFactory(commune=o["bassin"].commune_test, nom="Personne-Suivie")
    en_cours = services.orientation_proposer(
        beneficiaire=o["personne_suivie"], par=m.users["referent"], lot=o["lot"], date=jour
    )
    services.orientation_accepter(orientation=en_cours, par=m.users["prestataire"], date=jour)
    o["orientation_en_cours"] = services.orientation_demarrer_accompagnement(
        orientation=en_cours, par=m.users["prestataire"], date=jour + datetime.timedelta(days=2)
    )
    # ... dont l'entrée est déclarée par le prestataire, avec son justificatif (à vérifier par le Département) ...
    from tests.placement.outils import justificatif

    o["resultat"] = services.resultat_declarer(
        orientation=o["orientation_en_cours"], nature="entree", justificatif=justificatif(), par=m.users["prestataire"]
    )
    # ... et une troisième, sortie en CDI, pour le constat du maintien en emploi.
    o["personne_sortie"] = BeneficiaireFactory(commune=o["bassin"].commune_test, nom="Personne-Sortie")
    sortie = services.orientation_proposer(
        beneficiaire=o["personne_sortie"], par=m.users["referent"], lot=o["lot"], date=jour
    )
    services.orientation_accepter(orientation=sortie, par=m.users["prestataire"], date=jour)
    services.orientation_demarrer_accompagnement(orientation=sortie, par=m.users["prestataire"], date=jour)
    services.sortie_enregistrer(
        orientation=sortie, par=m.users["prestataire"], type="cdi", date=jour + datetime.timedelta(days=30),
        employeur_nom="Entreprise X",
    )  # fmt: skip
    sortie.refresh_from_db()
    o["orientation_sortie"] = sortie


def _contrats(m):
    from tests.contrats.factories import ContratAideFactory, EnveloppeFactory

    o = m.objets
    EnveloppeFactory(annee=2018)
    o["employeur"] = StructureFactory(commune_employeur=True, nom="Commune de Test", commune=o["bassin"].commune_test)
    o["contrat"] = ContratAideFactory(
        beneficiaire=o["personne"], employeur=o["employeur"], referent=m.users["referent"]
    )


def _mobilite(m):
    from tests.mobilite.factories import ConventionFactory, LocationFactory, VehiculeFactory

    o = m.objets
    o["vehicule"] = VehiculeFactory(commune=o["bassin"].commune_test)
    o["location"] = LocationFactory(beneficiaire=o["personne"], vehicule=o["vehicule"])
    o["convention"] = ConventionFactory()
    import datetime
    from decimal import Decimal

    from mobilite import services as mobilite_services

    cede = VehiculeFactory(commune=o["bassin"].commune_test)
    mobilite_services.vehicule_declasser(vehicule=cede, date=datetime.date(2024, 2, 1))
    o["cession"] = mobilite_services.vehicule_ceder(
        vehicule=cede,
        convention=o["convention"],
        date=datetime.date(2024, 3, 1),
        kilometrage=cede.kilometrage,
        valeur_comptable=Decimal("100"),
    )


def _forums(m):
    from tests.forums.factories import ExposantFactory, ForumFactory, OffreFactory, ParticipationFactory

    o = m.objets
    o["forum"] = ForumFactory(commune=o["bassin"].commune_test)
    o["exposant"] = ExposantFactory(forum=o["forum"])
    o["offre"] = OffreFactory(exposant=o["exposant"])
    o["participation"] = ParticipationFactory(forum=o["forum"], beneficiaire=o["personne"])


def _import(m):
    from beneficiaires import services

    contenu = b"numero_allocataire;nom;prenoms;date_naissance\n1234567;Import;Test;01/01/1980\n"
    try:
        m.objets["depot"] = services.import_deposer(
            par=m.users["administrateur"], fichier_nom="liste.csv", contenu=contenu, source="CAF test"
        )
    except Exception:  # noqa: BLE001 - le format de l'import peut évoluer : le dépôt est alors absent
        m.objets["depot"] = None
    from beneficiaires.models import DoublonProbable

    # Une personne importée sans commune reconnue (à rattacher : pilotage et administrateurs seuls) et un
    # doublon probable signalé par un import.
    m.objets["sans_commune"] = BeneficiaireFactory(commune=None, nom="Personne-Orleans", adresse_brute="99999 Ailleurs")
    m.objets["doublon"] = DoublonProbable.objects.create(
        existant=m.objets["personne"],
        motif="mêmes nom, prénoms et date de naissance",
        source="CAF test",
        ligne=2,
        donnees=[
            2,
            "7654321",
            "CAF",
            "DEM",
            {},
            {"nom": "Personne-Orleans", "prenoms": "A", "date_naissance": "1980-01-01"},
            [],
        ],
    )

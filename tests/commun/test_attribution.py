"""Chaque changement est attribué (RGPD : qui, quand, quoi), même hors requête web.

Chaque service qui écrit est appelé ici comme le ferait une commande de gestion ou un script : sans requête,
avec `par`. La version enregistrée dans l'historique doit porter cet auteur. Un test de structure vérifie en
plus que tout service public qui reçoit `par` est décoré par `commun.historique.attribue` : un service ajouté
plus tard sans attribution fait échouer la suite.
"""

import datetime
import importlib
import inspect
from decimal import Decimal

import pytest
from django.utils import timezone

from beneficiaires import services as beneficiaires
from beneficiaires.models import Evaluation
from commun.historique import auteur
from contrats import services as contrats
from forums import services as forums
from forums.models import Forum, Participation
from mobilite import services as mobilite
from placement import services as placement
from placement.models import TypeSortie
from tests.beneficiaires.factories import BeneficiaireFactory, EvaluationFactory
from tests.comptes.factories import UserFactory
from tests.contrats.factories import ContratAideFactory, EnveloppeFactory
from tests.forums.factories import ExposantFactory, ForumFactory, ParticipationFactory
from tests.mobilite.factories import ConventionFactory, VehiculeFactory, personne
from tests.placement.factories import LotFactory, MarcheFactory
from tests.referentiel.factories import CommuneFactory, StructureFactory

D = datetime.date
pytestmark = pytest.mark.django_db
J = D(2030, 6, 10)
APPS = ("beneficiaires", "contrats", "forums", "mobilite", "placement")


def _signe(par):
    EnveloppeFactory(annee=2018)
    return contrats.contrat_signer(contrat=ContratAideFactory(), par=par, date_signature=D(2018, 1, 1))


def _orientation(par, jusqu_a="proposee"):
    bassin = CommuneFactory().bassin_emploi
    personne_ = BeneficiaireFactory(commune=bassin.communes.first())
    lot = LotFactory(marche=MarcheFactory(), bassins=[bassin])
    o = placement.orientation_proposer(beneficiaire=personne_, par=par, lot=lot, date=D(2018, 3, 1))
    if jusqu_a in ("acceptee", "entree"):
        o = placement.orientation_accepter(orientation=o, par=par, date=D(2018, 3, 2))
    if jusqu_a == "entree":
        o = placement.orientation_demarrer_accompagnement(orientation=o, par=par, date=D(2018, 3, 3))
    return o


def _sortie(par):
    return placement.sortie_enregistrer(
        orientation=_orientation(par, "entree"), par=par, type=TypeSortie.CDI, date=D(2018, 5, 2), employeur_nom="X"
    )


def _forum_du_jour(par):
    return ForumFactory(statut=Forum.Statut.TENU, date=D(2018, 3, 15))


def _inviter(par):
    forum, personne_ = ForumFactory(), BeneficiaireFactory()
    forums.invitations_envoyer(forum=forum, beneficiaires=[personne_], par=par)
    return Participation.objects.get(forum=forum, beneficiaire=personne_)


def _present(par):
    return ParticipationFactory(forum=_forum_du_jour(par), statut="present", date_pointage=timezone.now())


def _location(par, **kw):
    return mobilite.location_reserver(
        vehicule=VehiculeFactory(), beneficiaire=personne(), debut=J, fin=J, motif="nouvel_emploi", par=par, **kw
    )


def _en_cours(par):
    return mobilite.location_depart(
        location=_location(par),
        kilometrage=50_010,
        carburant=4,
        par=par,
        maintenant=timezone.make_aware(datetime.datetime.combine(J, datetime.time(9))),
    )


# Chaque scénario appelle un service sans requête, avec `par`, et rend l'enregistrement historisé écrit.
SCENARIOS = {
    # bénéficiaires
    "beneficiaire_creer": lambda par: beneficiaires.beneficiaire_creer(
        par=par,
        numero_allocataire="7654321",
        nom="Durand",
        prenoms="Alice",
        date_naissance=D(1980, 1, 1),
        commune=CommuneFactory(),
    ),
    "foyer_modifier": lambda par: beneficiaires.foyer_modifier(
        foyer=BeneficiaireFactory().foyer, par=par, etat_droit=3
    ),
    "beneficiaire_modifier": lambda par: beneficiaires.beneficiaire_modifier(
        beneficiaire=BeneficiaireFactory(), par=par, telephone="0601020304"
    ),
    "beneficiaire_archiver": lambda par: beneficiaires.beneficiaire_archiver(
        beneficiaire=BeneficiaireFactory(), par=par
    ),
    "evaluation_planifier": lambda par: beneficiaires.evaluation_planifier(
        beneficiaire=BeneficiaireFactory(), date=D(2030, 1, 10), evaluateur=par, par=par
    ),
    "evaluation_annuler": lambda par: beneficiaires.evaluation_annuler(
        evaluation=EvaluationFactory(prevue=True, date=D(2030, 1, 10)), par=par
    ),
    "correspondance_enregistrer": lambda par: beneficiaires.correspondance_enregistrer(
        source="CAF Loiret", correspondances={"nom": "NOM"}, par=par
    ),
    # contrats
    "contrat_creer_brouillon": lambda par: contrats.contrat_creer_brouillon(
        beneficiaire=BeneficiaireFactory(),
        employeur=StructureFactory(commune_employeur=True),
        par=par,
        intitule_poste="Agent",
    ),
    "contrat_modifier_brouillon": lambda par: contrats.contrat_modifier_brouillon(
        contrat=ContratAideFactory(), par=par, intitule_poste="Agent polyvalent"
    ),
    "contrat_signer": _signe,
    "contrat_demarrer": lambda par: contrats.contrat_demarrer(contrat=_signe(par), par=par, jour=D(2018, 1, 2)),
    "contrat_terminer": lambda par: contrats.contrat_terminer(contrat=_signe(par), par=par, jour=D(2018, 12, 31)),
    "contrat_rompre": lambda par: contrats.contrat_rompre(
        contrat=_signe(par), par=par, date_rupture=D(2018, 6, 1), motif="cdi"
    ),
    "contrat_renouveler": lambda par: contrats.contrat_renouveler(
        contrat=_signe(par), par=par, date_fin=D(2019, 6, 30)
    ),
    "enveloppe_definir": lambda par: contrats.enveloppe_definir(
        annee=2031, nombre_contrats=10, budget=Decimal("1000"), par=par
    ),
    # forums
    "forum_creer": lambda par: forums.forum_creer(
        par=par,
        titre="Forum des métiers de la propreté",
        secteur="proprete",
        date=D(2030, 3, 15),
        heure_debut=datetime.time(9),
        heure_fin=datetime.time(12),
        adresse="Salle des fêtes",
        commune=CommuneFactory(),
        capacite=50,
    ),
    "forum_modifier": lambda par: forums.forum_modifier(forum=ForumFactory(), par=par, capacite=80),
    "forum_changer_statut": lambda par: forums.forum_changer_statut(
        forum=ForumFactory(statut=Forum.Statut.EN_PREPARATION), statut=Forum.Statut.INSCRIPTIONS_OUVERTES, par=par
    ),
    "invitations_envoyer": _inviter,
    "participation_inscrire": lambda par: forums.participation_inscrire(
        forum=ForumFactory(statut=Forum.Statut.INSCRIPTIONS_OUVERTES), beneficiaire=BeneficiaireFactory(), par=par
    ),
    "participation_annuler": lambda par: forums.participation_annuler(
        participation=ParticipationFactory(forum=ForumFactory(statut=Forum.Statut.INSCRIPTIONS_OUVERTES)), par=par
    )[0],
    "participation_excuser": lambda par: forums.participation_excuser(
        participation=ParticipationFactory(forum=ForumFactory(statut=Forum.Statut.INSCRIPTIONS_OUVERTES)), par=par
    )[0],
    "participation_pointer": lambda par: forums.participation_pointer(
        participation=ParticipationFactory(forum=_forum_du_jour(par)), par=par, jour=D(2018, 3, 15)
    ),
    "participation_ajouter_sur_place": lambda par: forums.participation_ajouter_sur_place(
        forum=_forum_du_jour(par), beneficiaire=BeneficiaireFactory(), par=par, jour=D(2018, 3, 15)
    ),
    "embauche_enregistrer": lambda par: (
        forums.embauche_enregistrer(
            participation=(
                p := ParticipationFactory(forum=_forum_du_jour(par), statut="present", date_pointage=timezone.now())
            ),
            exposant=ExposantFactory(forum=p.forum),
            type_contrat="cdi",
            date_debut=D(2018, 4, 1),
            par=par,
            jour=D(2018, 3, 15),
        ).participation
    ),
    # mobilité
    "vehicule_creer": lambda par: mobilite.vehicule_creer(
        par=par,
        immatriculation="AB-123-CD",
        type="voiture",
        marque="Renault",
        modele="Clio",
        date_premiere_immatriculation=D(2015, 1, 1),
        commune=CommuneFactory(),
        partenaire=StructureFactory(partenaire=True),
        date_entree_flotte=D(2020, 1, 1),
    ),
    "vehicule_modifier": lambda par: mobilite.vehicule_modifier(
        vehicule=VehiculeFactory(), par=par, notes="Pneus neufs"
    ),
    "vehicule_mettre_en_maintenance": lambda par: mobilite.vehicule_mettre_en_maintenance(
        vehicule=VehiculeFactory(), en_maintenance=True, par=par
    ),
    "vehicule_declasser": lambda par: mobilite.vehicule_declasser(vehicule=VehiculeFactory(), par=par),
    "location_reserver": _location,
    "location_annuler": lambda par: mobilite.location_annuler(location=_location(par), par=par),
    "location_depart": _en_cours,
    "location_retour": lambda par: mobilite.location_retour(
        location=_en_cours(par), kilometrage=50_100, carburant=4, date_retour=J, par=par
    ),
    "vehicule_ceder": lambda par: mobilite.vehicule_ceder(
        vehicule=mobilite.vehicule_declasser(vehicule=VehiculeFactory(), date=D(2025, 1, 1), par=par),
        convention=ConventionFactory(),
        date=D(2025, 6, 1),
        kilometrage=60_000,
        valeur_comptable=Decimal("800"),
        par=par,
    ),
    # placement
    "marche_creer": lambda par: placement.marche_creer(
        reference="2031-P", intitule="Placement", date_debut=D(2031, 1, 1), date_fin=D(2031, 12, 31), par=par
    ),
    "lot_creer": lambda par: placement.lot_creer(
        marche=MarcheFactory(),
        par=par,
        numero=1,
        prestataire=StructureFactory(prestataire=True),
        bassins=[CommuneFactory().bassin_emploi],
        capacite=5,
        prix_entree=Decimal(1),
        prix_sortie_positive=Decimal(1),
        prix_maintien_6_mois=Decimal(1),
    ),
    "lot_modifier": lambda par: placement.lot_modifier(lot=LotFactory(), par=par, capacite=12),
    "orientation_proposer": _orientation,
    "orientation_accepter": lambda par: _orientation(par, "acceptee"),
    "orientation_refuser": lambda par: placement.orientation_refuser(
        orientation=_orientation(par), par=par, motif="capacite", date=D(2018, 3, 2)
    ),
    "orientation_demarrer_accompagnement": lambda par: _orientation(par, "entree"),
    "suivi_enregistrer": lambda par: placement.suivi_enregistrer(
        orientation=_orientation(par, "acceptee"), par=par, date=D(2018, 3, 5), nature="entretien", note="RDV"
    ),
    "sortie_enregistrer": _sortie,
    "maintien_en_emploi_enregistrer": lambda par: placement.maintien_en_emploi_enregistrer(
        sortie=_sortie(par), par=par, echeance=1, en_emploi=True, date_constat=D(2018, 6, 2)
    ),
}


@pytest.mark.parametrize("service", sorted(SCENARIOS))
def test_le_service_attribue_sa_version_a_par_hors_requete(service, bassins):
    par = UserFactory(administrateur=True)
    objet = SCENARIOS[service](par)
    derniere = objet.history.order_by("-history_date", "-history_id").first()
    assert derniere is not None
    assert derniere.history_user == par


def test_chaque_service_qui_recoit_par_est_attribue():
    oublis = []
    for app in APPS:
        module = importlib.import_module(f"{app}.services")
        for nom, fonction in inspect.getmembers(module, inspect.isfunction):
            if nom.startswith("_") or fonction.__module__ != module.__name__:
                continue
            if "par" in inspect.signature(fonction).parameters and not getattr(fonction, "attribue", False):
                oublis.append(f"{app}.services.{nom}")
    assert oublis == []


def test_auteur_rend_le_contexte_tel_qu_il_etait(admin_user):
    evaluation = EvaluationFactory()
    with auteur(admin_user):
        evaluation.synthese = "Vue"
        evaluation.save()
    evaluation.synthese = "Sans auteur"
    evaluation.save()
    versions = list(Evaluation.history.filter(id=evaluation.pk).order_by("history_id"))
    assert [v.history_user for v in versions[-2:]] == [admin_user, None]

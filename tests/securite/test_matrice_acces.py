"""Matrice d'accès : chaque URL nommée du projet (trouvée par le résolveur) x chaque rôle x GET, et POST pour
les URL qui changent l'état : code attendu exact, et rien ne change quand l'accès est refusé.

Colonnes, dans l'ordre de `monde.ROLES` : anonyme, administrateur, pilotage, référent (bassin d'Orléans, celui de
la personne), référent d'un autre bassin (Gien), prestataire dont la structure a reçu l'orientation, prestataire
d'une autre structure, agent mobilité. « · » : non vérifié ici (POST d'un rôle autorisé : testé par l'application).

Ajouter une page au projet sans ajouter sa ligne ici fait échouer `test_chaque_url_a_ses_attentes`.
"""

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from comptes.models import SessionUtilisateur
from tests.securite import monde as M
from tests.securite.urls_projet import routes

# Paramètres d'URL, par nom d'URL : fonction (monde) -> kwargs.
PARAMS = {
    "beneficiaires:detail": lambda m: {"pk": m.personne.pk},
    "beneficiaires:modifier": lambda m: {"pk": m.personne.pk},
    "beneficiaires:referent": lambda m: {"pk": m.personne.pk},
    "beneficiaires:archiver": lambda m: {"pk": m.personne.pk},
    "beneficiaires:evaluation_planifier": lambda m: {"pk": m.personne.pk},
    "beneficiaires:evaluation_saisir": lambda m: {"pk": m.personne.pk},
    "beneficiaires:evaluation": lambda m: {"pk": m.evaluation.pk},
    "beneficiaires:evaluation_realiser": lambda m: {"evaluation_pk": m.evaluation_prevue.pk},
    "beneficiaires:evaluation_annuler": lambda m: {"pk": m.evaluation_prevue.pk},
    "beneficiaires:evaluation_convocation": lambda m: {"pk": m.evaluation_prevue.pk},
    "beneficiaires:import_apercu": lambda m: {"pk": m.depot.pk},
    "beneficiaires:rattacher": lambda m: {"pk": m.sans_commune.pk},
    "beneficiaires:doublon": lambda m: {"pk": m.doublon.pk},
    "beneficiaires:import_correspondance": lambda m: {"pk": m.depot.pk},
    "beneficiaires:import_confirmer": lambda m: {"pk": m.depot.pk},
    "beneficiaires:import_abandonner": lambda m: {"pk": m.depot.pk},
    "beneficiaires:rgpd_donnees": lambda m: {"pk": m.personne.pk},
    "beneficiaires:portefeuille": lambda m: {"bassin": m.bassin.pk},
    "commun:message_courrier": lambda m: {"pk": m.courrier.pk},
    "commun:progression": lambda m: {"pk": m.progression.pk},
    "beneficiaires:rgpd_donnees_json": lambda m: {"pk": m.personne.pk},
    "contrats:detail": lambda m: {"pk": m.contrat.pk},
    "contrats:modifier": lambda m: {"pk": m.contrat.pk},
    "contrats:decision": lambda m: {"pk": m.contrat.pk},
    "contrats:signer": lambda m: {"pk": m.contrat.pk},
    "contrats:demarrer": lambda m: {"pk": m.contrat.pk},
    "contrats:terminer": lambda m: {"pk": m.contrat.pk},
    "contrats:rompre": lambda m: {"pk": m.contrat.pk},
    "contrats:renouveler": lambda m: {"pk": m.contrat.pk},
    "contrats:employeur": lambda m: {"pk": m.employeur.pk},
    "placement:detail": lambda m: {"pk": m.orientation.pk},
    "placement:accepter": lambda m: {"pk": m.orientation.pk},
    "placement:refuser": lambda m: {"pk": m.orientation.pk},
    "placement:demarrer": lambda m: {"pk": m.orientation.pk},
    "placement:suivi": lambda m: {"pk": m.orientation_en_cours.pk},
    "placement:sortie": lambda m: {"pk": m.orientation_en_cours.pk},
    "placement:maintien": lambda m: {"pk": m.orientation_sortie.pk},
    "placement:orienter": lambda m: {"beneficiaire_pk": m.personne_suivie.pk},
    "placement:declarer": lambda m: {"pk": m.orientation_en_cours.pk},
    "placement:resultat": lambda m: {"pk": m.resultat.pk},
    "placement:justificatif": lambda m: {"pk": m.resultat.pk},
    "placement:resultat_valider": lambda m: {"pk": m.resultat.pk},
    "placement:resultat_rejeter": lambda m: {"pk": m.resultat.pk},
    "placement:resultat_payer": lambda m: {"pk": m.resultat.pk},
    "mobilite:location": lambda m: {"pk": m.location.pk},
    "mobilite:contrat": lambda m: {"pk": m.location.pk},
    "mobilite:proces_verbal": lambda m: {"pk": m.cession.pk},
    "mobilite:depart": lambda m: {"pk": m.location.pk},
    "mobilite:retour": lambda m: {"pk": m.location.pk},
    "mobilite:deplacer": lambda m: {"pk": m.location.pk},
    "mobilite:annuler": lambda m: {"pk": m.location.pk},
    "mobilite:vehicule": lambda m: {"pk": m.vehicule.pk},
    "mobilite:vehicule_modifier": lambda m: {"pk": m.vehicule.pk},
    "mobilite:calendrier": lambda m: {"pk": m.vehicule.pk},
    "mobilite:maintenance": lambda m: {"pk": m.vehicule.pk},
    "mobilite:immobiliser": lambda m: {"pk": m.vehicule.pk},
    "mobilite:declasser": lambda m: {"pk": m.vehicule.pk},
    "mobilite:ceder": lambda m: {"pk": m.vehicule.pk},
    "mobilite:convention": lambda m: {"pk": m.convention.pk},
    "mobilite:convention_signer": lambda m: {"pk": m.convention.pk},
    "forums:detail": lambda m: {"pk": m.forum.pk},
    "forums:modifier": lambda m: {"pk": m.forum.pk},
    "forums:statut": lambda m: {"pk": m.forum.pk},
    "forums:exposant_ajouter": lambda m: {"pk": m.forum.pk},
    "forums:exposant_resultats": lambda m: {"pk": m.forum.pk, "exposant_pk": m.exposant.pk},
    "forums:offre_ajouter": lambda m: {"pk": m.forum.pk, "exposant_pk": m.exposant.pk},
    "forums:embauche": lambda m: {"pk": m.forum.pk, "exposant_pk": m.exposant.pk},
    "forums:inviter": lambda m: {"pk": m.forum.pk},
    "forums:lettres": lambda m: {"pk": m.forum.pk},
    "forums:emargement": lambda m: {"pk": m.forum.pk},
    "forums:pointage": lambda m: {"pk": m.forum.pk},
    "forums:pointer": lambda m: {"pk": m.forum.pk, "participation_pk": m.participation.pk},
    "forums:sur_place": lambda m: {"pk": m.forum.pk},
    "forums:participation": lambda m: {"pk": m.participation.pk},
    "tableau_de_bord:export": lambda m: {"format": "csv"},
    "comptes:session_terminer": lambda m: {
        "pk": SessionUtilisateur.objects.filter(utilisateur=m.users["administrateur"]).values_list("pk", flat=True)[0]
    },
}

# Paramètres de requête GET nécessaires à certaines pages (la personne ou le véhicule choisis).
REQUETE = {
    "forums:inscrire_personne": lambda m: {"beneficiaire": m.personne.pk},
    "mobilite:reserver": lambda m: {"beneficiaire": m.personne.pk, "vehicule": m.vehicule.pk},
    "mobilite:recherche": lambda m: {"beneficiaire": m.personne.pk},
    "contrats:creer": lambda m: {"beneficiaire": m.personne.pk},
    "forums:inviter": lambda m: {"bassin": m.bassin.pk},
}

# GET : anonyme admin pilotage référent référent_autre prestataire prestataire_autre agent_mobilité
GET = {
    "accueil": "302 200 200 200 200 200 200 200",
    "sante": "200 200 200 200 200 200 200 200",
    "theme_css": "200 200 200 200 200 200 200 200",
    "comptes:connexion": "200 302 302 302 302 302 302 302",
    "comptes:deconnexion": "302 405 405 405 405 405 405 405",
    # Second temps de la connexion : sans mot de passe saisi juste à l'instant, retour à la page de connexion.
    "comptes:double_facteur": "302 302 302 302 302 302 302 302",
    "comptes:double_facteur_enrolement": "302 302 302 302 302 302 302 302",
    "comptes:codes_secours": "302 200 200 200 200 200 200 200",
    "comptes:sessions": "302 200 200 200 200 200 200 200",
    "comptes:session_terminer": "302 405 405 405 405 405 405 405",
    "comptes:sessions_terminer_autres": "302 405 405 405 405 405 405 405",
    # Connexion unique non configurée ici : ses adresses n'existent pas (tests/comptes/test_oidc.py la configure).
    "comptes:oidc_connexion": "404 404 404 404 404 404 404 404",
    "comptes:oidc_rappel": "404 404 404 404 404 404 404 404",
    "beneficiaires:liste": "302 200 200 200 200 403 403 403",
    "beneficiaires:portefeuilles": "302 200 200 302 302 403 403 403",
    "beneficiaires:portefeuille": "302 200 200 200 404 403 403 403",
    "beneficiaires:reaffecter": "302 405 403 405 405 403 403 403",
    "commun:message_courrier": "302 200 200 200 404 403 403 404",
    "commun:progression": "302 200 404 404 404 404 404 404",
    "beneficiaires:creer": "302 200 403 200 200 403 403 403",
    "beneficiaires:detail": "302 200 200 200 404 200 404 403",
    "beneficiaires:modifier": "302 200 403 200 404 403 403 403",
    "beneficiaires:referent": "302 200 403 200 404 403 403 403",
    "beneficiaires:archiver": "302 200 403 200 404 403 403 403",
    "beneficiaires:evaluation": "302 200 200 200 404 403 403 403",
    "beneficiaires:evaluation_planifier": "302 200 403 200 404 403 403 403",
    "beneficiaires:evaluation_saisir": "302 200 403 200 404 403 403 403",
    "beneficiaires:evaluation_realiser": "302 200 403 200 404 403 403 403",
    "beneficiaires:evaluation_annuler": "302 200 403 200 404 403 403 403",
    "beneficiaires:evaluation_convocation": "302 200 200 200 404 403 403 403",
    "beneficiaires:import": "302 200 200 403 403 403 403 403",
    "beneficiaires:a_rattacher": "302 200 200 403 403 403 403 403",
    "beneficiaires:rattacher": "302 200 200 403 403 403 403 403",
    "beneficiaires:doublons": "302 200 200 403 403 403 403 403",
    "beneficiaires:doublon": "302 200 200 403 403 403 403 403",
    "beneficiaires:import_apercu": "302 200 200 403 403 403 403 403",
    "beneficiaires:import_correspondance": "302 200 200 403 403 403 403 403",
    "beneficiaires:import_confirmer": "302 405 405 403 403 403 403 403",
    "beneficiaires:import_abandonner": "302 405 405 403 403 403 403 403",
    "beneficiaires:rgpd_donnees": "302 200 403 403 403 403 403 403",
    "beneficiaires:rgpd_donnees_json": "302 200 403 403 403 403 403 403",
    "contrats:liste": "302 200 200 200 200 403 403 403",
    "contrats:creer": "302 200 403 200 404 403 403 403",
    "contrats:detail": "302 200 200 200 404 403 403 403",
    "contrats:modifier": "302 200 403 200 404 403 403 403",
    "contrats:decision": "302 200 200 200 404 403 403 403",
    "contrats:signer": "302 200 403 200 404 403 403 403",
    "contrats:demarrer": "302 200 403 200 404 403 403 403",
    "contrats:terminer": "302 200 403 200 404 403 403 403",
    "contrats:rompre": "302 200 403 200 404 403 403 403",
    "contrats:renouveler": "302 200 403 200 404 403 403 403",
    "contrats:employeur": "302 200 200 200 200 403 403 403",
    "placement:liste": "302 200 200 200 200 200 200 403",
    "placement:lots": "302 200 200 200 200 200 200 403",
    "placement:etat": "302 200 200 403 403 200 200 403",
    "placement:detail": "302 200 200 200 404 200 404 403",
    "placement:accepter": "302 200 403 403 403 200 404 403",
    "placement:refuser": "302 200 403 403 403 200 404 403",
    "placement:demarrer": "302 200 403 403 403 200 404 403",
    "placement:suivi": "302 200 403 403 403 200 404 403",
    "placement:sortie": "302 200 403 403 403 200 404 403",
    "placement:maintien": "302 200 403 403 403 200 404 403",
    "placement:orienter": "302 200 403 200 404 403 403 403",
    "placement:declarer": "302 200 403 403 403 200 404 403",
    "placement:resultat": "302 200 200 403 403 200 404 403",
    "placement:justificatif": "302 200 200 403 403 200 404 403",
    "placement:resultat_valider": "302 405 405 403 403 403 403 403",
    "placement:resultat_rejeter": "302 200 200 403 403 403 403 403",
    "placement:resultat_payer": "302 200 200 403 403 403 403 403",
    "mobilite:recherche": "302 200 200 200 404 403 403 200",
    "mobilite:reserver": "302 200 403 200 404 403 403 200",
    "mobilite:locations": "302 200 200 200 200 403 403 200",
    "mobilite:location": "302 200 200 200 404 403 403 200",
    "mobilite:contrat": "302 200 200 200 404 403 403 200",
    "mobilite:depart": "302 200 403 403 403 403 403 200",
    "mobilite:retour": "302 200 403 403 403 403 403 200",
    "mobilite:annuler": "302 405 403 405 405 403 403 405",
    "mobilite:deplacer": "302 405 403 403 403 403 403 405",
    "mobilite:vehicules": "302 200 200 200 200 403 403 200",
    "mobilite:planning": "302 200 200 200 200 403 403 200",
    "mobilite:vehicule_creer": "302 200 403 403 403 403 403 200",
    "mobilite:vehicule": "302 200 200 200 200 403 403 200",
    "mobilite:vehicule_modifier": "302 200 403 403 403 403 403 200",
    "mobilite:calendrier": "302 200 200 200 200 403 403 200",
    "mobilite:maintenance": "302 200 403 403 403 403 403 200",
    "mobilite:immobiliser": "302 405 403 403 403 403 403 405",
    "mobilite:declasser": "302 200 403 403 403 403 403 200",
    "mobilite:ceder": "302 200 403 403 403 403 403 200",
    "mobilite:conventions": "302 200 200 403 403 403 403 200",
    "mobilite:convention_creer": "302 200 403 403 403 403 403 200",
    "mobilite:convention": "302 200 200 403 403 403 403 200",
    "mobilite:proces_verbal": "302 200 200 403 403 403 403 200",
    "mobilite:convention_signer": "302 200 403 403 403 403 403 200",
    "forums:liste": "302 200 200 200 200 403 403 403",
    "forums:creer": "302 200 403 200 200 403 403 403",
    "forums:inscrire_personne": "302 200 403 200 404 403 403 403",
    "forums:participations": "302 200 200 200 200 403 403 403",
    "forums:participation": "302 200 200 200 404 403 403 403",
    "forums:offres": "302 200 200 200 200 403 403 403",
    "forums:entretiens": "302 200 200 200 200 403 403 403",
    "forums:detail": "302 200 200 200 200 403 403 403",
    "forums:modifier": "302 200 403 200 200 403 403 403",
    "forums:statut": "302 405 403 405 405 403 403 403",
    "forums:exposant_ajouter": "302 200 403 200 200 403 403 403",
    "forums:exposant_resultats": "302 200 200 200 200 403 403 403",
    "forums:offre_ajouter": "302 200 403 200 200 403 403 403",
    "forums:embauche": "302 405 405 405 405 403 403 403",
    "forums:inviter": "302 200 403 200 200 403 403 403",
    "forums:lettres": "302 200 200 200 200 403 403 403",
    "forums:emargement": "302 200 200 200 200 403 403 403",
    "forums:pointage": "302 200 403 200 200 403 403 403",
    "forums:pointer": "302 405 403 405 405 403 403 403",
    "forums:sur_place": "302 200 403 200 200 403 403 403",
    "tableau_de_bord:tableau": "302 200 200 200 200 403 403 403",
    "tableau_de_bord:export": "302 200 200 200 200 403 403 403",
}

# POST (données vides) pour les URL qui changent l'état : un rôle refusé reçoit 403 ou 404 et rien ne change.
POST = {
    "comptes:connexion": "· · · · · · · ·",
    "comptes:deconnexion": "· · · · · · · ·",
    "comptes:codes_secours": "302 · · · · · · ·",
    # La session de l'administrateur : les autres comptes ne la voient pas (404), lui-même ne peut terminer ainsi
    # la session en cours (il se déconnecte).
    "comptes:session_terminer": "302 · 404 404 404 404 404 404",
    "comptes:sessions_terminer_autres": "302 · · · · · · ·",
    "beneficiaires:creer": "302 · 403 · · 403 403 403",
    "beneficiaires:modifier": "302 · 403 · 404 403 403 403",
    "beneficiaires:referent": "302 · 403 · 404 403 403 403",
    "beneficiaires:portefeuille": "302 · 403 · 404 403 403 403",
    "beneficiaires:reaffecter": "302 · 403 · · 403 403 403",
    "beneficiaires:archiver": "302 · 403 · 404 403 403 403",
    "beneficiaires:evaluation_planifier": "302 · 403 · 404 403 403 403",
    "beneficiaires:evaluation_saisir": "302 · 403 · 404 403 403 403",
    "beneficiaires:evaluation_realiser": "302 · 403 · 404 403 403 403",
    "beneficiaires:evaluation_annuler": "302 · 403 · 404 403 403 403",
    "beneficiaires:import": "302 · · 403 403 403 403 403",
    "beneficiaires:rattacher": "302 · · 403 403 403 403 403",
    "beneficiaires:doublon": "302 · · 403 403 403 403 403",
    "beneficiaires:import_correspondance": "302 · · 403 403 403 403 403",
    "beneficiaires:import_confirmer": "302 · · 403 403 403 403 403",
    "beneficiaires:import_abandonner": "302 · · 403 403 403 403 403",
    "contrats:creer": "302 · 403 · · 403 403 403",
    "contrats:modifier": "302 · 403 · 404 403 403 403",
    "contrats:signer": "302 · 403 · 404 403 403 403",
    "contrats:demarrer": "302 · 403 · 404 403 403 403",
    "contrats:terminer": "302 · 403 · 404 403 403 403",
    "contrats:rompre": "302 · 403 · 404 403 403 403",
    "contrats:renouveler": "302 · 403 · 404 403 403 403",
    "placement:accepter": "302 · 403 403 403 · 404 403",
    "placement:refuser": "302 · 403 403 403 · 404 403",
    "placement:demarrer": "302 · 403 403 403 · 404 403",
    "placement:suivi": "302 · 403 403 403 · 404 403",
    "placement:sortie": "302 · 403 403 403 · 404 403",
    "placement:maintien": "302 · 403 403 403 · 404 403",
    "placement:orienter": "302 · 403 · 404 403 403 403",
    "placement:declarer": "302 · 403 403 403 · 404 403",
    "placement:resultat_valider": "302 · · 403 403 403 403 403",
    "placement:resultat_rejeter": "302 · · 403 403 403 403 403",
    "placement:resultat_payer": "302 · · 403 403 403 403 403",
    "mobilite:reserver": "302 · 403 · 404 403 403 ·",
    "mobilite:depart": "302 · 403 403 403 403 403 ·",
    "mobilite:retour": "302 · 403 403 403 403 403 ·",
    "mobilite:annuler": "302 · 403 · 404 403 403 ·",
    "mobilite:deplacer": "302 · 403 403 403 403 403 ·",
    "mobilite:vehicule_creer": "302 · 403 403 403 403 403 ·",
    "mobilite:vehicule_modifier": "302 · 403 403 403 403 403 ·",
    "mobilite:maintenance": "302 · 403 403 403 403 403 ·",
    "mobilite:immobiliser": "302 · 403 403 403 403 403 ·",
    "mobilite:declasser": "302 · 403 403 403 403 403 ·",
    "mobilite:ceder": "302 · 403 403 403 403 403 ·",
    "mobilite:convention_creer": "302 · 403 403 403 403 403 ·",
    "mobilite:convention_signer": "302 · 403 403 403 403 403 ·",
    "forums:creer": "302 · 403 · · 403 403 403",
    "forums:inscrire_personne": "302 · 403 · 404 403 403 403",
    "forums:participation": "302 · 403 · 404 403 403 403",
    "forums:modifier": "302 · 403 · · 403 403 403",
    "forums:statut": "302 · 403 · · 403 403 403",
    "forums:exposant_ajouter": "302 · 403 · · 403 403 403",
    "forums:exposant_resultats": "302 · 403 · · 403 403 403",
    "forums:offre_ajouter": "302 · 403 · · 403 403 403",
    "forums:embauche": "302 · 403 · · 403 403 403",
    "forums:inviter": "302 · 403 · · 403 403 403",
    "forums:pointer": "302 · 403 · · 403 403 403",
    "forums:sur_place": "302 · 403 · · 403 403 403",
}

# Qui ne doit jamais voir la personne du bassin d'Orléans (ni sur sa fiche, ni dans une liste, ni ailleurs) :
# le référent de Gien et le prestataire qui n'a pas reçu l'orientation. L'agent mobilité la voit seulement
# dans les pages de la mobilité (remise du véhicule).
HORS_PERIMETRE = {"referent_autre": (), "prestataire_autre": (), "agent_mobilite": ("mobilite:",)}
NOMS_PERSONNES = ("Personne-Orleans", "PERSONNE-ORLEANS", "Personne-Suivie", "PERSONNE-SUIVIE")
# Tables que l'accès seul peut modifier (sessions, traces) : hors de la comparaison « rien ne change ».
HORS_ETAT = {
    "sessions.session",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "axes.accessattemptexpiration",
    "comptes.journalconsultation",
    "comptes.journalexport",
    "admin.logentry",
    "contenttypes.contenttype",
    "auth.permission",
}


# Le pilotage lit tout sans rien modifier, à une exception voulue par l'axe 1 : il reçoit les listes mensuelles
# de la CAF et peut donc les importer (dépôt, correspondance des colonnes, confirmation, abandon).


def etat_base():
    etat = {}
    for modele in apps.get_models(include_auto_created=True):
        if modele._meta.label_lower in HORS_ETAT or not modele._meta.managed:
            continue
        etat[modele._meta.label_lower] = list(modele._base_manager.order_by("pk").values_list())
    return etat


def differences(avant, apres):
    return [label for label in avant if avant[label] != apres[label]]


# Les vues RGPD sont ajoutées si elles ne sont pas encore branchées dans beneficiaires/urls.py.
pytestmark = pytest.mark.urls("tests.securite.urls_rgpd")


def test_chaque_url_a_ses_attentes():
    decouvertes = routes()
    sans_get = sorted(set(decouvertes) - set(GET))
    assert not sans_get, f"URL sans ligne dans la matrice d'accès (GET) : {sans_get}"
    post_sans_attente = sorted(n for n, r in decouvertes.items() if r.classe is not None and r.accepte_post
                               and n not in POST)  # fmt: skip
    assert not post_sans_attente, f"URL acceptant POST sans ligne POST dans la matrice : {post_sans_attente}"
    perimees = sorted((set(GET) | set(POST)) - set(decouvertes))
    assert not perimees, f"Lignes de la matrice pour des URL qui n'existent plus : {perimees}"
    for table in (GET, POST):
        for nom, codes in table.items():
            assert len(codes.split()) == len(M.ROLES), nom
    sans_params = sorted(n for n, r in decouvertes.items() if "<" in r.motif and n not in PARAMS)
    assert not sans_params, f"URL à paramètres sans objet de test (PARAMS) : {sans_params}"


def _clients(m):
    """Un client connecté par rôle, créé une fois (la connexion met à jour last_login avant toute comparaison)."""
    clients = {}
    for role in M.ROLES:
        clients[role] = Client(raise_request_exception=False)
        if m.users[role] is not None:
            clients[role].force_login(m.users[role])
    return clients


@pytest.mark.django_db
def test_matrice_acces(bassins):
    m = M.construire(bassins)
    clients = _clients(m)
    erreurs = []
    for nom in sorted(routes()):
        if nom not in GET:
            continue  # signalé par test_chaque_url_a_ses_attentes
        url = reverse(nom, kwargs=PARAMS.get(nom, lambda m: {})(m))
        requete = REQUETE.get(nom, lambda m: {})(m)
        for role, attendu in zip(M.ROLES, GET[nom].split(), strict=True):
            reponse = clients[role].get(url, requete)
            if str(reponse.status_code) != attendu:
                erreurs.append(f"GET  {nom:40} {role:18} attendu {attendu}, obtenu {reponse.status_code}")
            if reponse.status_code == 200 and role in HORS_PERIMETRE:
                if not nom.startswith(HORS_PERIMETRE[role] or ("\0",)):
                    corps = reponse.content.decode("utf-8", errors="replace")
                    fuites = [p for p in NOMS_PERSONNES if p in corps]
                    if fuites:
                        erreurs.append(f"FUITE {nom:39} {role:18} montre {fuites[0]}")
        if nom not in POST:
            continue
        avant = etat_base()
        url_post = f"{url}?{urlencode(requete)}" if requete else url
        refuses = []
        for role, attendu in zip(M.ROLES, POST[nom].split(), strict=True):
            if attendu == "·":
                continue
            refuses.append(role)
            reponse = clients[role].post(url_post, {})
            if str(reponse.status_code) != attendu:
                erreurs.append(f"POST {nom:40} {role:18} attendu {attendu}, obtenu {reponse.status_code}")
        changees = differences(avant, etat_base())
        if changees:
            erreurs.append(f"POST {nom:40} refusé à {refuses} mais a modifié {changees}")
    assert not erreurs, "Matrice d'accès :\n" + "\n".join(erreurs)


@pytest.mark.django_db
def test_second_facteur_exige_sur_chaque_url(bassins, settings):
    """Second facteur activé : une session d'administrateur ou de pilotage ouverte sans lui n'atteint aucune page
    (administration comprise) ; elle est fermée et renvoyée à la connexion."""
    settings.DOUBLE_FACTEUR_ROLES = ["administrateur", "pilotage"]
    m = M.construire(bassins)
    publiques = {"sante", "theme_css", "comptes:connexion"}
    params = {**PARAMS, "comptes:session_terminer": lambda m: {"pk": 1}}  # ses sessions sont fermées au fil du test
    erreurs = []
    for role in ("administrateur", "pilotage"):
        client = Client(raise_request_exception=False)
        for nom in [*sorted(routes()), "admin:index", "admin:comptes_user_changelist"]:
            client.force_login(m.users[role])
            url = reverse(nom, kwargs=params.get(nom, lambda m: {})(m))
            reponse = client.get(url, REQUETE.get(nom, lambda m: {})(m))
            if "_auth_user_id" in client.session:
                erreurs.append(f"{nom} {role} : session gardée")
            if reponse.status_code == 200 and nom not in publiques:
                erreurs.append(f"{nom} {role} : page servie sans second facteur")
    assert not erreurs, "\n".join(erreurs)

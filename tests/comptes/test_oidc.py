"""Connexion unique OpenID Connect contre un VRAI fournisseur (oidc-provider sur Node.js, tests/oidc/), lancé sur
127.0.0.1 par ces tests ; l'application tourne dans le serveur de test de pytest-django (live_server).

Parcours éprouvés : connexion complète (code d'autorisation + PKCE S256, state, nonce), state altéré ou rejoué
refusé, nonce faux refusé, identité sans compte refusée par une page claire, compte désactivé refusé, déconnexion
chez le fournisseur (RP-initiated logout) avec retour à la page de connexion."""

import html
import os
import shutil
import socket
import subprocess
import time
from html.parser import HTMLParser
from importlib import import_module
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlparse, urlunparse

import pytest
import requests
from django.conf import settings as reglages

from tests.comptes.factories import UserFactory

DOSSIER = Path(__file__).resolve().parents[1] / "oidc"
NODE = shutil.which("node")
CLIENT_ID = "plan-emploi-test"
CLIENT_SECRET = "secret-du-client-de-test-uniquement-0123456789"

# Sauté seulement hors intégration continue : la CI (.ci/run) installe Node.js et le fournisseur, et y échoue s'il
# manque.
pytestmark = pytest.mark.skipif(
    NODE is None and not os.environ.get("CI"), reason="Node.js absent : le fournisseur OpenID de test ne peut tourner"
)


def _port_libre():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def fournisseur(live_server):
    assert NODE is not None, "Node.js est nécessaire au fournisseur OpenID de test (installé par .ci/run)"
    if not (DOSSIER / "node_modules" / "oidc-provider").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=DOSSIER, check=True, timeout=300)
    port = _port_libre()
    env = {
        **os.environ,
        "PORT": str(port),
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URI": f"{live_server.url}/comptes/oidc/rappel/",
        "POST_LOGOUT_URI": f"{live_server.url}/comptes/connexion/",
    }
    processus = subprocess.Popen(
        [NODE, "fournisseur.mjs"], cwd=DOSSIER, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        limite = time.monotonic() + 30
        while time.monotonic() < limite:
            ligne = processus.stdout.readline()
            if ligne.startswith("PRET") or processus.poll() is not None:
                break
        assert processus.poll() is None, "le fournisseur OpenID de test n'a pas démarré"
        emetteur = f"http://127.0.0.1:{port}"
        decouverte = requests.get(f"{emetteur}/.well-known/openid-configuration", timeout=10).json()
        assert decouverte["issuer"] == emetteur
        yield decouverte
    finally:
        processus.terminate()
        processus.wait(timeout=10)


@pytest.fixture
def oidc(settings, fournisseur):
    settings.OIDC_ACTIVE = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_ISSUER = fournisseur["issuer"]
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = fournisseur["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = fournisseur["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = fournisseur["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = fournisseur["jwks_uri"]
    settings.OIDC_OP_LOGOUT_ENDPOINT = fournisseur["end_session_endpoint"]
    settings.AUTHENTICATION_BACKENDS = [*reglages.AUTHENTICATION_BACKENDS, "comptes.oidc.DepartementOIDCBackend"]
    # Le second facteur est exigé des administrateurs : la connexion unique s'en remet à celui du fournisseur.
    settings.DOUBLE_FACTEUR_ROLES = ["administrateur", "pilotage"]
    return fournisseur


class Formulaires(HTMLParser):
    """Les formulaires d'une page : action, champs cachés (et leurs valeurs)."""

    def __init__(self):
        super().__init__()
        self.formulaires = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.formulaires.append({"action": attrs.get("action") or "", "id": attrs.get("id"), "champs": {}})
        elif tag == "input" and self.formulaires and attrs.get("name") and attrs.get("type") == "hidden":
            self.formulaires[-1]["champs"][attrs["name"]] = attrs.get("value", "")


def formulaire(reponse, indice=0):
    p = Formulaires()
    p.feed(reponse.text)
    f = p.formulaires[indice]
    return urljoin(reponse.url, f["action"]), f["champs"]


def jusqu_au_rappel(navigateur, live_server, login):
    """Départ de l'application, identification chez le fournisseur, consentement : rend l'adresse de rappel vers
    l'application (non suivie), et la demande d'autorisation envoyée au fournisseur."""
    depart = navigateur.get(f"{live_server.url}/comptes/oidc/connexion/", allow_redirects=False)
    assert depart.status_code == 302
    demande = depart.headers["Location"]
    page = navigateur.get(demande)
    action, champs = formulaire(page)
    page = navigateur.post(action, data={**champs, "prompt": "login", "login": login, "password": "x"})
    action, champs = formulaire(page)
    assert champs.get("prompt") == "consent"
    reponse = navigateur.post(action, data=champs, allow_redirects=False)
    while reponse.is_redirect and not reponse.headers["Location"].startswith(live_server.url):
        reponse = navigateur.get(urljoin(reponse.url, reponse.headers["Location"]), allow_redirects=False)
    rappel = reponse.headers["Location"]
    assert rappel.startswith(f"{live_server.url}/comptes/oidc/rappel/")
    return rappel, demande


@pytest.mark.django_db(transaction=True)
def test_connexion_complete_pkce_state_nonce_puis_deconnexion_chez_le_fournisseur(oidc, live_server):
    agent = UserFactory(administrateur=True, email="agent.test@departement.example")  # casse différente
    navigateur = requests.Session()
    accueil = navigateur.get(f"{live_server.url}/comptes/connexion/")
    assert "Se connecter avec le compte du Département" in accueil.text

    rappel, demande = jusqu_au_rappel(navigateur, live_server, "agent.test")
    parametres = parse_qs(urlparse(demande).query)
    assert parametres["response_type"] == ["code"]
    assert parametres["code_challenge_method"] == ["S256"] and len(parametres["code_challenge"][0]) >= 43
    assert len(parametres["state"][0]) >= 32 and len(parametres["nonce"][0]) >= 32
    assert "code" in parse_qs(urlparse(rappel).query)

    page = navigateur.get(rappel)
    assert page.url == f"{live_server.url}/"
    assert "Se déconnecter" in page.text  # connecté, sans second facteur local (celui du fournisseur fait foi)
    sessions = navigateur.get(f"{live_server.url}/comptes/sessions/")
    assert "compte du Département" in sessions.text
    assert agent.sessions_ouvertes.get().methode == "fournisseur"

    # Déconnexion : la session locale est close, puis celle du fournisseur (confirmation chez lui), retour ici.
    action, champs = formulaire(page)
    sortie = navigateur.post(action, data=champs, allow_redirects=False)
    fin = sortie.headers["Location"]
    assert fin.startswith(oidc["end_session_endpoint"])
    assert "id_token_hint" in parse_qs(urlparse(fin).query)
    assert navigateur.get(f"{live_server.url}/", allow_redirects=False).status_code == 302
    confirmation = navigateur.get(fin)
    action, champs = formulaire(confirmation)
    retour = navigateur.post(action, data={**champs, "logout": "yes"})
    assert retour.url.startswith(f"{live_server.url}/comptes/connexion/")
    # Chez le fournisseur aussi la session est close : une nouvelle connexion redemande l'identifiant.
    depart = navigateur.get(f"{live_server.url}/comptes/oidc/connexion/")
    assert 'name="login"' in depart.text


def texte(reponse):
    return html.unescape(reponse.text)


def _altere(url, **changements):
    morceaux = urlparse(url)
    parametres = {k: v[0] for k, v in parse_qs(morceaux.query).items()}
    parametres.update(changements)
    return urlunparse(morceaux._replace(query=urlencode(parametres)))


@pytest.mark.django_db(transaction=True)
def test_state_altere_ou_rejoue_refuse(oidc, live_server):
    UserFactory(email="agent.test@departement.example")
    navigateur = requests.Session()
    rappel, _ = jusqu_au_rappel(navigateur, live_server, "agent.test")
    refus = navigateur.get(_altere(rappel, state="state-forge-par-un-attaquant"))
    assert refus.status_code == 400
    assert "n'a pas pu être vérifiée" in texte(refus)
    assert navigateur.get(f"{live_server.url}/", allow_redirects=False).status_code == 302
    # Le vrai rappel passe une fois ; rejoué, son state n'est plus attendu.
    assert navigateur.get(rappel).url == f"{live_server.url}/"
    rejoue = navigateur.get(rappel, allow_redirects=False)
    assert rejoue.status_code == 400
    assert "n'a pas pu être vérifiée" in texte(rejoue)


@pytest.mark.django_db(transaction=True)
def test_nonce_faux_refuse(oidc, live_server):
    UserFactory(email="agent.test@departement.example")
    navigateur = requests.Session()
    rappel, _ = jusqu_au_rappel(navigateur, live_server, "agent.test")
    # Le nonce attendu par l'application (gardé dans sa session) n'est plus celui que porte le jeton d'identité.
    store = import_module(reglages.SESSION_ENGINE).SessionStore(session_key=navigateur.cookies["sessionid"])
    etats = store["oidc_states"]
    for etat in etats.values():
        etat["nonce"] = "nonce-qui-ne-correspond-pas"
    store["oidc_states"] = etats
    store.save()
    refus = navigateur.get(rappel)
    assert refus.status_code == 400
    assert "n'a pas pu être vérifiée" in texte(refus)
    assert navigateur.get(f"{live_server.url}/", allow_redirects=False).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_identite_sans_compte_refusee_sans_creation(oidc, live_server):
    from comptes.models import User

    UserFactory(email="agent.test@departement.example")
    avant = User.objects.count()
    navigateur = requests.Session()
    rappel, _ = jusqu_au_rappel(navigateur, live_server, "inconnu@departement.example")
    refus = navigateur.get(rappel)
    assert refus.status_code == 403
    assert "aucun compte de l'application ne correspond à votre adresse" in texte(refus)
    assert User.objects.count() == avant
    assert navigateur.get(f"{live_server.url}/", allow_redirects=False).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_compte_desactive_refuse(oidc, live_server):
    UserFactory(email="agent.test@departement.example", is_active=False)
    navigateur = requests.Session()
    rappel, _ = jusqu_au_rappel(navigateur, live_server, "agent.test")
    refus = navigateur.get(rappel)
    assert refus.status_code == 403
    assert "désactivé" in refus.text

"""Constats 2 et 4 de la sonde de sécurité : comptes de démonstration hors DEBUG, page de connexion bornée,
X-Forwarded-For invalide."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from commun.securite import adresse_client
from comptes.models import User
from comptes.services import COMPTES_DEMO, MOT_DE_PASSE_DEMO
from tests.comptes.factories import UserFactory

RACINE = Path(__file__).resolve().parents[2]


def connexion(client, username, password, **extra):
    return client.post(reverse("comptes:connexion"), {"username": username, "password": password}, **extra)


@pytest.fixture
def demo(db, settings):
    call_command("demo", echelle="petite", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.DEBUG = False
    settings.DEMO_AUTORISEE = False  # ce que plan_emploi.settings pose quand DEBUG est désactivé
    return settings


def test_tous_les_comptes_de_la_demo_sont_marques(demo):
    identifiants = {c[0] for c in COMPTES_DEMO} | {"prestataire2"}
    marques = set(User.objects.filter(compte_demo=True).values_list("username", flat=True))
    assert identifiants <= marques
    # Les référents ajoutés par la démo des bénéficiaires aussi ; aucun autre compte.
    assert all(u in identifiants or u.startswith("referent.") for u in marques)
    assert not User.objects.filter(compte_demo=False, email__endswith="@example.org").exists()


def test_comptes_de_demo_refuses_hors_debug_quel_que_soit_le_mot_de_passe(client, demo):
    for identifiant in ("admin", "pilotage", "referent", "prestataire2"):
        reponse = connexion(client, identifiant, MOT_DE_PASSE_DEMO)
        assert reponse.status_code == 200, identifiant
        assert "Identifiant ou mot de passe incorrect" in reponse.content.decode()
        assert "_auth_user_id" not in client.session
    # Mot de passe changé : toujours refusé (c'est le compte qui est refusé, pas le mot de passe public).
    admin = User.objects.get(username="admin")
    admin.set_password("un-autre-mot-de-passe-solide-2026")
    admin.save()
    assert connexion(client, "admin", "un-autre-mot-de-passe-solide-2026").status_code == 200
    # Un compte ordinaire, lui, se connecte.
    UserFactory(username="vrai.agent")
    assert connexion(client, "vrai.agent", "mot-de-passe-de-test").status_code == 302


def test_session_ouverte_par_un_compte_de_demo_cesse_hors_debug(client, db, settings):
    call_command("demo", echelle="petite", stdout=open(os.devnull, "w"))  # noqa: SIM115
    client.force_login(User.objects.get(username="admin"))
    assert client.get(reverse("accueil")).status_code == 200
    settings.DEBUG = False
    settings.DEMO_AUTORISEE = False
    assert client.get(reverse("accueil")).status_code == 302


def test_demo_refusee_hors_debug(db, settings):
    settings.DEMO_AUTORISEE = False
    with pytest.raises(CommandError, match="réservées au développement"):
        call_command("demo")
    assert not User.objects.exists()


def _reglages(env_extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DEMO_AUTORISEE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(SECRET_KEY="test-" + "x" * 50, ALLOWED_HOSTS="plan-emploi.example.fr", **env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", "from django.conf import settings as s;"
         "print(s.DEBUG, s.DEMO_AUTORISEE)"],
        cwd=RACINE, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_aucune_variable_ne_rouvre_la_demo_hors_debug():
    resultat = _reglages({"DEBUG": "0", "DEMO_AUTORISEE": "1"})
    assert resultat.returncode == 0, resultat.stderr
    assert resultat.stdout.split() == ["False", "False"]


def test_commande_demo_refusee_hors_debug_en_francais():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DEMO_AUTORISEE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(DEBUG="0", DEMO_AUTORISEE="1", SECRET_KEY="test-" + "x" * 50, DATABASE_URL="sqlite:///:memory:")
    resultat = subprocess.run(
        [sys.executable, "manage.py", "demo"], cwd=RACINE, env=env, capture_output=True, text=True, timeout=120
    )
    assert resultat.returncode != 0
    assert "réservées au développement (DEBUG=1)" in resultat.stderr


# --- Constat 4 : page de connexion ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_identifiant_demesure_erreur_du_formulaire_sans_trace_ni_erreur_500(client, settings):
    settings.AXES_ENABLED = True
    reponse = connexion(client, "a" * 10_000, "x", REMOTE_ADDR="10.0.0.1")
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "au plus 150 caractères" in page
    # Rien n'est parti à l'authentification : aucune tentative enregistrée (colonne de 255 caractères d'axes).
    assert not AccessAttempt.objects.exists()
    reponse = connexion(client, "rachida", "p" * 5000, REMOTE_ADDR="10.0.0.1")
    assert reponse.status_code == 200
    assert "au plus 1024 caractères" in reponse.content.decode()


@pytest.mark.parametrize("entete", ["pas-une-adresse", "999.1.1.1", "<script>", "10.0.0.1:443", "\x00"])
def test_x_forwarded_for_invalide_ignore_et_journalise(settings, caplog, entete):
    settings.PROXYS_DE_CONFIANCE = 1
    requete = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=entete, REMOTE_ADDR="192.0.2.7")
    with caplog.at_level(logging.WARNING, logger="commun.securite"):
        assert adresse_client(requete) == "192.0.2.7"
    assert "X-Forwarded-For" in caplog.text and "invalide" in caplog.text


def test_x_forwarded_for_valide_retenu(settings):
    settings.PROXYS_DE_CONFIANCE = 1
    requete = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.5, 2001:db8::1", REMOTE_ADDR="192.0.2.7")
    assert adresse_client(requete) == "2001:db8::1"


@pytest.mark.django_db
def test_connexion_avec_x_forwarded_for_invalide_aboutit(client, settings, caplog):
    settings.AXES_ENABLED = True
    settings.PROXYS_DE_CONFIANCE = 1
    UserFactory(username="rachida")
    with caplog.at_level(logging.WARNING, logger="commun.securite"):
        reponse = connexion(client, "rachida", "mot-de-passe-de-test", REMOTE_ADDR="192.0.2.7",
                            HTTP_X_FORWARDED_FOR="n'importe quoi")  # fmt: skip
    assert reponse.status_code == 302
    assert "invalide" in caplog.text
    # Un échec avec un en-tête invalide est compté sur l'adresse du pair.
    connexion(Client(), "rachida", "faux", REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="pas-une-ip")
    assert AccessAttempt.objects.get().ip_address == "192.0.2.7"

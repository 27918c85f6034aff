import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from commun.menu_registre import entrees_pour
from comptes.models import Role, User
from comptes.services import MOT_DE_PASSE_DEMO
from tests.comptes.factories import UserFactory

RACINE = Path(__file__).resolve().parents[2]


def test_sans_secret_key_et_sans_debug_le_demarrage_echoue():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env["DEBUG"] = "0"
    resultat = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=RACINE, env=env, capture_output=True, text=True
    )
    assert resultat.returncode != 0
    assert "SECRET_KEY est obligatoire" in resultat.stderr


@pytest.mark.django_db
def test_connexion_et_deconnexion(client):
    UserFactory(username="rachida", referent=True)
    page = client.get(reverse("comptes:connexion"))
    assert "Connexion" in page.content.decode()
    reponse = client.post(reverse("comptes:connexion"), {"username": "rachida", "password": "mot-de-passe-de-test"})
    assert reponse.status_code == 302
    assert client.get(reverse("accueil")).status_code == 200
    reponse = client.post(reverse("comptes:deconnexion"))
    assert reponse.status_code == 302
    assert client.get(reverse("accueil")).status_code == 302


@pytest.mark.django_db
def test_mauvais_mot_de_passe_message_en_francais(client):
    UserFactory(username="rachida")
    reponse = client.post(reverse("comptes:connexion"), {"username": "rachida", "password": "faux"})
    assert "Identifiant ou mot de passe incorrect" in reponse.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/"])
def test_anonyme_renvoye_vers_la_connexion(client, url):
    reponse = client.get(url)
    assert reponse.status_code == 302
    assert reponse.url.startswith(reverse("comptes:connexion"))


@pytest.mark.django_db
def test_chaque_role_voit_exactement_ses_entrees(client):
    from commun.menu_registre import _entrees

    for role in Role.values:
        user = UserFactory(role=role, **({"prestataire": True} if role == Role.PRESTATAIRE else {}))
        attendues = {e.nom_url for e in _entrees.values() if role in e.roles or user.is_superuser}
        vues = {e["nom_url"] for e in entrees_pour(user)}
        assert vues == attendues, role
        client.force_login(user)
        page = client.get(reverse("accueil")).content.decode()
        for e in entrees_pour(user):
            assert f'href="{e["url"]}"' in page
        if role != Role.ADMINISTRATEUR:
            assert 'href="/admin/"' not in page
    assert "admin:index" in {e["nom_url"] for e in entrees_pour(User.objects.get(role=Role.ADMINISTRATEUR))}


@pytest.mark.django_db
def test_pages_d_erreur_en_francais(client, referent):
    from comptes.views import erreur_403

    client.force_login(referent)
    reponse = client.get("/page-qui-n-existe-pas/")
    assert reponse.status_code == 404
    assert "Page introuvable" in reponse.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302  # pas staff : renvoyé vers la connexion admin
    rendu = erreur_403(type("R", (), {"user": referent, "path": "/", "META": {}})())
    assert rendu.status_code == 403
    assert "Accès refusé" in rendu.content.decode()


@pytest.mark.django_db
def test_demo_idempotente_et_comptes_connectables(client):
    call_command("demo", echelle="petite")
    nb = User.objects.count()
    call_command("demo", echelle="petite")
    assert User.objects.count() == nb
    assert client.login(username="referent", password=MOT_DE_PASSE_DEMO)
    for identifiant in ("admin", "pilotage", "referent", "prestataire", "mobilite"):
        assert User.objects.filter(username=identifiant).exists()


@pytest.mark.django_db
def test_comptes_demo_refuses_hors_developpement(settings):
    from django.core.management import CommandError

    settings.DEMO_AUTORISEE = False
    with pytest.raises(CommandError, match="réservées au développement"):
        call_command("demo")


@pytest.mark.django_db
def test_sonde_de_sante(client):
    reponse = client.get("/sante/")
    assert reponse.status_code == 200
    assert reponse.json() == {"statut": "ok", "base": "ok"}


def test_sans_secret_key_seul_makemigrations_demarre():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env["DEBUG"] = "0"
    resultat = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=RACINE,
        env=env,
        capture_output=True,
        text=True,
    )
    assert resultat.returncode == 0, resultat.stderr
    serveur = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check"], cwd=RACINE, env=env, capture_output=True, text=True
    )
    assert "SECRET_KEY est obligatoire" in serveur.stderr


def test_navigation_faite_une_fois_par_requete_avec_les_adresses_de_reverse(client, referent):
    """La barre de navigation, demandée par chaque gabarit rendu (corps, page, fragments), est faite une fois par
    requête ; ses adresses sont celles de `reverse`, calculées une fois par processus."""
    from unittest import mock

    from django.urls import reverse

    from commun import context_processors, menu_registre

    client.force_login(referent)
    with mock.patch.object(context_processors, "entrees_pour", wraps=menu_registre.entrees_pour) as faite:
        reponse = client.get(reverse("beneficiaires:liste"))
    assert reponse.status_code == 200 and faite.call_count == 1
    for e in reponse.context["navigation"]:
        assert e["url"] == reverse(e["nom_url"])
    assert any(e["actif"] for e in reponse.context["navigation"])

"""En-têtes de sécurité, politique de contenu (CSP), réglages de production, sonde de santé."""

import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.conf import settings as reglages
from django.db.utils import OperationalError
from django.urls import reverse

from tests.beneficiaires.factories import BeneficiaireFactory

RACINE = Path(__file__).resolve().parents[2]


def env_production(**extra):
    # Environnement propre : d'autres tests (navigateur) posent DJANGO_ALLOW_ASYNC_UNSAFE dans le processus.
    retires = ("DEBUG", "SECRET_KEY", "DEMO_AUTORISEE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in retires}
    env.update(
        DEBUG="0",
        SECRET_KEY="test-" + "k7Qz9vR2mX4pL8wN6tY3bH5jD1fG0sAeUiOcVbNmQwErTyUiOp",
        ALLOWED_HOSTS="plan-emploi.example.fr",
        **extra,
    )
    return env


@pytest.mark.django_db
def test_politique_de_contenu_sans_script_en_ligne(client, referent):
    client.force_login(referent)
    reponse = client.get(reverse("accueil"))
    csp = reponse["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "http:" not in csp and "https:" not in csp  # aucune ressource externe (pas de CDN)


@pytest.mark.django_db
def test_entetes_de_securite(client):
    reponse = client.get(reverse("comptes:connexion"))
    assert reponse["X-Frame-Options"] == "DENY"
    assert reponse["Referrer-Policy"] == "same-origin"
    assert reponse["X-Content-Type-Options"] == "nosniff"
    assert reponse["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Content-Security-Policy" in reponse


@pytest.mark.django_db
def test_hsts_en_https_avec_les_valeurs_de_production(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    reponse = client.get(reverse("comptes:connexion"), secure=True)
    assert reponse["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_check_deploy_sans_avertissement():
    # Cache partagé (Redis) : le cache local en mémoire est refusé hors DEBUG (tests/commun/test_versions.py).
    resultat = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=RACINE,
        env={**env_production(), "CACHE_URL": "redis://127.0.0.1:6379/0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr
    assert "WARNING" not in resultat.stderr and "?:" not in resultat.stderr


def test_reglages_de_production():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY,"
        " s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.DEMO_AUTORISEE,"
        " s.DEBUG, s.SESSION_COOKIE_AGE, s.SESSION_PROLONGATION_PAS)"
    )
    resultat = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=RACINE,
        env=env_production(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert resultat.returncode == 0, resultat.stderr
    assert resultat.stdout.strip().splitlines()[-1].split() == [
        "True", "True", "True", "True", "True", "31536000", "True", "False", "False", "7200", "300"
    ]  # fmt: skip


@pytest.mark.django_db
def test_sante_repond_sans_donnee_personnelle(client):
    BeneficiaireFactory(nom="Dupont-Secret", prenoms="Ginette")
    reponse = client.get("/sante/")
    assert reponse.status_code == 200
    assert reponse.json() == {"statut": "ok", "base": "ok"}
    assert "Dupont" not in reponse.content.decode()
    assert "sessionid" not in reponse.cookies


@pytest.mark.django_db
def test_sante_503_quand_la_base_ne_repond_pas(client):
    panne = mock.MagicMock()
    panne.cursor.side_effect = OperationalError("connexion refusée")
    with mock.patch("comptes.views.connection", panne):
        reponse = client.get("/sante/")
    assert reponse.status_code == 503
    assert reponse.json() == {"statut": "erreur", "base": "injoignable"}
    assert "refusée" not in reponse.content.decode()  # pas de détail technique


# --- Gabarits : rien que la CSP refuserait -------------------------------------------------------------

SCRIPT_EN_LIGNE = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUT = re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=", re.IGNORECASE | re.DOTALL)
BALISE_STYLE = re.compile(r"<style\b", re.IGNORECASE)
GESTIONNAIRE = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
URL_JAVASCRIPT = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def dossiers_de_gabarits():
    dossiers = [Path(d) for d in reglages.TEMPLATES[0]["DIRS"]]
    for config in apps.get_app_configs():
        chemin = Path(config.path)
        if chemin.is_relative_to(RACINE) and ".venv" not in chemin.parts:
            dossiers.append(chemin / "templates")
    return [d for d in dossiers if d.is_dir()]


def gabarits():
    return sorted(
        {f for d in dossiers_de_gabarits() for f in d.rglob("*.html")}
        | {f for d in dossiers_de_gabarits() for f in d.rglob("*.txt")}
    )


def test_les_gabarits_sont_trouves():
    noms = {f.name for f in gabarits()}
    assert {"base.html", "connexion.html", "verrouille.html"} <= noms


def test_aucun_script_ni_style_en_ligne_dans_les_gabarits():
    fautes = []
    for fichier in gabarits():
        texte = fichier.read_text(encoding="utf-8")
        # Les commentaires Django ne partent pas au navigateur.
        texte = re.sub(r"\{#.*?#\}", "", texte)
        texte = re.sub(r"\{% comment %\}.*?\{% endcomment %\}", "", texte, flags=re.DOTALL)
        for nom, motif in [
            ("<script> en ligne (sans src)", SCRIPT_EN_LIGNE),
            ("attribut style=", STYLE_ATTRIBUT),
            ("balise <style>", BALISE_STYLE),
            ("gestionnaire on...=", GESTIONNAIRE),
            ("URL javascript:", URL_JAVASCRIPT),
        ]:
            for m in motif.finditer(texte):
                ligne = texte.count("\n", 0, m.start()) + 1
                fautes.append(f"{fichier.relative_to(RACINE)}:{ligne} : {nom}")
    assert not fautes, "La CSP bloquerait :\n" + "\n".join(fautes)


@pytest.mark.parametrize(
    "extrait,motif",
    [
        ("<script>alert(1)</script>", SCRIPT_EN_LIGNE),
        ('<div class="x" style="color:red">', STYLE_ATTRIBUT),
        ('<button type="button"\n onclick="go()">', GESTIONNAIRE),
        ("<style>.a{}</style>", BALISE_STYLE),
        ('<a href="javascript:void(0)">', URL_JAVASCRIPT),
    ],
)
def test_le_detecteur_voit_les_fautes(extrait, motif):
    assert motif.search(extrait)


@pytest.mark.parametrize(
    "extrait",
    ['<script src="/static/a.js"></script>', '<option value="1">', '<input name="conditions">', "<p>on=1</p>"],
)
def test_le_detecteur_ne_crie_pas_au_loup(extrait):
    for motif in (SCRIPT_EN_LIGNE, STYLE_ATTRIBUT, GESTIONNAIRE, BALISE_STYLE, URL_JAVASCRIPT):
        assert not motif.search(extrait)

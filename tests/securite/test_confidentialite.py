"""Confidentialité : pas de cache des pages et exports d'un utilisateur connecté, refus journalisés en une ligne,
aucun terme de recherche dans les journaux d'accès (gunicorn, serveur de développement)."""

import datetime
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse
from gunicorn.config import Config
from gunicorn.glogging import Logger

from commun.confidentialite import ServeurSansRequeteFilter
from tests.beneficiaires.factories import BeneficiaireFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        lambda b: reverse("beneficiaires:liste") + "?q=Dupont",
        lambda b: reverse("beneficiaires:liste") + "?_export=csv",
        lambda b: reverse("beneficiaires:detail", args=[b.pk]),
        lambda b: reverse("tableau_de_bord:export", kwargs={"format": "xlsx"}),
        lambda b: reverse("accueil"),
    ],
)
def test_pages_et_exports_d_un_utilisateur_connecte_ne_sont_pas_gardes_en_cache(client, bassins, referent, url):
    b = BeneficiaireFactory(commune=bassins["Orléans"].commune_test, referent=referent)
    client.force_login(referent)
    reponse = client.get(url(b))
    assert reponse.status_code == 200
    assert "no-store" in reponse["Cache-Control"] and "private" in reponse["Cache-Control"]


def test_sante_reste_sans_no_store_et_un_refus_a_un_connecte_n_est_pas_garde(client, referent_gien, bassins):
    """/sante/ (anonyme, sans donnée personnelle) garde ses en-têtes ; une page 404 d'un connecté est no-store."""
    assert "no-store" not in client.get(reverse("sante")).get("Cache-Control", "")
    client.force_login(referent_gien)
    b = BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    reponse = client.get(reverse("beneficiaires:detail", args=[b.pk]))
    assert reponse.status_code == 404 and "no-store" in reponse["Cache-Control"]


@pytest.mark.parametrize("cas", ["hors_perimetre", "mauvais_role"])
def test_un_acces_refuse_tient_en_une_ligne_sans_pile_ni_parametres(client, bassins, referent_gien, caplog, cas):
    b = BeneficiaireFactory(commune=bassins["Orléans"].commune_test, nom="Dupont")
    client.force_login(referent_gien)
    if cas == "hors_perimetre":
        url, attendu = reverse("beneficiaires:detail", args=[b.pk]), 404
    else:
        url, attendu = reverse("beneficiaires:import"), 403
    with caplog.at_level(logging.WARNING, logger="django.request"):
        reponse = client.get(url + "?q=Dupont")
    assert reponse.status_code == attendu
    lignes = [r for r in caplog.records if r.name == "django.request"]
    assert len(lignes) == 1
    ligne = lignes[0]
    assert ligne.exc_info is None and ligne.exc_text is None
    assert ligne.getMessage() == f"Accès refusé ({attendu}) : utilisateur {referent_gien.pk}, GET {url}"
    assert "Dupont" not in caplog.text and "Traceback" not in caplog.text
    assert "\n" not in logging.Formatter(settings.LOGGING["formatters"]["ligne"]["format"]).format(ligne)


def test_le_journal_d_acces_de_gunicorn_omet_les_parametres_d_url():
    fichier = Path(settings.BASE_DIR) / "plan_emploi" / "gunicorn.conf.py"
    reglages = runpy.run_path(str(fichier))
    config = Config()
    config.set("access_log_format", reglages["access_log_format"])
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/beneficiaires/?q=Dupont",
        "PATH_INFO": "/beneficiaires/",
        "QUERY_STRING": "q=Dupont",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "https://plan-emploi.example.fr/beneficiaires/?q=Martin",
        "HTTP_USER_AGENT": "Firefox",
    }
    reponse = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    atomes = Logger(config).atoms(reponse, SimpleNamespace(headers=[]), environ, datetime.timedelta(seconds=0.2))
    ligne = reglages["access_log_format"] % atomes
    assert '"GET /beneficiaires/ HTTP/1.1" 200 1234' in ligne
    assert "Dupont" not in ligne and "Martin" not in ligne


def test_la_ligne_du_serveur_de_developpement_perd_ses_parametres():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /beneficiaires/?q=Dupont HTTP/1.1", "200", "5"),
        None,
    )
    ServeurSansRequeteFilter().filter(record)
    assert record.getMessage() == '"GET /beneficiaires/ HTTP/1.1" 200 5'

"""Invalidation entre processus : avec un cache partagé (ici le cache en base), l'écriture faite par un autre
processus périme le tableau mis en cache par celui-ci. Sur PostgreSQL seulement (l'autre processus doit joindre
la base de test, ce que la base SQLite en mémoire des tests ne permet pas)."""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from referentiel.models import BassinEmploi
from tableau_de_bord.selecteurs import tableau_calculer

RACINE = Path(__file__).resolve().parents[2]
TABLE = "tableau_de_bord_cache_test"

ECRITURE = """
import django
django.setup()
from datetime import date
from decimal import Decimal
from tableau_de_bord.services import chiffre_cle_enregistrer
chiffre_cle_enregistrer(nature="budget_rsa", date=date(2018, 1, 1), valeur=Decimal("90000000"))
"""


def autre_processus(code):
    reglages = connection.settings_dict
    hote = f"{reglages['HOST'] or '127.0.0.1'}:{reglages['PORT'] or 5432}"
    url = f"postgres://{reglages['USER']}@{hote}/{reglages['NAME']}"
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": url,
        "CACHE_URL": f"dbcache://{TABLE}",
        "DJANGO_SETTINGS_MODULE": "plan_emploi.settings",
    }
    resultat = subprocess.run(
        [sys.executable, "-c", code], cwd=RACINE, env=env, capture_output=True, text=True, timeout=120
    )
    assert resultat.returncode == 0, resultat.stderr[-2000:]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ecriture_dans_un_autre_processus_invalide_le_cache_partage(postgresql_requis, bassins, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": TABLE}}
    call_command("createcachetable", verbosity=0)
    liste = list(BassinEmploi.objects.order_by("nom"))
    periode = {"debut": date(2018, 1, 1), "fin": date(2018, 12, 31), "bassins": liste, "restreint": False}
    assert tableau_calculer(**periode).budget is None  # calculé puis mis en cache (partagé)
    assert tableau_calculer(**periode).budget is None  # servi par le cache

    autre_processus(ECRITURE)  # un autre « worker » gunicorn enregistre le budget 2018

    budget = tableau_calculer(**periode).budget
    assert budget is not None and budget["annee"] == 2018

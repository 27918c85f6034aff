"""Versions des données en base (commun/versions.py) et contrôle de déploiement du cache (commun/checks.py)."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import transaction

from commun import versions
from tests.beneficiaires.factories import BeneficiaireFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_une_ecriture_validee_n_incremente_que_son_application(bassins):
    avant = {e: versions.versions(e) for e in ("beneficiaires", "contrats", "mobilite")}
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    assert versions.versions("beneficiaires") != avant["beneficiaires"]
    assert versions.versions("contrats") == avant["contrats"]
    assert versions.versions("mobilite") == avant["mobilite"]


def test_incrementee_une_seule_fois_apres_validation_jamais_apres_annulation(bassins):
    avant = int(versions.versions("beneficiaires"))
    with transaction.atomic():
        for _ in range(3):
            BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
        assert versions.en_attente("beneficiaires")
        assert versions.versions("beneficiaires").startswith(f"{avant}+")  # jeton propre à la transaction
    assert int(versions.versions("beneficiaires")) == avant + 1
    with transaction.atomic():
        BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
        transaction.set_rollback(True)
    assert int(versions.versions("beneficiaires")) == avant + 1


def test_la_derniere_connexion_ne_perime_rien(referent):
    avant = versions.versions("comptes")
    referent.save(update_fields=["last_login"])
    assert versions.versions("comptes") == avant
    referent.save(update_fields=["first_name"])
    assert versions.versions("comptes") != avant


def test_sauter_depasse_toute_valeur_servie():
    versions.ecritures_en_masse()
    valeurs = [int(versions.versions(e)) for e in sorted(versions.applications_du_projet())]
    versions.sauter()
    apres = [int(versions.versions(e)) for e in sorted(versions.applications_du_projet())]
    assert min(apres) > max(valeurs) + 10**12


def test_check_deploy_refuse_le_cache_local_hors_debug(settings):
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with pytest.raises(SystemCheckError, match="CACHE_URL"):
        call_command("check", "--deploy", "--tag", "caches")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    call_command("check", "--deploy", "--tag", "caches")
    settings.DEBUG = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    call_command("check", "--deploy", "--tag", "caches")

"""Garde-fous et fixtures communs à toute la suite."""

import pytest
from django.db import connection

from tests.comptes.factories import UserFactory
from tests.concurrence import postgresql_requis  # noqa: F401 - fixture partagée
from tests.referentiel.factories import BassinFactory, CommuneFactory


@pytest.fixture(autouse=True)
def _reglages_de_test(settings):
    # Hachage rapide des mots de passe en test ; données de démonstration autorisées.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEMO_AUTORISEE = True
    settings.AXES_ENABLED = False
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def est_postgresql():
    return connection.vendor == "postgresql"


@pytest.fixture
def bassins(db):
    """Les 4 bassins d'emploi du Loiret, chacun avec une commune."""
    noms = ["Orléans", "Montargis", "Gien", "Pithiviers"]
    resultat = {}
    for nom in noms:
        bassin = BassinFactory(nom=nom)
        bassin.commune_test = CommuneFactory(nom=nom, bassin_emploi=bassin)
        resultat[nom] = bassin
    return resultat


@pytest.fixture
def admin_user(db):
    return UserFactory(administrateur=True)


@pytest.fixture
def pilotage(db):
    return UserFactory(pilotage=True)


@pytest.fixture
def referent(db, bassins):
    """Un référent du bassin d'Orléans."""
    return UserFactory(referent=True, bassins=[bassins["Orléans"]])


@pytest.fixture
def referent_gien(db, bassins):
    return UserFactory(referent=True, bassins=[bassins["Gien"]])


@pytest.fixture
def agent_mobilite(db):
    return UserFactory(agent_mobilite=True)

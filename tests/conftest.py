"""Garde-fous et fixtures communs à toute la suite."""

import uuid

import pytest
from django.conf import settings as reglages
from django.db import connection
from django.template import TemplateSyntaxError

from commun.filtres import oublier_les_choix_du_referentiel
from commun.tableaux import oublier_les_perimetres
from comptes.backends import oublier_les_comptes_lus
from tests.comptes.factories import UserFactory
from tests.concurrence import postgresql_requis  # noqa: F401 - fixture partagée
from tests.e2e import conftest as e2e
from tests.referentiel.factories import BassinFactory, CommuneFactory


class VariableInconnue(str):
    """`string_if_invalid` des tests : une variable de gabarit qui n'existe pas fait échouer le test au lieu de
    s'afficher vide (le moteur remplace `%s` par le nom de la variable introuvable)."""

    def __mod__(self, nom):
        raise TemplateSyntaxError(f"Variable de gabarit inconnue : {nom!r}")

    def __contains__(self, motif):
        return motif == "%s" or super().__contains__(motif)


def pytest_configure(config):
    # Réglage des tests seulement : posé avant que le moteur de gabarits ne soit construit.
    for moteur in reglages.TEMPLATES:
        if moteur["BACKEND"] == "django.template.backends.django.DjangoTemplates":
            moteur.setdefault("OPTIONS", {})["string_if_invalid"] = VariableInconnue("%s")


@pytest.fixture(autouse=True)
def _cache_propre_au_test(settings):
    """Chaque test a son propre préfixe de clés dans chaque cache : aucun test ne voit une page qu'un autre a mise
    en cache, même quand plusieurs processus partagent un même serveur Redis."""
    prefixe = f"test-{uuid.uuid4().hex}"
    # De même pour ce qui est gardé par processus sous une version (choix du référentiel, comptes des sessions) : la
    # fin d'un test remet les versions à leurs valeurs d'avant (et SQLite peut redonner les mêmes clés).
    oublier_les_choix_du_referentiel()
    oublier_les_comptes_lus()
    oublier_les_perimetres()
    settings.CACHES = {
        alias: {**conf, "KEY_PREFIX": f"{conf.get('KEY_PREFIX', '')}{prefixe}"}
        for alias, conf in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def _reglages_de_test(settings, tmp_path):
    # Hachage rapide des mots de passe en test ; données de démonstration autorisées. Le blocage (axes) et le
    # second facteur, qui demandent chacun un parcours de connexion complet, sont activés par les tests qui les
    # vérifient (tests/securite/test_connexion.py, tests/comptes/test_double_facteur.py) : ailleurs, force_login
    # tient lieu de connexion complète.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEMO_AUTORISEE = True
    settings.AXES_ENABLED = False
    settings.DOUBLE_FACTEUR_ROLES = []
    # Les tâches s'exécutent dans le processus du test (après validation) : seul le test de l'ouvrier réel
    # (tests/commun/test_ouvrier.py) passe par la file PostgreSQL et un processus `procrastinate worker`.
    settings.TACHES_EN_PROCESSUS = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "justificatifs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "justificatifs")},
        },
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


# --- Parcours dans Chromium rangés dans le dossier d'une application -------------------------------------
# (le conftest de tests/e2e, qui redéfinit navigateur et onglet pour tout son dossier, ne vaut que là)

onglet = e2e.onglet


@pytest.fixture(scope="module")
def _orm_pendant_le_parcours():
    """L'API synchrone de Playwright fait tourner une boucle asyncio dans le fil du test : l'ORM n'y est permis
    que pendant le module qui a ouvert le navigateur (vidage de la base compris), jamais pour le reste."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def navigateur(request, _orm_pendant_le_parcours):
    """Le Chromium déjà ouvert par un autre module de parcours (un seul Playwright synchrone par processus),
    sinon un Chromium propre au module, fermé à sa fin. Sans Chromium, le parcours est sauté avec sa raison."""
    for definition in request._fixturemanager._arg2fixturedefs.get("navigateur", ()):
        resultat = getattr(definition, "cached_result", None)
        if resultat is not None and resultat[0] is not None:
            yield resultat[0]
            return
    if e2e.CHROMIUM is None:
        pytest.skip(e2e.RAISON_SANS_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        ouvert = pw.chromium.launch(executable_path=e2e.CHROMIUM, args=e2e.ARGUMENTS_CHROMIUM, headless=True)
        try:
            yield ouvert
        finally:
            ouvert.close()


def _transactionnel(item):
    marque = item.get_closest_marker("django_db")
    if marque is not None and (marque.kwargs.get("transaction") or marque.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """L'ordre aléatoire (pytest-randomly) ne doit pas défaire l'ordre de Django : les tests qui valident leurs
    transactions vident les tables à la fin (données des migrations comprises) et passent donc après tous les
    autres. Le tri est stable : l'ordre aléatoire reste à l'intérieur de chaque groupe."""
    items.sort(key=_transactionnel)

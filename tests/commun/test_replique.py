"""Lectures différées sur la réplique (commun/routage.py) : routage, lecture après sa propre écriture, réplique en
retard. Les tests « réplique réelle » tournent quand DATABASE_REPLICA_URL désigne une réplique en streaming de la
base de DATABASE_URL (CI : .ci/replique.sh) ; les autres tournent partout."""

import os
import time

import environ
import pytest
from django.conf import settings as reglages
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from beneficiaires.models import Beneficiaire
from commun import routage
from tests.beneficiaires.factories import BeneficiaireFactory

# La réplique n'est déclarée que si DATABASE_REPLICA_URL est défini ; sans elle, les tests réels sont sautés.
BASES = ["default", routage.ALIAS] if routage.ALIAS in reglages.DATABASES else ["default"]


def test_sans_replique_tout_va_a_la_base_principale(db):
    with routage.lectures_differees() as permis:
        assert not permis
        assert routage.Routeur().db_for_read(Beneficiaire) == DEFAULT_DB_ALIAS
    assert routage.Routeur().db_for_write(Beneficiaire) == DEFAULT_DB_ALIAS
    assert not routage.Routeur().allow_migrate(routage.ALIAS, "beneficiaires")


def _requete(cookie=None):
    requete = RequestFactory().get("/")
    if cookie is not None:
        requete.COOKIES[routage.COOKIE] = cookie
    return requete


def test_le_cookie_d_une_ecriture_recente_garde_les_lectures_sur_la_principale(settings):
    vues = []

    def vue(requete):
        vues.append(routage.ecriture_recente())
        return HttpResponse()

    intergiciel = routage.RoutageMiddleware(vue)
    intergiciel(_requete(str(time.time())))
    intergiciel(_requete(str(time.time() - settings.DATABASE_REPLICA_FENETRE - 1)))
    intergiciel(_requete("pas un nombre"))
    assert vues == [True, False, False]


def test_la_requete_qui_ecrit_pose_le_cookie(settings):
    settings.DATABASES = {**settings.DATABASES, routage.ALIAS: settings.DATABASES[DEFAULT_DB_ALIAS]}

    def vue(requete):
        routage.ecriture_faite()
        assert routage.ecriture_recente()
        return HttpResponse()

    reponse = routage.RoutageMiddleware(vue)(_requete())
    assert float(reponse.cookies[routage.COOKIE].value) > time.time() - 5
    assert reponse.cookies[routage.COOKIE]["httponly"]
    assert not routage.ecriture_recente()  # remis à zéro après la requête


# --- Réplique réelle ---------------------------------------------------------------------------------------


@pytest.fixture
def replique_reelle(postgresql_requis):
    if not os.environ.get("DATABASE_REPLICA_URL") or routage.ALIAS not in connections.settings:
        pytest.skip("DATABASE_REPLICA_URL : réplique en streaming de la base principale (CI : .ci/replique.sh)")
    reelle = environ.Env.db_url_config(os.environ["DATABASE_REPLICA_URL"])
    conn = connections[routage.ALIAS]
    avant = conn.settings_dict
    conn.close()
    # En test, l'alias est un miroir de la base de test ; on le pointe sur la vraie réplique de cette base.
    conn.settings_dict = {
        **avant,
        "HOST": reelle["HOST"],
        "PORT": reelle["PORT"],
        "NAME": connections["default"].settings_dict["NAME"],
    }
    yield conn
    conn.close()
    conn.settings_dict = avant


def _attendre_la_replique():
    for _ in range(100):
        if routage.replique_a_jour():
            return
        time.sleep(0.1)
    raise AssertionError("la réplique n'a pas rattrapé la base principale en 10 s")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=BASES)
def test_lectures_differees_sur_la_replique_reelle_et_jamais_en_retard(replique_reelle, bassins):
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    _attendre_la_replique()
    with replique_reelle.cursor() as curseur:
        curseur.execute("SELECT pg_is_in_recovery()")
        assert curseur.fetchone()[0] is True  # une vraie réplique en lecture seule
    with routage.lectures_differees() as permis, CaptureQueriesContext(replique_reelle) as requetes:
        assert permis
        assert Beneficiaire.objects.count() == 1
    assert any("beneficiaires_beneficiaire" in q["sql"] for q in requetes.captured_queries)

    # Réplique en retard (rejeu suspendu) : le bloc lit la base principale, qui a la nouvelle personne.
    with replique_reelle.cursor() as curseur:
        curseur.execute("SELECT pg_wal_replay_pause()")
    try:
        BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
        with routage.lectures_differees() as permis:
            assert not permis
            assert Beneficiaire.objects.count() == 2
    finally:
        with replique_reelle.cursor() as curseur:
            curseur.execute("SELECT pg_wal_replay_resume()")
    _attendre_la_replique()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=BASES)
def test_apres_sa_propre_ecriture_l_utilisateur_lit_la_principale(replique_reelle, client, bassins, pilotage):
    client.force_login(pilotage)
    _attendre_la_replique()
    with CaptureQueriesContext(replique_reelle) as requetes:
        assert client.get("/tableau-de-bord/?debut=2018-01-01&fin=2018-12-31").status_code == 200
    assert requetes.captured_queries  # tableau calculé sur la réplique
    client.cookies[routage.COOKIE] = str(time.time())  # ce que pose une requête qui écrit
    with CaptureQueriesContext(replique_reelle) as requetes:
        assert client.get("/tableau-de-bord/?debut=2017-01-01&fin=2017-12-31").status_code == 200
    assert not requetes.captured_queries

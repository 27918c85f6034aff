"""Le compte d'une session relu en base seulement quand les comptes ont changé (comptes.backends) : une page ne
relit pas le compte, et tout changement validé du compte (désactivation, rôle, mot de passe) vaut dès la requête
suivante, dans chaque processus (la version des comptes est en base).

Transactions réellement validées (transaction=True) : c'est la validation qui change les versions."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptes.backends import ComptesBackend
from comptes.models import Role
from tests.comptes.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

LECTURE_DU_COMPTE = re.compile(r'FROM "comptes_user" WHERE "comptes_user"\."id" = \d+ LIMIT 21')


def _page(client, nom="beneficiaires:liste"):
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(reverse(nom))
    return reponse, sum(bool(LECTURE_DU_COMPTE.search(q["sql"])) for q in requetes.captured_queries)


def test_compte_lu_une_fois_puis_garde(client, bassins, referent):
    client.force_login(referent)
    assert _page(client)[0].status_code == 200
    reponse, lectures = _page(client)
    assert reponse.status_code == 200 and lectures == 0


def test_compte_desactive_deconnecte_a_la_requete_suivante(client, bassins, referent):
    client.force_login(referent)
    _page(client)
    referent.is_active = False
    referent.save()
    reponse, lectures = _page(client)
    assert reponse.status_code == 302 and lectures == 1


def test_role_change_vaut_a_la_requete_suivante(client, bassins, referent):
    client.force_login(referent)
    assert _page(client)[0].status_code == 200
    referent.role = Role.AGENT_MOBILITE
    referent.save()
    assert _page(client)[0].status_code == 403


def test_mot_de_passe_change_ailleurs_ferme_la_session(client, bassins, referent):
    client.force_login(referent)
    _page(client)
    referent.set_password("Un-tout-autre-mot-de-passe-2026")
    referent.save()
    reponse, _ = _page(client)
    assert reponse.status_code == 302 and reponse.url.startswith(reverse("comptes:connexion"))


def test_chaque_requete_recoit_sa_copie_du_compte(bassins):
    user = UserFactory(referent=True)
    moteur = ComptesBackend()
    premier, second = moteur.get_user(user.pk), moteur.get_user(user.pk)
    assert premier == second == user and premier is not second
    premier.first_name = "Modifié pendant une requête"
    assert moteur.get_user(user.pk).first_name == user.first_name


def test_session_terminee_ne_revient_pas_du_cache(client, bassins, referent):
    """Entre la fin d'une session (retirée du cache) et la validation de sa transaction (ligne effacée en base),
    une autre requête de la même session la relit en base et la remet dans le cache : après la validation, elle
    n'y est plus, et la session ne vaut plus."""
    from importlib import import_module

    from django.conf import settings
    from django.core.cache import caches
    from django.db import transaction

    client.force_login(referent)
    assert _page(client)[0].status_code == 200
    cle = client.session.session_key
    store = import_module(settings.SESSION_ENGINE).SessionStore
    session = store(session_key=cle)
    donnees = session.load()
    with transaction.atomic():
        session.delete()
        # Ce que fait une requête concurrente (autre connexion, ligne pas encore effacée pour elle) : la remettre
        # dans le cache.
        caches[settings.SESSION_CACHE_ALIAS].set(session.cache_key_prefix + cle, donnees)
        assert store(session_key=cle).load() == donnees
    assert not store(session_key=cle).load()
    assert _page(client)[0].status_code == 302

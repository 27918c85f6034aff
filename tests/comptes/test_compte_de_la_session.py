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

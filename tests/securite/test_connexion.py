"""Connexion : verrouillage django-axes, mots de passe, sessions, CSRF."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.comptes.factories import UserFactory
from tests.comptes.sessions import poser_echeance

BON = "mot-de-passe-de-test"


@pytest.fixture
def axes_actif(settings):
    settings.AXES_ENABLED = True
    return settings


def connexion(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("comptes:connexion"), {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_cinq_echecs_bloquent_le_compte_meme_avec_le_bon_mot_de_passe(client, axes_actif):
    UserFactory(username="rachida")
    for _ in range(4):
        assert connexion(client, "rachida", "faux").status_code == 200
    reponse = connexion(client, "rachida", "faux")
    assert reponse.status_code == 429
    reponse = connexion(client, "rachida", BON)
    assert reponse.status_code == 429
    page = reponse.content.decode()
    assert "Compte temporairement bloqué" in page
    assert "15 minutes" in page
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accueil")).status_code == 302


@pytest.mark.django_db
def test_quatre_echecs_ne_bloquent_pas(client, axes_actif):
    UserFactory(username="rachida")
    for _ in range(4):
        connexion(client, "rachida", "faux")
    assert connexion(client, "rachida", BON).status_code == 302
    assert client.get(reverse("accueil")).status_code == 200


@pytest.mark.django_db
def test_blocage_par_compte_depuis_plusieurs_adresses(axes_actif):
    UserFactory(username="rachida")
    for i in range(5):
        connexion(Client(), "rachida", "faux", ip=f"10.0.1.{i}")
    assert connexion(Client(), "rachida", BON, ip="10.0.2.1").status_code == 429


@pytest.mark.django_db
def test_blocage_par_adresse_sur_plusieurs_comptes(axes_actif):
    UserFactory(username="victime")
    for i in range(5):
        connexion(Client(), f"inconnu{i}", "faux", ip="10.9.9.9")
    assert connexion(Client(), "victime", BON, ip="10.9.9.9").status_code == 429
    # Une autre adresse n'est pas bloquée pour ce compte, qui n'a connu aucun échec.
    assert connexion(Client(), "victime", BON, ip="10.9.9.10").status_code == 302


@pytest.mark.django_db
def test_deblocage_apres_quinze_minutes(client, axes_actif):
    UserFactory(username="rachida")
    for _ in range(5):
        connexion(client, "rachida", "faux")
    assert connexion(client, "rachida", BON).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert connexion(client, "rachida", BON).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert connexion(client, "rachida", BON).status_code == 302


@pytest.mark.django_db
def test_derriere_un_proxy_l_adresse_vient_de_x_forwarded_for(axes_actif):
    axes_actif.PROXYS_DE_CONFIANCE = 1
    UserFactory(username="victime")
    for i in range(5):
        # Même proxy (REMOTE_ADDR), même client réel : bloqué ; l'entrée forgée à gauche est ignorée.
        Client().post(
            reverse("comptes:connexion"),
            {"username": f"x{i}", "password": "faux"},
            REMOTE_ADDR="192.168.0.1",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 203.0.113.7",
        )
    bloque = Client().post(
        reverse("comptes:connexion"),
        {"username": "victime", "password": BON},
        REMOTE_ADDR="192.168.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert bloque.status_code == 429
    # Un autre client derrière le même proxy n'est pas bloqué.
    autre = Client().post(
        reverse("comptes:connexion"),
        {"username": "victime", "password": BON},
        REMOTE_ADDR="192.168.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    assert autre.status_code == 302


@pytest.mark.parametrize("mot", ["court", "onzecaracte", "123456789012345", "password1234"])
def test_mots_de_passe_faibles_refuses(mot):
    with pytest.raises(ValidationError):
        validate_password(mot)


def test_mot_de_passe_trop_court_message_francais():
    with pytest.raises(ValidationError) as exc:
        validate_password("Xq7#pLm2")
    assert any("12 caractères" in m for m in exc.value.messages)


def test_mot_de_passe_long_et_rare_accepte():
    assert validate_password("Brouette-verte-sous-la-Loire-1917") is None


@pytest.mark.django_db
def test_session_expire_apres_deux_heures_d_inactivite(client, settings):
    assert settings.SESSION_COOKIE_AGE == 7200
    assert settings.SESSION_PROLONGATION_PAS == 300
    user = UserFactory(username="rachida")
    client.force_login(user)
    cle = client.session.session_key
    # Une requête après plus de 5 minutes sans prolongation repousse l'échéance à maintenant + 2 h.
    poser_echeance(timezone.now() + timedelta(minutes=5), session_key=cle)
    assert client.get(reverse("accueil")).status_code == 200
    echeance = Session.objects.get(session_key=cle).expire_date
    assert echeance > timezone.now() + timedelta(minutes=119)
    # Deux heures sans requête : la session est morte, retour à la connexion.
    poser_echeance(timezone.now() - timedelta(seconds=1), session_key=cle)
    reponse = client.get(reverse("accueil"))
    assert reponse.status_code == 302
    assert reponse.url.startswith(reverse("comptes:connexion"))


@pytest.mark.django_db
def test_session_prolongee_au_plus_toutes_les_cinq_minutes(client, django_assert_num_queries):
    import time
    from unittest import mock

    from commun.securite import CLE_PROLONGATION

    client.force_login(UserFactory(username="rachida"))
    client.get(reverse("accueil"))  # prolongation (la connexion n'en avait pas enregistré)
    prolongee = client.session[CLE_PROLONGATION]
    with CaptureQueriesContext(connection) as requetes:
        client.get(reverse("accueil"))
    assert not any("UPDATE" in q["sql"] and "django_session" in q["sql"] for q in requetes.captured_queries)
    # 5 minutes plus tard, la requête suivante repousse l'échéance (session réécrite).
    with mock.patch("commun.securite.time.time", return_value=time.time() + 301):
        with CaptureQueriesContext(connection) as requetes:
            client.get(reverse("accueil"))
    assert any("UPDATE" in q["sql"] and "django_session" in q["sql"] for q in requetes.captured_queries)
    assert client.session[CLE_PROLONGATION] > prolongee


@pytest.mark.django_db
def test_session_lue_dans_le_cache_et_tenue_en_base(client):
    """Une page vue ne lit pas la session en base (elle est dans le cache) ; la base la garde pour « Mes sessions »
    et la purge, et une session terminée l'est aussi dans le cache."""
    from importlib import import_module

    from django.conf import settings

    client.force_login(UserFactory(username="rachida"))
    client.get(reverse("accueil"))
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(reverse("accueil")).status_code == 200
    assert not any("django_session" in q["sql"] for q in requetes.captured_queries)
    cle = client.session.session_key
    assert Session.objects.filter(session_key=cle).exists()
    import_module(settings.SESSION_ENGINE).SessionStore(session_key=cle).delete()
    assert client.get(reverse("accueil")).status_code == 302


@pytest.mark.django_db
def test_cookie_de_session_httponly_et_duree(client):
    UserFactory(username="rachida")
    reponse = client.post(reverse("comptes:connexion"), {"username": "rachida", "password": BON})
    cookie = reponse.cookies["sessionid"]
    assert cookie["httponly"]
    assert int(cookie["max-age"]) == 7200
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_post_sans_jeton_csrf_refuse():
    UserFactory(username="rachida")
    client = Client(enforce_csrf_checks=True)
    reponse = client.post(reverse("comptes:connexion"), {"username": "rachida", "password": BON})
    assert reponse.status_code == 403
    assert "Formulaire expiré" in reponse.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_post_avec_jeton_csrf_accepte():
    UserFactory(username="rachida")
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("comptes:connexion"))
    jeton = client.cookies["csrftoken"].value
    reponse = client.post(
        reverse("comptes:connexion"), {"username": "rachida", "password": BON, "csrfmiddlewaretoken": jeton}
    )
    assert reponse.status_code == 302


@pytest.mark.django_db
def test_deconnexion_sans_jeton_refusee(referent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(referent)
    assert client.post(reverse("comptes:deconnexion")).status_code == 403
    assert client.get(reverse("accueil")).status_code == 200

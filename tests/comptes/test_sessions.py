"""« Mes sessions » : les sessions ouvertes d'un utilisateur (navigateur, adresse, dernière activité), terminer les
autres ; l'expiration après 2 heures d'inactivité demeure."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comptes.models import SessionUtilisateur
from tests.comptes.factories import UserFactory
from tests.comptes.sessions import poser_echeance


def connecte(user, navigateur, ip):
    client = Client(HTTP_USER_AGENT=navigateur, REMOTE_ADDR=ip)
    reponse = client.post(reverse("comptes:connexion"), {"username": user.username, "password": "mot-de-passe-de-test"})
    assert reponse.status_code == 302
    return client


@pytest.mark.django_db
def test_sessions_listees_et_autres_terminees():
    agent = UserFactory()
    bureau = connecte(agent, "Firefox/140.0 (bureau)", "192.0.2.10")
    tablette = connecte(agent, "Safari (tablette)", "192.0.2.20")
    autre = connecte(UserFactory(), "Chrome (autre agent)", "192.0.2.30")

    page = bureau.get(reverse("comptes:sessions")).content.decode()
    assert "Firefox/140.0 (bureau)" in page and "Safari (tablette)" in page and "192.0.2.20" in page
    assert "Chrome (autre agent)" not in page
    assert page.count("cette session") == 1

    reponse = bureau.post(reverse("comptes:sessions_terminer_autres"))
    assert reponse.status_code == 302
    assert tablette.get(reverse("accueil")).status_code == 302  # session terminée : retour à la connexion
    assert bureau.get(reverse("accueil")).status_code == 200
    assert autre.get(reverse("accueil")).status_code == 200
    assert SessionUtilisateur.objects.filter(utilisateur=agent).count() == 1


@pytest.mark.django_db
def test_terminer_une_session_precise_et_pas_celle_d_un_autre():
    agent, collegue = UserFactory(), UserFactory()
    bureau = connecte(agent, "Firefox", "192.0.2.10")
    tablette = connecte(agent, "Safari", "192.0.2.20")
    chez_collegue = connecte(collegue, "Chrome", "192.0.2.30")
    cible = SessionUtilisateur.objects.get(utilisateur=agent, navigateur="Safari")
    sienne = SessionUtilisateur.objects.get(utilisateur=collegue)
    assert bureau.post(reverse("comptes:session_terminer", args=[sienne.pk])).status_code == 404
    assert chez_collegue.get(reverse("accueil")).status_code == 200
    assert bureau.post(reverse("comptes:session_terminer", args=[cible.pk])).status_code == 302
    assert tablette.get(reverse("accueil")).status_code == 302
    # La session en cours ne se termine pas par là (on se déconnecte).
    courante = SessionUtilisateur.objects.get(utilisateur=agent)
    bureau.post(reverse("comptes:session_terminer", args=[courante.pk]))
    assert bureau.get(reverse("accueil")).status_code == 200


@pytest.mark.django_db
def test_deconnexion_et_expiration_retirent_la_session_de_la_liste():
    agent = UserFactory()
    bureau = connecte(agent, "Firefox", "192.0.2.10")
    tablette = connecte(agent, "Safari", "192.0.2.20")
    tablette.post(reverse("comptes:deconnexion"))
    assert list(SessionUtilisateur.objects.filter(utilisateur=agent).values_list("navigateur", flat=True)) == [
        "Firefox"
    ]
    poser_echeance(timezone.now() - timezone.timedelta(seconds=1))
    assert not SessionUtilisateur.objects.ouvertes(agent).exists()
    assert bureau.get(reverse("accueil")).status_code == 302


@pytest.mark.django_db
def test_activite_notee_au_plus_une_fois_par_pas(settings):
    agent = UserFactory()
    bureau = connecte(agent, "Firefox", "192.0.2.10")
    ligne = SessionUtilisateur.objects.get(utilisateur=agent)
    bureau.get(reverse("accueil"))
    assert SessionUtilisateur.objects.get(pk=ligne.pk).derniere_activite == ligne.derniere_activite
    session = bureau.session
    session["_session_suivie_le"] -= settings.SESSION_PROLONGATION_PAS
    session.save()
    bureau.get(reverse("accueil"), REMOTE_ADDR="192.0.2.99")
    ligne.refresh_from_db()
    assert ligne.adresse_ip == "192.0.2.99"


@pytest.mark.django_db
@pytest.mark.parametrize("nombre", [1, 40])
def test_mes_sessions_nombre_de_requetes_constant(django_assert_max_num_queries, nombre):
    agent = UserFactory()
    for i in range(nombre):
        connecte(agent, f"Navigateur {i}", f"192.0.2.{i + 1}")
    client = connecte(agent, "Courant", "192.0.2.200")
    with django_assert_max_num_queries(6):
        reponse = client.get(reverse("comptes:sessions"))
    assert reponse.content.decode().count("Terminer</button>") == nombre

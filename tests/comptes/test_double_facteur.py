"""Second facteur (TOTP + codes de secours) des comptes locaux : enrôlement avec code QR, connexion en deux
temps, codes de secours à usage unique montrés une fois, blocage django-axes commun au mot de passe et au code,
administration inaccessible sans second facteur, rôles choisis par réglage."""

import re

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from comptes import services
from tests.comptes.factories import UserFactory

MDP = "mot-de-passe-de-test"


@pytest.fixture(autouse=True)
def double_facteur(settings):
    settings.DOUBLE_FACTEUR_ROLES = ["administrateur", "pilotage"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # le blocage éprouvé ici est celui d'axes
    return settings


def code(appareil, decalage=0):
    return f"{totp(appareil.bin_key, step=appareil.step, t0=appareil.t0, digits=appareil.digits, drift=decalage):06d}"


def mot_de_passe(client, user, suite=None):
    donnees = {"username": user.username, "password": MDP}
    if suite:
        donnees["next"] = suite
    return client.post(reverse("comptes:connexion"), donnees)


def appareil_de_la_page(page, user):
    """L'appareil que la page d'enrôlement propose, d'après la clé qu'elle montre (groupes de 4, base 32)."""
    import base64

    cle = re.search(r"<code[^>]*>([A-Z2-7 ]+)</code>", page.content.decode()).group(1).replace(" ", "")
    octets = base64.b32decode(cle + "=" * (-len(cle) % 8))
    return TOTPDevice(user=user, key=octets.hex())


def enroler(client, user):
    mot_de_passe(client, user)
    page = client.get(reverse("comptes:double_facteur_enrolement"))
    appareil = appareil_de_la_page(page, user)
    reponse = client.post(reverse("comptes:double_facteur_enrolement"), {"code": code(appareil)})
    assert reponse.status_code == 302
    return page, TOTPDevice.objects.get(user=user), client.get(reverse("comptes:codes_secours"))


@pytest.mark.django_db
def test_mot_de_passe_seul_ne_connecte_pas_un_administrateur(client):
    admin = UserFactory(administrateur=True)
    reponse = mot_de_passe(client, admin)
    assert reponse.status_code == 302 and reponse["Location"] == reverse("comptes:double_facteur")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accueil")).status_code == 302
    # Pas encore d'application : l'enrôlement est proposé.
    assert client.get(reverse("comptes:double_facteur"))["Location"] == reverse("comptes:double_facteur_enrolement")


@pytest.mark.django_db
def test_enrolement_code_qr_puis_codes_de_secours_montres_une_fois(client):
    admin = UserFactory(administrateur=True)
    page, appareil, codes = enroler(client, admin)
    contenu = page.content.decode()
    assert "<svg" in contenu and 'aria-label="Code QR' in contenu and "<img" not in contenu
    # Le premier code vient de l'application : pas encore de code de secours à proposer.
    assert "code de secours" not in contenu and "affichés maintenant par votre application" in contenu
    assert client.session["_auth_user_id"] == str(admin.pk)
    assert TOTPDevice.objects.get(pk=appareil.pk).confirmed
    montres = re.findall(r"<li>([a-z2-7]{8})</li>", codes.content.decode())
    assert len(montres) == services.NOMBRE_CODES_SECOURS
    assert sorted(montres) == sorted(StaticToken.objects.filter(device__user=admin).values_list("token", flat=True))
    # Une seule fois.
    assert not re.findall(r"<li>([a-z2-7]{8})</li>", client.get(reverse("comptes:codes_secours")).content.decode())
    assert client.get(reverse("accueil")).status_code == 200


@pytest.mark.django_db
def test_code_faux_a_l_enrolement_refuse(client):
    admin = UserFactory(administrateur=True)
    mot_de_passe(client, admin)
    client.get(reverse("comptes:double_facteur_enrolement"))
    reponse = client.post(reverse("comptes:double_facteur_enrolement"), {"code": "000000"})
    assert reponse.status_code == 200
    assert "Code incorrect" in reponse.content.decode()
    assert "_auth_user_id" not in client.session
    assert not TOTPDevice.objects.filter(user=admin).exists()  # un code faux n'écrit aucun appareil


@pytest.mark.django_db
def test_afficher_l_enrolement_n_ecrit_rien_et_montre_toujours_la_meme_cle(client):
    """La page d'enrôlement (GET) n'écrit aucun appareil : la clé est tirée une fois et gardée avec l'attente de
    connexion (la session) ; recharger la page montre le même code ; le premier code juste enregistre l'appareil de
    cette clé, confirmé, et ce code ne resservira pas."""
    admin = UserFactory(administrateur=True)
    mot_de_passe(client, admin)
    premiere = client.get(reverse("comptes:double_facteur_enrolement"))
    seconde = client.get(reverse("comptes:double_facteur_enrolement"))
    assert not TOTPDevice.objects.exists()
    propose = appareil_de_la_page(premiere, admin)
    assert appareil_de_la_page(seconde, admin).key == propose.key
    assert client.post(reverse("comptes:double_facteur_enrolement"), {"code": code(propose)}).status_code == 302
    enregistre = TOTPDevice.objects.get(user=admin)
    assert enregistre.confirmed and enregistre.key == propose.key and enregistre.last_t >= 0
    assert "cle_totp" not in str(dict(client.session))  # l'attente, et sa clé, finissent avec la connexion


@pytest.mark.django_db
def test_connexion_en_deux_temps_puis_code_de_secours_a_usage_unique():
    admin = UserFactory(administrateur=True)
    _, appareil, codes = enroler(Client(), admin)
    secours = re.findall(r"<li>([a-z2-7]{8})</li>", codes.content.decode())

    client = Client()
    mot_de_passe(client, admin, suite="/admin/")
    reponse = client.post(reverse("comptes:double_facteur"), {"code": code(appareil, decalage=1)})
    assert reponse.status_code == 302 and reponse["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200

    client = Client()
    mot_de_passe(client, admin)
    assert client.post(reverse("comptes:double_facteur"), {"code": secours[0].upper()}).status_code == 302
    client = Client()
    mot_de_passe(client, admin)
    reponse = client.post(reverse("comptes:double_facteur"), {"code": secours[0]})
    assert reponse.status_code == 200 and "Code incorrect" in reponse.content.decode()
    assert StaticToken.objects.filter(device__user=admin).count() == services.NOMBRE_CODES_SECOURS - 1


@pytest.mark.django_db
def test_echecs_de_code_bloquent_le_compte_avec_axes(settings):
    settings.AXES_ENABLED = True
    admin = UserFactory(administrateur=True)
    _, appareil, _ = enroler(Client(), admin)
    client = Client()
    assert mot_de_passe(client, admin).status_code == 302
    for _ in range(4):
        assert client.post(reverse("comptes:double_facteur"), {"code": "123456"}).status_code == 200
    reponse = client.post(reverse("comptes:double_facteur"), {"code": "123456"})
    assert reponse.status_code == 429
    assert AccessAttempt.objects.get(username=admin.username).failures_since_start == 5
    # Bloqué : ni le bon code, ni le mot de passe juste ne passent pendant 15 minutes.
    assert client.post(reverse("comptes:double_facteur"), {"code": code(appareil, 1)}).status_code != 302
    assert mot_de_passe(Client(), admin).status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_mot_de_passe_juste_ne_remet_pas_a_zero_les_echecs_de_code(settings):
    settings.AXES_ENABLED = True
    admin = UserFactory(administrateur=True)
    enroler(Client(), admin)
    for _ in range(2):
        client = Client()
        mot_de_passe(client, admin)
        client.post(reverse("comptes:double_facteur"), {"code": "123456"})
        client.post(reverse("comptes:double_facteur"), {"code": "654321"})
    client = Client()
    mot_de_passe(client, admin)
    assert client.post(reverse("comptes:double_facteur"), {"code": "111111"}).status_code == 429


@pytest.mark.django_db
def test_session_sans_second_facteur_fermee_administration_comprise(client):
    admin = UserFactory(administrateur=True)
    client.force_login(admin)  # session ouverte sans passer par le code
    reponse = client.get("/admin/")
    assert reponse.status_code == 302 and reponse["Location"].startswith(reverse("comptes:connexion"))
    assert "_auth_user_id" not in client.session
    pilotage = UserFactory(pilotage=True)
    client.force_login(pilotage)
    assert client.get(reverse("accueil")).status_code == 302


@pytest.mark.django_db
def test_formulaire_de_connexion_de_l_administration_jamais_servi(client):
    reponse = client.get("/admin/login/?next=/admin/")
    assert reponse.status_code == 302 and reponse["Location"].startswith(reverse("comptes:connexion"))


@pytest.mark.django_db
def test_roles_choisis_par_reglage(client, settings):
    referent = UserFactory(referent=True)
    assert mot_de_passe(client, referent)["Location"] == reverse("accueil")
    client.logout()
    settings.DOUBLE_FACTEUR_ROLES = ["referent"]
    assert mot_de_passe(client, referent)["Location"] == reverse("comptes:double_facteur")
    admin = UserFactory(administrateur=True)
    assert mot_de_passe(Client(), admin)["Location"] == reverse("accueil")


@pytest.mark.django_db
def test_attente_du_code_limitee_dans_le_temps(client, settings):
    admin = UserFactory(administrateur=True)
    mot_de_passe(client, admin)
    session = client.session
    session["_double_facteur_attente"]["depuis"] -= settings.DOUBLE_FACTEUR_DELAI + 1
    session.save()
    assert client.get(reverse("comptes:double_facteur"))["Location"] == reverse("comptes:connexion")


@pytest.mark.django_db
def test_nouveaux_codes_de_secours_remplacent_les_anciens():
    admin = UserFactory(administrateur=True)
    client = Client()
    enroler(client, admin)
    anciens = set(StaticToken.objects.filter(device__user=admin).values_list("token", flat=True))
    reponse = client.post(reverse("comptes:codes_secours"))
    assert reponse.status_code == 302
    nouveaux = re.findall(r"<li>([a-z2-7]{8})</li>", client.get(reverse("comptes:codes_secours")).content.decode())
    assert len(nouveaux) == services.NOMBRE_CODES_SECOURS and not anciens & set(nouveaux)


@pytest.mark.django_db
def test_vue_recoit_le_compte_lui_meme_avec_son_appareil_verifie():
    """Après l'intergiciel du second facteur, `request.user` est le compte lui-même (plus les deux enveloppes
    paresseuses de Django et de django-otp), avec ce que django-otp y pose : l'appareil vérifié de la session et
    `is_verified()`. Sans appareil (compte sans second facteur) : non vérifié ; anonyme : l'anonyme."""
    from django.contrib.auth.models import AnonymousUser
    from django.utils.functional import LazyObject

    from comptes.models import User

    admin = UserFactory(administrateur=True)
    _, appareil, _ = enroler(Client(), admin)
    client = Client()
    mot_de_passe(client, admin)
    client.post(reverse("comptes:double_facteur"), {"code": code(appareil, decalage=1)})
    requete = client.get(reverse("accueil")).wsgi_request
    assert type(requete.user) is User and not isinstance(requete.user, LazyObject)
    assert requete.user.pk == admin.pk and requete.user.is_verified()
    assert requete.user.otp_device == appareil

    referent = UserFactory(referent=True)
    client = Client()
    client.force_login(referent)
    requete = client.get(reverse("accueil")).wsgi_request
    assert type(requete.user) is User and requete.user.pk == referent.pk
    assert requete.user.otp_device is None and not requete.user.is_verified()

    requete = Client().get(reverse("comptes:connexion")).wsgi_request
    assert type(requete.user) is AnonymousUser and not requete.user.is_verified()


@pytest.mark.django_db
def test_une_seule_application_enrolee_meme_confirmee_deux_fois():
    """Le service refuse d'enregistrer une seconde application à un compte qui en a une confirmée (deux onglets
    d'enrôlement ouverts, confirmés l'un après l'autre) : la vue redirige avant, mais la règle est au service."""
    from django.core.exceptions import ValidationError
    from django_otp.util import random_hex

    admin = UserFactory(administrateur=True)
    cle = random_hex(20)
    appareil = services.totp_enrolement_appareil(user=admin, cle=cle)
    services.totp_enrolement_confirmer(user=admin, cle=cle, code=code(appareil))
    autre = random_hex(20)
    with pytest.raises(ValidationError, match="déjà une application"):
        services.totp_enrolement_confirmer(
            user=admin, cle=autre, code=code(services.totp_enrolement_appareil(user=admin, cle=autre))
        )
    assert TOTPDevice.objects.filter(user=admin).count() == 1


@pytest.mark.django_db
def test_administration_supprime_un_appareil_sans_le_creer_ni_en_montrer_le_secret(client):
    """Appareil perdu : l'administration supprime les appareils d'une personne, mais n'en crée ni n'en modifie
    aucun et n'en montre pas la clé, le code QR ou les codes de secours (un administrateur ne doit pas pouvoir se
    servir du second facteur d'un autre compte)."""
    admin = UserFactory(administrateur=True)
    enroler(client, admin)  # l'administrateur connecté, second facteur passé
    autre = UserFactory(administrateur=True)
    _, appareil, codes = enroler(Client(), autre)
    secours = re.findall(r"<li>([a-z2-7]{8})</li>", codes.content.decode())
    statique = StaticToken.objects.filter(device__user=autre).first().device

    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    assert client.get("/admin/otp_static/staticdevice/add/").status_code == 403
    fiche = client.get(f"/admin/otp_totp/totpdevice/{appareil.pk}/change/")
    assert fiche.status_code == 200 and appareil.key not in fiche.content.decode()
    assert client.get(f"/admin/otp_totp/totpdevice/{appareil.pk}/config/").status_code == 403
    assert client.get(f"/admin/otp_totp/totpdevice/{appareil.pk}/qrcode/").status_code == 403
    fiche = client.get(f"/admin/otp_static/staticdevice/{statique.pk}/change/").content.decode()
    assert not any(code in fiche for code in secours)
    reponse = client.post(
        f"/admin/otp_totp/totpdevice/{appareil.pk}/change/", {"user": admin.pk, "name": "x", "confirmed": "on"}
    )
    assert reponse.status_code == 403 and TOTPDevice.objects.get(pk=appareil.pk).user_id == autre.pk

    for chemin in (
        f"/admin/otp_totp/totpdevice/{appareil.pk}/delete/",
        f"/admin/otp_static/staticdevice/{statique.pk}/delete/",
    ):
        assert client.post(chemin, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=autre).exists()
    assert not StaticToken.objects.filter(device__user=autre).exists()


@pytest.mark.django_db
def test_listes_des_appareils_en_nombre_constant_de_requetes(client):
    """Les listes d'appareils de l'administration lisent le compte de chaque appareil avec lui : autant de requêtes
    pour un appareil que pour quatre."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_otp.plugins.otp_static.models import StaticDevice

    admin = UserFactory(administrateur=True)
    enroler(client, admin)
    listes = ("/admin/otp_totp/totpdevice/", "/admin/otp_static/staticdevice/")

    def ajouter(n):
        for user in UserFactory.create_batch(n, administrateur=True):
            TOTPDevice.objects.create(user=user, name="Application", confirmed=True)
            StaticDevice.objects.create(user=user, name="Codes de secours", confirmed=True)

    def compter():
        nombres = []
        for liste in listes:
            with CaptureQueriesContext(connection) as requetes:
                assert client.get(liste).status_code == 200
            nombres.append(len(requetes))
        return nombres

    ajouter(1)
    avec_un = compter()
    ajouter(3)
    assert compter() == avec_un

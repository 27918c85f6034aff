"""Second facteur des comptes locaux (TOTP, django-otp) : qui le doit, et une session l'a-t-elle passé.

La connexion se fait en deux temps : le mot de passe juste ne connecte pas encore un compte qui doit le second
facteur ; la session garde seulement « en attente : tel compte, depuis tel instant » (CLE_ATTENTE), et la
connexion n'a lieu qu'une fois le code vérifié (ou l'application d'authentification enrôlée). Aucun signal
`user_logged_in` avant le code : les échecs de code s'ajoutent à ceux du mot de passe pour le blocage de
django-axes (5 échecs, 15 minutes), qu'un mot de passe juste ne remet pas à zéro.
"""

import time

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django_otp.util import random_hex

CLE_ATTENTE = "_double_facteur_attente"
CLE_CODES_A_MONTRER = "_codes_secours_a_montrer"
BACKEND_OIDC = "comptes.oidc.DepartementOIDCBackend"


def exige_double_facteur(user):
    """Le compte doit-il le second facteur ? Rôle dans DOUBLE_FACTEUR_ROLES (un superutilisateur compte comme
    administrateur). Les comptes de démonstration n'en ont pas : ils n'existent qu'en développement."""
    if getattr(user, "pk", None) is None:
        return False
    roles = set(settings.DOUBLE_FACTEUR_ROLES)
    if getattr(user, "compte_demo", False):
        return False
    return user.role in roles or (user.is_superuser and "administrateur" in roles)


def connecte_par_fournisseur(request):
    return request.session.get(BACKEND_SESSION_KEY) == BACKEND_OIDC


def double_facteur_satisfait(request):
    """Vrai si la session n'a pas besoin du second facteur, l'a passé, ou vient du fournisseur d'identité (dont
    l'authentification forte fait foi)."""
    user = request.user
    if not user.is_authenticated or not exige_double_facteur(user):
        return True
    if connecte_par_fournisseur(request):
        return True
    est_verifie = getattr(user, "is_verified", None)
    return bool(est_verifie and est_verifie())


def attente_demarrer(request, user, suite):
    request.session.cycle_key()
    request.session[CLE_ATTENTE] = {
        "id": user.pk,
        "backend": user.backend,
        "depuis": int(time.time()),
        "suite": suite,
    }


def attente_lire(request):
    """Le compte en attente de son code et où aller ensuite, ou (None, None) si rien n'attend ou si le délai
    (DOUBLE_FACTEUR_DELAI) est passé."""
    from .models import User

    attente = request.session.get(CLE_ATTENTE)
    if not isinstance(attente, dict):
        return None, None
    if int(time.time()) - attente.get("depuis", 0) > settings.DOUBLE_FACTEUR_DELAI:
        request.session.pop(CLE_ATTENTE, None)
        return None, None
    user = User.objects.filter(pk=attente.get("id")).first()
    if user is None:
        return None, None
    user.backend = attente.get("backend")
    return user, attente


def attente_cle_totp(request):
    """La clé secrète de l'application que le compte en attente enrôle : tirée au premier affichage de la page
    d'enrôlement, gardée avec l'attente (la session) pour que chaque affichage montre le même code QR, et écrite
    en base seulement quand le premier code l'a confirmée. Finit avec l'attente."""
    attente = request.session[CLE_ATTENTE]
    if not attente.get("cle_totp"):
        attente["cle_totp"] = random_hex(20)
        request.session.modified = True
    return attente["cle_totp"]


def attente_terminer(request):
    request.session.pop(CLE_ATTENTE, None)

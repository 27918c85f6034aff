"""Connexion unique OpenID Connect avec le fournisseur d'identité du Département (mozilla-django-oidc 5.0).

Ce module étend trois classes de la bibliothèque (version mineure épinglée dans pyproject.toml) :
- le backend vérifie en plus l'émetteur (`iss`) et le destinataire (`aud`) du jeton d'identité, que la
  bibliothèque ne contrôle pas, l'accord du `sub` du jeton et de celui de userinfo, et rattache l'identité à un
  compte EXISTANT par son adresse électronique (casse ignorée, unique) ; aucun compte n'est créé ;
- la vue de rappel montre une page de refus en français au lieu d'une erreur (state inconnu, nonce faux, jeton
  invalide, fournisseur injoignable, identité sans compte) ;
- la vue de départ n'existe que si la connexion unique est configurée.
"""

import logging
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .backends import compte_autorise, compte_de_la_session

journal = logging.getLogger(__name__)

RAISONS_REFUS = {
    "inconnu": "Votre identité a bien été reconnue par le fournisseur du Département, mais aucun compte de "
    "l'application ne correspond à votre adresse électronique. Les comptes sont ouverts par un administrateur : "
    "adressez-vous à lui.",
    "desactive": "Le compte rattaché à votre identité est désactivé. Adressez-vous à un administrateur.",
    "verification": "La réponse du fournisseur d'identité n'a pas pu être vérifiée (demande expirée, ouverte dans "
    "un autre onglet ou altérée). Recommencez la connexion.",
    "fournisseur": "Le fournisseur d'identité du Département ne répond pas. Réessayez dans quelques minutes ou "
    "connectez-vous avec votre identifiant et votre mot de passe.",
    "annulee": "La connexion a été annulée ou refusée par le fournisseur d'identité.",
}


class DepartementOIDCBackend(OIDCAuthenticationBackend):
    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation("Émetteur du jeton d'identité inattendu.")
        destinataires = payload.get("aud")
        destinataires = destinataires if isinstance(destinataires, list) else [destinataires]
        if self.OIDC_RP_CLIENT_ID not in destinataires:
            raise SuspiciousOperation("Jeton d'identité destiné à un autre client.")
        return payload

    def verify_claims(self, claims):
        return bool(claims.get("email")) and claims.get("email_verified", True) is not False

    def get_or_create_user(self, access_token, id_token, payload):
        """Le compte existant dont l'adresse est celle de l'identité (casse ignorée), ou None avec la raison du
        refus notée sur la requête. Jamais de création."""
        infos = self.get_userinfo(access_token, id_token, payload)
        if infos.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("Le sujet de userinfo diffère de celui du jeton d'identité.")
        if not self.verify_claims(infos):
            self.request.oidc_refus = "inconnu"
            journal.warning("Connexion unique refusée : identité sans adresse électronique vérifiée.")
            return None
        comptes = list(self.filter_users_by_claims(infos)[:2])
        if len(comptes) != 1:
            self.request.oidc_refus = "inconnu"
            journal.warning("Connexion unique refusée : aucun compte (ou plusieurs) pour l'identité présentée.")
            return None
        user = comptes[0]
        if not compte_autorise(user):
            self.request.oidc_refus = "desactive"
            journal.warning("Connexion unique refusée : compte %s désactivé ou de démonstration.", user.pk)
            return None
        return user

    def get_user(self, user_id):
        return compte_de_la_session(user_id, super().get_user)


def refus(request, raison, status=403):
    return render(
        request,
        "comptes/oidc_refus.html",
        {"message": RAISONS_REFUS.get(raison, RAISONS_REFUS["verification"])},
        status=status,
    )


@method_decorator(login_not_required, name="dispatch")
class DemandeOIDCView(OIDCAuthenticationRequestView):
    """Départ vers le fournisseur : state, nonce et vérificateur PKCE gardés dans la session."""

    def get(self, request):
        if not settings.OIDC_ACTIVE:
            raise Http404("Connexion unique non configurée.")
        return super().get(request)


@method_decorator(login_not_required, name="dispatch")
class RappelOIDCView(OIDCAuthenticationCallbackView):
    def get(self, request):
        if not settings.OIDC_ACTIVE:
            raise Http404("Connexion unique non configurée.")
        try:
            return super().get(request)
        except (SuspiciousOperation, jwt.InvalidTokenError) as exc:
            journal.warning("Connexion unique refusée : %s", exc)
            return refus(request, "verification", status=400)
        except (requests.RequestException, ValueError) as exc:
            journal.warning("Connexion unique : fournisseur injoignable ou réponse illisible (%s).", type(exc).__name__)
            return refus(request, "fournisseur", status=502)

    def login_failure(self):
        raison = getattr(self.request, "oidc_refus", None)
        if raison is None:
            raison = "annulee" if self.request.GET.get("error") else "verification"
        return refus(self.request, raison)


def url_deconnexion_fournisseur(request, id_token):
    """Déconnexion à l'initiative du client (RP-initiated logout) : l'adresse de fin de session du fournisseur,
    qui ramène ensuite à la page de connexion. None si le fournisseur n'en annonce pas."""
    if not settings.OIDC_OP_LOGOUT_ENDPOINT:
        return None
    parametres = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse(settings.LOGOUT_REDIRECT_URL)),
    }
    if id_token:
        parametres["id_token_hint"] = id_token
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{urlencode(parametres)}"

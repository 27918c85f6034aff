"""Intergiciels des comptes : second facteur exigé, suivi des sessions ouvertes (« Mes sessions »)."""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import LazyObject, empty

from commun.securite import adresse_client

from .double_facteur import BACKEND_OIDC, double_facteur_satisfait
from .models import SessionUtilisateur

journal = logging.getLogger(__name__)


class DoubleFacteurMiddleware:
    """Une session authentifiée d'un compte qui doit le second facteur sans l'avoir passé (ouverte autrement que
    par la page de connexion, ou rôle ajouté à DOUBLE_FACTEUR_ROLES depuis) est fermée : retour à la connexion,
    sur toute page, administration comprise. Placé après OTPMiddleware (qui lit l'appareil vérifié)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not double_facteur_satisfait(request):
            journal.warning("Session sans second facteur fermée (compte %s).", request.user.pk)
            logout(request)
            messages.warning(request, "Cette page demande une connexion avec le second facteur : reconnectez-vous.")
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        request.user = compte_lu(request.user)
        return self.get_response(request)


def compte_lu(user):
    """Le compte lui-même (ou l'anonyme) derrière les objets paresseux de `request.user`, une fois lu. Django
    l'enveloppe (lu à la première demande), django-otp enveloppe cette enveloppe (appareil vérifié) : chaque
    attribut lu ensuite (rôle, bassins, structure, dans les vues, les gabarits et les périmètres, une centaine par
    page) traversait les deux, par une exception chacun. Le second facteur vient de le lire : ce qu'elles
    fournissent (`otp_device`, `is_verified`) est posé sur le compte. `login()` et `logout()` remplacent
    `request.user` comme avant."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


CLE_SUIVI = "_session_suivie_le"


def session_suivre(request, user):
    """Crée ou met à jour la ligne « session ouverte » de la session de `request` (qui existe déjà en base)."""
    session = request.session
    try:
        with transaction.atomic():
            SessionUtilisateur.objects.update_or_create(
                session_id=session.session_key,
                defaults={
                    "utilisateur": user,
                    "navigateur": request.META.get("HTTP_USER_AGENT", "")[:300],
                    "adresse_ip": adresse_client(request),
                    "methode": "fournisseur" if session.get(BACKEND_SESSION_KEY) == BACKEND_OIDC else "local",
                    "derniere_activite": timezone.now(),
                },
            )
    except IntegrityError:
        # La session vient d'être terminée (depuis « Mes sessions » ou la déconnexion) : rien à suivre.
        return
    session[CLE_SUIVI] = int(time.time())


class SuiviSessionsMiddleware:
    """Tient à jour la ligne « session ouverte » (navigateur, adresse, dernière activité) de chaque session
    authentifiée, créée à la connexion (signal user_logged_in, comptes/signaux.py).

    Écrit au plus une fois par SESSION_PROLONGATION_PAS (5 minutes) et par session, comme la prolongation de
    l'échéance : pas d'écriture à chaque page. Après la vue (la session existe alors en base)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is None or not user.is_authenticated or session is None or not session.session_key:
            return response
        if int(time.time()) - session.get(CLE_SUIVI, 0) >= settings.SESSION_PROLONGATION_PAS:
            session_suivre(request, user)
        return response

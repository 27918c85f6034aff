"""Aides de sécurité de la connexion : adresse du client derrière un proxy inverse de confiance, prolongation
de la session à l'usage."""

import ipaddress
import logging
import time

from django.conf import settings

journal = logging.getLogger(__name__)


def adresse_client(request):
    """Adresse IP du client, pour le verrouillage par adresse (django-axes).

    Derrière `PROXYS_DE_CONFIANCE` proxys inverses (réglage, 0 par défaut), l'adresse du client est la
    N-ième en partant de la fin de l'en-tête X-Forwarded-For : les entrées plus à gauche peuvent être
    forgées par le client et ne sont jamais lues. Sans proxy déclaré, seule REMOTE_ADDR compte. Une entrée
    qui n'est pas une adresse IP (proxy mal réglé, en-tête forgé) est ignorée et journalisée : l'adresse du
    pair (REMOTE_ADDR) sert alors, jamais une chaîne quelconque enregistrée comme adresse.
    """
    nb_proxys = getattr(settings, "PROXYS_DE_CONFIANCE", 0)
    if nb_proxys > 0:
        chaine = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(chaine) >= nb_proxys:
            candidate = chaine[-nb_proxys]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                journal.warning(
                    "X-Forwarded-For : entrée %r invalide (pas une adresse IP), adresse du pair retenue.",
                    candidate[:100],
                )
    return request.META.get("REMOTE_ADDR")


CLE_PROLONGATION = "_prolongee_le"


class ProlongerSessionMiddleware:
    """Expiration après inactivité sans écrire la session à chaque requête.

    `SESSION_SAVE_EVERY_REQUEST` réécrit la session (BEGIN, UPDATE, COMMIT) à chaque page vue. Ici, une
    requête ne la réécrit (échéance repoussée à maintenant + SESSION_COOKIE_AGE, cookie renvoyé) que si la
    dernière prolongation date de plus de `SESSION_PROLONGATION_PAS` secondes : la session expire entre
    SESSION_COOKIE_AGE - pas et SESSION_COOKIE_AGE après la dernière requête. À placer après
    SessionMiddleware (qui enregistre la session modifiée en sortie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            maintenant = int(time.time())
            if maintenant - session.get(CLE_PROLONGATION, 0) >= settings.SESSION_PROLONGATION_PAS:
                session[CLE_PROLONGATION] = maintenant
        return response

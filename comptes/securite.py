"""Aides de sécurité de la connexion : adresse du client derrière un proxy inverse de confiance."""

from django.conf import settings


def adresse_client(request):
    """Adresse IP du client, pour le verrouillage par adresse (django-axes).

    Derrière `PROXYS_DE_CONFIANCE` proxys inverses (réglage, 0 par défaut), l'adresse du client est la
    N-ième en partant de la fin de l'en-tête X-Forwarded-For : les entrées plus à gauche peuvent être
    forgées par le client et ne sont jamais lues. Sans proxy déclaré, seule REMOTE_ADDR compte.
    """
    nb_proxys = getattr(settings, "PROXYS_DE_CONFIANCE", 0)
    if nb_proxys > 0:
        chaine = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(chaine) >= nb_proxys:
            return chaine[-nb_proxys]
    return request.META.get("REMOTE_ADDR")

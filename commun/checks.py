"""Contrôles de déploiement (`manage.py check --deploy`) propres au projet."""

from django.conf import settings
from django.core.checks import Error, Tags, register

CACHES_LOCAUX = {
    "django.core.cache.backends.locmem.LocMemCache",
}


@register(Tags.caches, deploy=True)
def cache_partage(app_configs, **kwargs):
    """Hors DEBUG, plusieurs processus gunicorn (et plusieurs serveurs) servent l'application : un cache local en
    mémoire n'est pas partagé entre eux (chaque processus calcule et garde sa propre copie, le taux de
    réussite s'effondre et la mémoire est multipliée). Les versions des données étant en base, les pages restent
    exactes ; les sessions, elles, sont lues dans ce cache (`cached_db`) : une session terminée dans un processus
    (déconnexion, « Terminer » dans « Mes sessions ») resterait ouverte dans les autres jusqu'à son échéance."""
    if settings.DEBUG:
        return []
    erreurs = []
    for alias, reglage in settings.CACHES.items():
        if reglage.get("BACKEND") in CACHES_LOCAUX:
            erreurs.append(
                Error(
                    f"Le cache « {alias} » est local à chaque processus (LocMemCache) alors que plusieurs "
                    "processus ou serveurs peuvent servir l'application.",
                    hint="Définissez CACHE_URL vers Redis, par exemple CACHE_URL=redis://127.0.0.1:6379/0 "
                    "(voir docs/exploitation.md).",
                    id="plan_emploi.E001",
                )
            )
    return erreurs

"""Réglages de la mesure dans un seul processus (`bench/calcule.py`) : ceux du banc, DEBUG désactivé, mais les
fichiers statiques sans manifeste (aucun collectstatic à faire) et un cache local en mémoire propre au processus.
À lancer avec DEBUG=1 dans l'environnement (pour que plan_emploi.settings accepte l'absence de SECRET_KEY) :
les écarts de DEBUG qui comptent pour le rendu sont remis ici comme en production."""

from bench.reglages import *  # noqa: F403
from bench.reglages import TEMPLATES as _TEMPLATES

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
SECURE_SSL_REDIRECT = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TEMPLATES = [{**t, "OPTIONS": {**t.get("OPTIONS", {}), "debug": False}} for t in _TEMPLATES]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "calcule"}}

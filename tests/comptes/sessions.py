"""Échéance d'une session posée par un test : en base, et dans le cache où les sessions sont lues d'abord
(`cached_db`), dont l'entrée échoit en même temps que la session."""

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches


def poser_echeance(echeance, **filtre):
    """Les sessions choisies par `filtre` (toutes sans filtre) échoient à `echeance`, comme si le temps avait
    passé : la base est mise à jour et leur copie en cache retirée (un cache dont l'entrée a une échéance plus
    lointaine que celle écrite en base par le test la resservirait, ce que le temps réel ne fait pas)."""
    sessions = Session.objects.filter(**filtre)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for cle in sessions.values_list("session_key", flat=True):
        caches[settings.SESSION_CACHE_ALIAS].delete(store(session_key=cle).cache_key)
    sessions.update(expire_date=echeance)

"""Lectures qui peuvent attendre (tableau de bord, exports, statistiques) servies par une réplique PostgreSQL.

Quand `DATABASE_REPLICA_URL` est défini, les réglages déclarent la base `replique` (une réplique en streaming de
la base principale) et le routeur `Routeur`. Une lecture va à la réplique seulement :

- dans un bloc `lectures_differees()` (le tableau de bord, les exports) ;
- si l'utilisateur n'a pas écrit récemment : une écriture (versions incrémentées pendant la requête) pose un
  cookie horodaté, et pendant `DATABASE_REPLICA_FENETRE` secondes ses lectures restent sur la base principale
  (il relit toujours ce qu'il vient d'écrire) ; la requête qui écrit elle-même ne lit que la principale ;
- si la réplique a rejoué tout ce que la principale avait validé au moment d'entrer dans le bloc (comparaison
  des positions dans le journal, deux requêtes), et si la transaction en cours n'a rien écrit sans valider :
  sinon le bloc lit la principale. Hors requête (commande, tâche), c'est ce qui garantit de relire ses
  écritures. Un résultat mis en cache sous la version des données lue juste avant n'est ainsi jamais calculé
  sur des données plus anciennes qu'elle.

Toutes les écritures vont à la base principale ; les migrations ne concernent qu'elle.
"""

import contextlib
import contextvars
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

ALIAS = "replique"
COOKIE = "plan_emploi_ecriture"

_differees = contextvars.ContextVar("plan_emploi_lectures_differees", default=False)
_derniere_ecriture = contextvars.ContextVar("plan_emploi_derniere_ecriture", default=0.0)
# Dans une requête : [a écrit ?], posé par le middleware ; None hors requête (commandes, tâches).
_ecrit = contextvars.ContextVar("plan_emploi_ecrit", default=None)


def configuree():
    return ALIAS in settings.DATABASES


def fenetre():
    return getattr(settings, "DATABASE_REPLICA_FENETRE", 30)


def ecriture_faite():
    """Appelée à chaque écriture surveillée (commun.versions.modifier) : la suite de la requête et les requêtes
    suivantes de l'utilisateur, pendant la fenêtre, lisent la base principale."""
    etat = _ecrit.get()
    if etat is not None:
        etat[0] = True


def ecriture_recente():
    etat = _ecrit.get()
    return bool(etat and etat[0]) or time.time() - _derniere_ecriture.get() < fenetre()


def _ecritures_non_validees():
    """La transaction en cours a écrit sans valider : la réplique ne peut pas avoir ces écritures."""
    from . import versions

    return bool(versions._rappels())


def replique_a_jour():
    """La réplique a rejoué tout ce que la base principale a validé jusqu'ici."""
    with connections[DEFAULT_DB_ALIAS].cursor() as curseur:
        curseur.execute("SELECT pg_current_wal_lsn()::text")
        position = curseur.fetchone()[0]
    with connections[ALIAS].cursor() as curseur:
        curseur.execute(
            "SELECT pg_is_in_recovery() AND pg_last_wal_replay_lsn() IS NOT NULL "
            "AND pg_last_wal_replay_lsn() >= %s::pg_lsn",
            [position],
        )
        return bool(curseur.fetchone()[0])


@contextlib.contextmanager
def lectures_differees():
    """Les lectures du bloc vont à la réplique quand c'est sûr (voir le module) ; sinon à la base principale."""
    permis = configuree() and not ecriture_recente() and not _ecritures_non_validees() and _replique_disponible()
    jeton = _differees.set(permis)
    try:
        yield permis
    finally:
        _differees.reset(jeton)


def _replique_disponible():
    try:
        return replique_a_jour()
    except Exception:  # noqa: BLE001 - réplique injoignable : la base principale répond
        return False


class Routeur:
    def db_for_read(self, model, **hints):
        return ALIAS if _differees.get() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class RoutageMiddleware:
    """Lit le cookie de la dernière écriture de l'utilisateur ; le repose quand la requête a écrit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            derniere = float(request.COOKIES.get(COOKIE, 0))
        except ValueError:
            derniere = 0.0
        etat = [False]
        jetons = _derniere_ecriture.set(derniere), _ecrit.set(etat)
        try:
            reponse = self.get_response(request)
            if etat[0] and configuree():
                reponse.set_cookie(
                    COOKIE,
                    str(time.time()),
                    max_age=fenetre(),
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
            return reponse
        finally:
            _derniere_ecriture.reset(jetons[0])
            _ecrit.reset(jetons[1])

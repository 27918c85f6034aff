"""Branchement du moteur de tâches (Procrastinate) et tâches du commun (envoi des messages).

Chaque application déclare ses tâches dans son module `taches.py` (découvert au démarrage par l'application
Django de Procrastinate, réglage PROCRASTINATE_AUTODISCOVER_MODULE_NAME) :

    from commun.taches import app, differer

    @app.task(queue="messages", retry=RELANCES)
    def ma_tache(*, objet_id): ...

    differer(ma_tache, objet_id=objet.pk)  # depuis un service

Une tâche est idempotente (rejouée, elle ne refait pas ce qui est fait) et appelle les services.

Sur PostgreSQL, `differer` écrit la tâche dans la file (table de Procrastinate) dans la transaction en cours : la
tâche n'existe que si l'écriture qui la demande est validée, et un processus `manage.py procrastinate worker`
l'exécute. Sur SQLite (TACHES_EN_PROCESSUS), il n'y a pas de file : la tâche s'exécute dans le processus qui la
demande, une fois la transaction validée, avec le même nombre d'essais qu'un ouvrier lui donnerait.
"""

import logging
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from .francais import compte

logger = logging.getLogger(__name__)


class Relances(RetryStrategy):
    """La stratégie de relance de Procrastinate, sauf pour un refus de l'application (`ValidationError` : fichier
    dont les colonnes manquent, objet qui n'est plus dans l'état voulu) : il se répéterait à l'identique, la tâche
    échoue tout de suite (« failed » dans la file, visible des exploitants) au lieu d'être rejouée."""

    def get_retry_decision(self, *, exception, job):
        if isinstance(exception, ValidationError):
            return None
        return super().get_retry_decision(exception=exception, job=job)


# Essais au-delà du premier, espacés de 10 s, 20 s, 40 s, 80 s, 160 s (Procrastinate : backoff exponentiel).
RELANCES = Relances(max_attempts=5, exponential_wait=10)

__all__ = ["app", "contexte_essai", "differer", "en_processus", "RELANCES", "sera_reessayee"]


def en_processus():
    return settings.TACHES_EN_PROCESSUS


def sera_reessayee(contexte, exception):
    """Vrai si Procrastinate relancera la tâche après cette exception : la stratégie de relance de la tâche
    (nombre d'essais, exceptions retenues) appliquée aux essais déjà faits (`contexte.job.attempts`, 0 au
    premier). Pour une tâche déclarée avec `pass_context=True`, qui veut dire à l'utilisateur, au dernier essai,
    qu'il n'y en aura pas d'autre."""
    strategie = contexte.task.retry_strategy
    if strategie is None:
        return False
    return strategie.get_retry_decision(exception=exception, job=contexte.job) is not None


def contexte_essai(tache, arguments, deja_faits):
    """Le contexte que l'ouvrier passerait à la tâche (pass_context) : son essai, pour `sera_reessayee`."""
    from procrastinate.job_context import JobContext
    from procrastinate.jobs import Job

    job = Job(
        queue=tache.queue,
        lock=None,
        queueing_lock=None,
        task_name=tache.name,
        task_kwargs=arguments,
        attempts=deja_faits,
    )
    return JobContext(app=app, job=job, start_timestamp=time.time(), abort_reason=lambda: None)


def executer_en_processus(tache, arguments):
    """Exécute la tâche dans ce processus, en la réessayant comme le ferait un ouvrier (même stratégie de relance,
    sans attente)."""
    essai = 0
    while True:
        contexte = contexte_essai(tache, arguments, essai)
        essai += 1
        try:
            # Comme chez un ouvrier : pas de transaction autour de la tâche, elle tient les siennes (ce qu'elle a
            # noté d'un essai manqué reste noté).
            if tache.pass_context:
                return tache(contexte, **arguments)
            return tache(**arguments)
        except Exception as erreur:
            if not sera_reessayee(contexte, erreur):
                logger.exception("Tâche %s en échec après %s (%s)", tache.name, compte(essai, "essai"), arguments)
                return None
            logger.warning("Tâche %s : essai %s en échec, nouvel essai", tache.name, essai)


def differer(tache, *, verrou=None, **arguments):
    """Met la tâche en file (PostgreSQL) ou l'exécute après validation de la transaction (SQLite).

    `verrou` : verrou de mise en file de Procrastinate (queueing_lock), une seule tâche en attente par valeur."""
    if en_processus():
        transaction.on_commit(lambda: executer_en_processus(tache, arguments))
        return None
    if verrou:
        from procrastinate import exceptions

        try:
            return tache.configure(queueing_lock=verrou).defer(**arguments)
        except exceptions.AlreadyEnqueued:
            return None
    return tache.defer(**arguments)


@app.task(name="commun.envoyer_message", queue="messages", retry=RELANCES, pass_context=False)
def envoyer_message(*, message_id):
    """Envoie un message préparé ; rejouée, elle ne renvoie pas un message déjà parti."""
    from .messagerie import message_envoyer

    message_envoyer(message_id=message_id)

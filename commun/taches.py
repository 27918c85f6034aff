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
demande, une fois la transaction validée, avec les essais qu'un ouvrier lui donnerait (même stratégie de relance,
sans attente).
"""

import logging
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app
from procrastinate.retry import RetryDecision

from .francais import compte

logger = logging.getLogger(__name__)


class Relances(RetryStrategy):
    """Les relances des tâches du projet : `max_attempts` essais au-delà du premier, espacés de `wait` secondes,
    doublées à chaque essai (10 s, 20 s, 40 s, 80 s, 160 s : un import ou un envoi en panne passagère repart dans
    les cinq minutes ; la croissance exponentielle de Procrastinate, `exponential_wait ** (essais + 1)`, les
    espacerait de 10 s à 27 h). Un refus de l'application (`ValidationError` : fichier dont les colonnes manquent,
    objet qui n'est plus dans l'état voulu) se répéterait à l'identique : pas de relance, la tâche finit « failed »
    dans la file, visible des exploitants."""

    def get_retry_decision(self, *, exception, job):
        if isinstance(exception, ValidationError):
            return None
        if super().get_retry_decision(exception=exception, job=job) is None:  # essais épuisés
            return None
        return RetryDecision(retry_in={"seconds": self.wait * 2**job.attempts})


RELANCES = Relances(max_attempts=5, wait=10)

__all__ = ["app", "contexte_essai", "differer", "en_processus", "RELANCES", "sera_reessayee"]


def en_processus():
    return settings.TACHES_EN_PROCESSUS


def sera_reessayee(contexte, exception):
    """Vrai si Procrastinate relancera la tâche après cette exception : la stratégie de relance de la tâche
    (nombre d'essais, exceptions retenues) appliquée aux essais déjà faits (`contexte.job.attempts`, 0 au
    premier). Pour une tâche déclarée avec `pass_context=True`, qui veut dire à l'utilisateur, au dernier essai,
    qu'il n'y en aura pas d'autre."""
    return _decision(contexte.task, contexte.job, exception) is not None


def _decision(tache, job, exception):
    strategie = tache.retry_strategy
    return None if strategie is None else strategie.get_retry_decision(exception=exception, job=job)


def contexte_essai(tache, arguments, deja_faits):
    """Le contexte que l'ouvrier passerait à la tâche (pass_context), avec son travail (`job` : essais déjà faits),
    pour la tâche elle-même et pour la décision de relance (`sera_reessayee`)."""
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
    """Exécute la tâche dans ce processus, en la réessayant comme le ferait un ouvrier (même décision de relance,
    sans attente), au plus `max_attempts` fois au-delà du premier essai (une stratégie sans limite relancerait
    sans fin)."""
    strategie = tache.retry_strategy
    essais_max = 1 + ((strategie.max_attempts or 0) if isinstance(strategie, RetryStrategy) else 0)
    for essai in range(1, essais_max + 1):
        contexte = contexte_essai(tache, arguments, essai - 1)
        try:
            # Comme chez un ouvrier : pas de transaction autour de la tâche, elle tient les siennes (ce qu'elle a
            # noté d'un essai manqué reste noté).
            if tache.pass_context:
                return tache(contexte, **arguments)
            return tache(**arguments)
        except Exception as erreur:
            if essai == essais_max or _decision(tache, contexte.job, erreur) is None:
                logger.exception("Tâche %s en échec après %s (%s)", tache.name, compte(essai, "essai"), arguments)
                return None
            logger.warning("Tâche %s : essai %s en échec, nouvel essai", tache.name, essai)
    return None


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

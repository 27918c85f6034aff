"""Tâches des contrats aidés : la personne est prévenue de la fin prochaine de son contrat."""

import datetime

from django.utils import timezone

from commun.taches import RELANCES, app

# Délai avant la fin du contrat auquel la personne est prévenue.
PREAVIS_FIN_JOURS = 30


@app.periodic(cron="0 8 * * *", periodic_id="fins-de-contrat")
@app.task(name="contrats.prevenir_fins", queue="messages", retry=RELANCES, queueing_lock="fins-de-contrat")
def prevenir_fins(timestamp=None, jour=None):
    """Chaque matin : un message à chaque personne dont le contrat se termine dans les 30 jours (une fois par
    contrat et date de fin : une prolongation qui déplace la fin donnera un nouveau message à l'approche)."""
    from .selecteurs import contrats_finissant
    from .services import contrat_prevenir_fin

    jour = datetime.date.fromisoformat(jour) if jour else timezone.localdate()
    for contrat in contrats_finissant(debut=jour, fin=jour + datetime.timedelta(days=PREAVIS_FIN_JOURS)):
        contrat_prevenir_fin(contrat=contrat)

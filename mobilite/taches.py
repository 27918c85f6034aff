"""Tâches de la mobilité : le rappel de restitution envoyé la veille du retour prévu."""

import datetime

from django.utils import timezone

from commun.taches import RELANCES, app


@app.periodic(cron="0 10 * * *", periodic_id="rappels-restitution")
@app.task(name="mobilite.rappeler_restitutions", queue="messages", retry=RELANCES, queueing_lock="rappels-restitution")
def rappeler_restitutions(timestamp=None, jour=None):
    """Chaque matin : un rappel à chaque personne dont le véhicule est à rendre demain (une fois par location et
    date de retour : rejouée, la tâche n'envoie rien de plus)."""
    from .selecteurs import locations_a_rendre_le
    from .services import location_rappeler_restitution

    jour = datetime.date.fromisoformat(jour) if jour else timezone.localdate()
    for location in locations_a_rendre_le(jour + datetime.timedelta(days=1)):
        location_rappeler_restitution(location=location)

"""Tâches du registre : la durée de conservation appliquée chaque nuit (comme `manage.py appliquer_conservation`)."""

from commun.taches import RELANCES, app


@app.periodic(cron="30 2 * * *", periodic_id="conservation")
@app.task(name="beneficiaires.appliquer_conservation", queue="nuit", retry=RELANCES, queueing_lock="conservation")
def appliquer_conservation(timestamp=None):
    """Anonymise les personnes sans activité depuis la durée de conservation et purge les journaux anciens.
    Rejouée le même jour, elle ne trouve plus rien à faire (les personnes anonymisées ne sont plus retenues)."""
    from .rgpd import conservation_appliquer, journaux_purger_anciens

    conservation_appliquer()
    journaux_purger_anciens()

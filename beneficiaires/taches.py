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


@app.task(name="beneficiaires.importer_liste", queue="imports", retry=RELANCES)
def importer_liste(*, depot_id, par_id):
    """Importe un fichier confirmé (services.import_lancer), en tenant son avancement à jour pour qui l'a lancé.
    Idempotente : l'import et le statut « importé » sont écrits dans la même transaction ; rejouée après un import
    réussi, elle ne fait que clore l'avancement. En échec, l'avancement le dit, et la tâche est relancée."""
    from commun.services import progression_suivre, progression_terminer
    from comptes.models import User

    from . import services
    from .models import ImportBeneficiaires

    depot = ImportBeneficiaires.objects.get(pk=depot_id)
    if depot.statut == ImportBeneficiaires.Statut.EN_COURS:
        try:
            with progression_suivre(depot.progression_id) as noter:
                depot, _bilan = services.import_confirmer(
                    depot=depot, par=User.objects.get(pk=par_id), avancement=noter
                )
        except Exception:
            if depot.progression_id:
                progression_terminer(
                    progression_id=depot.progression_id,
                    echec=True,
                    resultat="L'import a échoué ; rien n'a été écrit. Il est relancé automatiquement : rechargez "
                    "cette page dans une minute.",
                )
            raise
    if depot.progression_id and depot.statut == ImportBeneficiaires.Statut.IMPORTE:
        progression_terminer(
            progression_id=depot.progression_id,
            resultat=_resume(depot.bilan),
            url_resultat=depot.get_absolute_url(),
        )


def _resume(bilan):
    """Le résumé du bilan gardé (dict) : le même texte que le message d'un import fait sur la page."""
    from dataclasses import fields

    from .importation.bilan import Bilan

    noms = {f.name for f in fields(Bilan)}
    return Bilan(**{cle: valeur for cle, valeur in (bilan or {}).items() if cle in noms}).resume()

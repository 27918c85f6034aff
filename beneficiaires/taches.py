"""Tâches du registre : la durée de conservation appliquée chaque nuit (comme `manage.py appliquer_conservation`)."""

import logging

from commun.francais import compte
from commun.taches import RELANCES, app

logger = logging.getLogger(__name__)


@app.periodic(cron="30 2 * * *", periodic_id="conservation")
@app.task(name="beneficiaires.appliquer_conservation", queue="nuit", retry=RELANCES, queueing_lock="conservation")
def appliquer_conservation(timestamp=None):
    """Anonymise les personnes sans activité depuis la durée de conservation et purge les journaux anciens.
    Rejouée le même jour, elle ne trouve plus rien à faire (les personnes anonymisées ne sont plus retenues)."""
    from .rgpd import conservation_appliquer, journaux_purger_anciens

    conservation_appliquer()
    journaux_purger_anciens()


@app.task(name="beneficiaires.importer_liste", queue="imports", retry=RELANCES, pass_context=True)
def importer_liste(contexte, *, depot_id, par_id):
    """Importe un fichier confirmé (services.import_lancer), en tenant son avancement à jour pour qui l'a lancé.
    Idempotente : l'import et le statut « importé » sont écrits dans la même transaction ; rejouée après un import
    réussi, elle ne fait que clore l'avancement.

    En échec, rien n'a été écrit. Une erreur de l'application (ValidationError) se répéterait à l'identique :
    pas de nouvel essai (`RELANCES`), le fichier repasse « déposé » (à relancer ou abandonner), l'avancement dit
    pourquoi, et l'erreur est relevée pour que la tâche finisse « failed » dans la file, pas « succeeded ».
    Une autre erreur (base indisponible…) est réessayée par Procrastinate ; au dernier essai, même issue."""
    from django.core.exceptions import ValidationError

    from commun.services import progression_suivre, progression_terminer
    from commun.taches import sera_reessayee
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
        except ValidationError as erreur:
            logger.warning("Import %s refusé, sans nouvel essai : %s", depot_id, erreur.messages)
            services.import_echouer(
                depot=depot,
                resultat=f"L'import a échoué : {' '.join(erreur.messages)[:250]} Rien n'a été écrit. Revoyez les "
                "colonnes ou déposez un fichier corrigé, puis relancez l'import, ou abandonnez ce fichier.",
            )
            raise
        except Exception as erreur:
            if sera_reessayee(contexte, erreur):
                if depot.progression_id:
                    progression_terminer(
                        progression_id=depot.progression_id,
                        echec=True,
                        resultat="L'import a échoué (erreur technique) ; rien n'a été écrit. Un nouvel essai aura "
                        "lieu dans quelques minutes : rechargez cette page. Vous pouvez aussi abandonner ce fichier.",
                    )
            else:
                essais = compte(contexte.job.attempts + 1, "essai")
                services.import_echouer(
                    depot=depot,
                    resultat=f"L'import a échoué après {essais} (erreur technique) ; rien n'a été écrit et il ne "
                    "sera plus réessayé. Relancez l'import plus tard depuis cette page, ou abandonnez ce fichier.",
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

"""Durée de conservation : anonymise les personnes sans activité depuis plus de CONSERVATION_MOIS mois et purge
les journaux (consultations, exports) plus anciens que JOURNAL_CONSERVATION_MOIS mois. Tâche périodique
chaque nuit (beneficiaires/taches.py, docs/exploitation.md). `--essai` : n'écrit rien, dit qui serait concerné
(identifiants seulement)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from beneficiaires.rgpd import conservation_appliquer, journaux_purger_anciens, limite_journaux
from commun.francais import compte, est_pluriel
from comptes.models import JournalConsultation, JournalExport


class Command(BaseCommand):
    help = (
        "Anonymise les personnes sans activité depuis plus de CONSERVATION_MOIS mois (noms, coordonnées, date de "
        "naissance, textes libres) et purge les journaux anciens. --essai : simulation, rien n'est modifié."
    )

    def add_arguments(self, parser):
        parser.add_argument("--essai", action="store_true", help="Simulation : liste les personnes concernées.")

    def handle(self, *args, essai=False, **options):
        resultat = conservation_appliquer(essai=essai)
        ids = resultat["personnes"]
        prefixe = "[essai] " if essai else ""
        if essai:
            verbe = "seraient anonymisées" if est_pluriel(len(ids)) else "serait anonymisée"
        else:
            verbe = "anonymisées" if est_pluriel(len(ids)) else "anonymisée"
        self.stdout.write(
            f"{prefixe}Dernière activité antérieure au {resultat['limite']:%d/%m/%Y} "
            f"({settings.CONSERVATION_MOIS} mois) : {compte(len(ids), 'personne')} {verbe}."
        )
        if ids:
            self.stdout.write(f"{prefixe}Identifiants : {', '.join(str(pk) for pk in ids)}")

        mois = getattr(settings, "JOURNAL_CONSERVATION_MOIS", 12)
        avant = limite_journaux()
        if essai:
            from axes.models import AccessFailureLog, AccessLog

            purges = {
                "consultations": JournalConsultation.objects.filter(date__lt=avant).count(),
                "exports": JournalExport.objects.filter(date__lt=avant).count(),
                "connexions": sum(
                    m.objects.filter(attempt_time__lt=avant).count() for m in (AccessLog, AccessFailureLog)
                ),
            }
        else:
            purges = journaux_purger_anciens()
        self.stdout.write(
            f"{prefixe}Journaux de plus de {mois} mois {'à supprimer' if essai else 'supprimés'} : "
            f"{compte(purges['consultations'], 'consultation')}, {compte(purges['exports'], 'export')}, "
            f"{compte(purges['connexions'], 'trace')} de connexion."
        )

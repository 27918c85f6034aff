from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from beneficiaires.importation import CHAMPS, ColonnesARelier, importer


class Command(BaseCommand):
    help = (
        "Importe une liste de foyers RSA (CSV ou XLSX, format décrit dans docs/formats.md). "
        "Met à jour les personnes connues, crée les nouvelles, ne supprime rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="chemin du fichier CSV ou XLSX")
        parser.add_argument("--essai", action="store_true", help="simule l'import et affiche le bilan sans rien écrire")
        parser.add_argument(
            "--source",
            default="",
            help="nom de la source (ex. « CAF Loiret ») : reprend la correspondance de colonnes enregistrée pour elle",
        )
        parser.add_argument("--rejets", type=int, default=50, help="nombre de lignes rejetées à afficher (50)")

    def handle(self, *args, fichier, essai, source, rejets, **options):
        chemin = Path(fichier)
        if not chemin.is_file():
            raise CommandError(f"Fichier introuvable : {fichier}")
        try:
            bilan = importer(chemin.read_bytes(), source=source, par=None, essai=essai)
        except ColonnesARelier as exc:
            a = exc.analyse
            message = exc.messages[0]
            if a.non_reconnues:
                message += f" Colonnes non reconnues : {', '.join(a.non_reconnues)}."
            message += (
                " Renommez les colonnes (voir docs/formats.md) ou enregistrez la correspondance de la source sur la "
                f"page d'import. Champs attendus : {', '.join(CHAMPS)}."
            )
            raise CommandError(message) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(bilan.resume())
        if bilan.colonnes_ignorees:
            self.stdout.write(f"Colonnes ignorées : {', '.join(bilan.colonnes_ignorees)}")
        for ligne, motif in bilan.rejets[:rejets]:
            self.stdout.write(f"  ligne {ligne} : rejetée — {motif}")
        if len(bilan.rejets) > rejets:
            self.stdout.write(f"  … et {len(bilan.rejets) - rejets} autre(s) ligne(s) rejetée(s).")
        self.stdout.write(self.style.SUCCESS(f"Terminé en {bilan.duree:.1f} s."))

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from referentiel.services import communes_charger


class Command(BaseCommand):
    help = "Charge les communes et les bassins d'emploi depuis un CSV (format de docs/formats.md). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="chemin du fichier CSV des communes")

    def handle(self, *args, fichier, **options):
        chemin = Path(fichier)
        if not chemin.is_file():
            raise CommandError(f"Fichier introuvable : {fichier}")
        try:
            bilan = communes_charger(contenu=chemin.read_bytes())
        except ValidationError as exc:
            raise CommandError(f"{chemin.name} : {' '.join(exc.messages)} Aucune donnée n'a été écrite.") from exc
        self.stdout.write(self.style.SUCCESS(str(bilan)))

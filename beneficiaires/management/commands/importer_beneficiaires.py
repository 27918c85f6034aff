from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from beneficiaires.importation import CHAMPS, ColonnesARelier, importer, lire_correspondances
from commun.francais import compte


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
            help="nom de la source (ex. « CAF ») : reprend la correspondance de colonnes enregistrée pour elle",
        )
        parser.add_argument(
            "--correspondance",
            action="append",
            default=[],
            metavar="COLONNE=CHAMP",
            help="relie une colonne du fichier à un champ (« ignorer » pour l'écarter) ; répétable. "
            "Remplace la correspondance enregistrée de la source.",
        )
        parser.add_argument("--rejets", type=int, default=50, help="nombre de lignes rejetées à afficher (50)")
        parser.add_argument("--avertissements", type=int, default=50, help="nombre d'avertissements affichés (50)")

    def handle(self, *args, fichier, essai, source, correspondance, rejets, avertissements, **options):
        chemin = Path(fichier)
        if not chemin.is_file():
            raise CommandError(f"Fichier introuvable : {fichier}")
        try:
            correspondances = lire_correspondances(correspondance) if correspondance else None
            bilan = importer(chemin.read_bytes(), source=source, par=None, essai=essai, correspondances=correspondances)
        except ColonnesARelier as exc:
            raise CommandError(self.message_colonnes(exc)) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.afficher(bilan, rejets, avertissements)

    def message_colonnes(self, exc):
        a = exc.analyse
        message = exc.messages[0]
        if a.non_reconnues:
            message += f" Colonnes non reconnues : {', '.join(a.non_reconnues)}."
        return message + (
            " Reliez-les avec --correspondance « colonne=champ » (répétable), ou enregistrez la correspondance de la "
            f"source sur la page d'import. Champs possibles : {', '.join(CHAMPS)}."
        )

    def afficher(self, bilan, rejets, avertissements):
        self.stdout.write(bilan.resume())
        if bilan.colonnes_ignorees:
            self.stdout.write(f"Colonnes ignorées : {', '.join(bilan.colonnes_ignorees)}")
        self.lister(
            [f"ligne {n} : rejetée — {m}" for n, m in bilan.rejets], rejets, ("ligne rejetée", "lignes rejetées")
        )
        self.lister(
            [f"ligne {n} : {champ} {m}" for n, champ, m in bilan.avertissements],
            avertissements,
            ("avertissement", "avertissements"),
            total=bilan.nb_avertissements,
        )
        self.lister(
            [f"ligne {n} : {p} ressemble à {connue} ({motif}), non créée" for n, p, connue, motif in bilan.doublons],
            rejets,
            ("doublon probable", "doublons probables"),
        )
        self.stdout.write(self.style.SUCCESS(f"Terminé en {bilan.duree:.1f} s."))

    def lister(self, lignes, limite, libelle, total=None):
        for texte in lignes[:limite]:
            self.stdout.write(f"  {texte}")
        total = len(lignes) if total is None else total
        if total > limite:
            singulier, pluriel = libelle
            self.stdout.write(f"  … et {compte(total - limite, f'autre {singulier}', f'autres {pluriel}')}.")

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from referentiel.registre_demo import ECHELLES, generateurs
from referentiel.signaux import ecritures_en_masse


class Command(BaseCommand):
    help = "Charge les données de démonstration (communes, comptes, bénéficiaires, axes). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--echelle",
            choices=ECHELLES,
            default="petite",
            help="petite (make run) ou loiret (population du lancement : 14 293 foyers)",
        )
        parser.add_argument("--graine", type=int, default=2017, help="graine du générateur aléatoire")

    def handle(self, *args, echelle, graine, **options):
        if not settings.DEMO_AUTORISEE:
            raise CommandError(
                "Les données de démonstration sont réservées au développement (DEBUG=1) : "
                "elles créent des comptes aux mots de passe publics."
            )
        debut = time.perf_counter()
        for g in generateurs():
            t0 = time.perf_counter()
            # Une transaction par générateur : un générateur interrompu n'écrit rien, et sur SQLite les
            # milliers d'appels aux services ne paient qu'une écriture disque au lieu d'une chacun.
            with transaction.atomic():
                g.fonction(echelle=echelle, graine=graine, sortie=self.stdout.write)
            self.stdout.write(f"  [{g.nom}] {time.perf_counter() - t0:.1f} s")
        # Les générateurs écrivent en masse (bulk_create, update) sans signal par objet : toutes les versions des
        # données en cache changent (commun.versions s'abonne à ce signal ; sender None : toutes les applications).
        ecritures_en_masse.send(sender=None)
        self.stdout.write(
            self.style.SUCCESS(f"Données de démonstration prêtes en {time.perf_counter() - debut:.1f} s.")
        )

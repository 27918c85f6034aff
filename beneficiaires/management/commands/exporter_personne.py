"""Droit d'accès (article 15 du RGPD) : toutes les données d'une personne, en JSON ou en document HTML lisible.

    manage.py exporter_personne 42 --par admin --format html --sortie personne-42.html

L'export est inscrit au journal des exports (qui, quand, quelle personne, combien d'enregistrements)."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string

from beneficiaires.models import Beneficiaire
from beneficiaires.rgpd import donnees_personne, nombre_enregistrements
from comptes.models import User
from comptes.services import export_journaliser


class Command(BaseCommand):
    help = "Exporte toutes les données d'une personne (droit d'accès) en JSON ou en HTML."

    def add_arguments(self, parser):
        parser.add_argument("pk", type=int, help="Identifiant de la personne (bénéficiaire).")
        parser.add_argument("--format", choices=["json", "html"], default="json")
        parser.add_argument(
            "--par", required=True, help="Identifiant de l'administrateur qui traite la demande (journalisé)."
        )
        parser.add_argument("--sortie", help="Fichier à écrire (sinon la sortie standard).")

    def handle(self, *args, pk, format, par, sortie=None, **options):
        try:
            agent = User.objects.get(username=par, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"Aucun compte actif « {par} ».") from None
        if not agent.est_administrateur:
            raise CommandError("Seul un administrateur peut exporter toutes les données d'une personne.")
        try:
            personne = Beneficiaire.objects.visibles_par(agent).select_related("foyer").get(pk=pk)
        except Beneficiaire.DoesNotExist:
            raise CommandError(f"Aucune personne n° {pk}.") from None

        if format == "json":
            donnees = donnees_personne(personne)
            contenu = json.dumps(donnees, ensure_ascii=False, indent=2)
        else:
            donnees = donnees_personne(personne, affichage=True)
            contenu = render_to_string("beneficiaires/rgpd_document.html", {"donnees": donnees})
        export_journaliser(
            par=agent,
            vue="commande exporter_personne",
            filtres=f"beneficiaire={personne.pk}",
            format=format,
            lignes=nombre_enregistrements(donnees),
        )
        if sortie:
            with open(sortie, "w", encoding="utf-8") as fichier:
                fichier.write(contenu)
            self.stderr.write(f"Données de la personne n° {personne.pk} écrites dans {sortie}.")
        else:
            self.stdout.write(contenu)

"""Le compteur de version des données qui périme les corps de page en cache (commun/cache_pages.py)."""

from django.db import migrations

from commun.cache_pages import creer_compteur, supprimer_compteur


def creer(apps, schema_editor):
    creer_compteur(schema_editor)


def supprimer(apps, schema_editor):
    supprimer_compteur(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("comptes", "0002_journal_consultation")]

    operations = [migrations.RunPython(creer, supprimer)]

"""Le compteur global de version des données est remplacé par les versions par application (table de
commun.VersionCache, commun/versions.py) : supprimé ; recréé si l'on revient en arrière."""

import importlib

from django.db import migrations

precedente = importlib.import_module("comptes.migrations.0003_version_donnees")


class Migration(migrations.Migration):
    dependencies = [("comptes", "0003_version_donnees")]

    operations = [migrations.RunPython(precedente.supprimer, precedente.creer)]

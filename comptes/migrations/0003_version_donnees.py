"""Le compteur de version des données qui périmait les corps de page en cache (remplacé par les versions par
application de commun/versions.py, voir 0004) ; code recopié ici pour que la migration ne dépende d'aucun
module vivant."""

from django.db import migrations

NOM_VERSION = "comptes_version_donnees"


def creer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {NOM_VERSION}")
    else:
        schema_editor.execute(f"CREATE TABLE IF NOT EXISTS {NOM_VERSION} (id integer PRIMARY KEY, valeur bigint)")
        schema_editor.execute(f"INSERT INTO {NOM_VERSION} (id, valeur) VALUES (1, 1)")


def supprimer(apps, schema_editor):
    objet = "SEQUENCE" if schema_editor.connection.vendor == "postgresql" else "TABLE"
    schema_editor.execute(f"DROP {objet} IF EXISTS {NOM_VERSION}")


class Migration(migrations.Migration):
    dependencies = [("comptes", "0002_journal_consultation")]

    operations = [migrations.RunPython(creer, supprimer)]

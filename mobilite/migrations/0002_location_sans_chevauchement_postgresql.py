"""Sur PostgreSQL seulement : deux locations non annulées d'un même véhicule ne se chevauchent jamais.

Jours entiers, bornes comprises : daterange(debut, fin, '[]'). Une location qui finit le 10 et une autre qui
commence le 10 se chevauchent (le véhicule n'est pas remis deux fois le même jour). Le service
`location_reserver` vérifie la même règle sur toutes les bases ; ici la base a le dernier mot sous concurrence.
Sur SQLite, cette étape ne fait rien (pas d'extension btree_gist ni de contrainte d'exclusion).
"""

from django.db import migrations

NOM = "location_sans_chevauchement"


def creer(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"""
        ALTER TABLE mobilite_location ADD CONSTRAINT {NOM}
        EXCLUDE USING gist (
            vehicule_id WITH =,
            daterange(debut, fin, '[]') WITH &&
        ) WHERE (statut <> 'annulee')
        """
    )


def supprimer(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE mobilite_location DROP CONSTRAINT IF EXISTS {NOM}")


class Migration(migrations.Migration):
    dependencies = [("mobilite", "0001_initial")]

    operations = [migrations.RunPython(creer, supprimer, elidable=False)]

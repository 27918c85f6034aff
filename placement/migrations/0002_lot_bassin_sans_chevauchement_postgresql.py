"""Sur PostgreSQL seulement : un bassin n'est couvert, à une date donnée, que par un seul lot.

Les bassins d'un lot sont dans la table de liaison `placement_lot_bassins` (lot_id, bassinemploi_id), sans les
dates du lot ; Django y insère avec ON CONFLICT DO NOTHING, qui ignorerait en silence une contrainte posée sur
cette table. La couverture (bassin, période du lot) est donc tenue par la base dans une table à part,
`placement_couverture_bassin`, qui porte la contrainte d'exclusion (même bassin, périodes qui se chevauchent,
jours entiers, bornes comprises : refusé) :

- une liaison ajoutée (ou modifiée) y ajoute sa ligne, aux dates du lot : un chevauchement fait échouer l'ajout ;
- une liaison retirée (ou la table vidée) y retire la sienne ;
- quand les dates d'un lot changent, par n'importe quel chemin, celles de sa couverture suivent, sous la même
  contrainte.

Le service (`lot_verifier_bassins`) vérifie la même règle sur toutes les bases avec un message clair ; ici la
base a le dernier mot (deux créations simultanées, script qui contourne les services). Sur SQLite, cette étape
ne fait rien. Aucune clé étrangère ne pointe de cette table vers celles de Django (le vidage des tables entre
deux tests, TRUNCATE, n'en est pas gêné) : les déclencheurs tiennent la cohérence.
"""

from django.db import migrations

NOM = "lot_bassin_sans_chevauchement"

CREER = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE placement_couverture_bassin (
    liaison_id bigint PRIMARY KEY,
    lot_id bigint NOT NULL,
    bassin_id bigint NOT NULL,
    date_debut date NOT NULL,
    date_fin date NOT NULL,
    CONSTRAINT {NOM} EXCLUDE USING gist (bassin_id WITH =, daterange(date_debut, date_fin, '[]') WITH &&)
);
CREATE INDEX placement_couverture_bassin_lot ON placement_couverture_bassin (lot_id);
INSERT INTO placement_couverture_bassin
    SELECT lb.id, lb.lot_id, lb.bassinemploi_id, l.date_debut, l.date_fin
    FROM placement_lot_bassins AS lb JOIN placement_lot AS l ON l.id = lb.lot_id;

CREATE FUNCTION placement_couverture_liaison() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM placement_couverture_bassin WHERE liaison_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO placement_couverture_bassin
            SELECT NEW.id, NEW.lot_id, NEW.bassinemploi_id, l.date_debut, l.date_fin
            FROM placement_lot AS l WHERE l.id = NEW.lot_id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER placement_couverture_liaison AFTER INSERT OR UPDATE OR DELETE ON placement_lot_bassins
    FOR EACH ROW EXECUTE FUNCTION placement_couverture_liaison();

CREATE FUNCTION placement_couverture_vider() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE placement_couverture_bassin;
    RETURN NULL;
END;
$$;
CREATE TRIGGER placement_couverture_vider AFTER TRUNCATE ON placement_lot_bassins
    FOR EACH STATEMENT EXECUTE FUNCTION placement_couverture_vider();

CREATE FUNCTION placement_couverture_dates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE placement_couverture_bassin SET date_debut = NEW.date_debut, date_fin = NEW.date_fin
        WHERE lot_id = NEW.id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER placement_couverture_dates AFTER UPDATE OF date_debut, date_fin ON placement_lot
    FOR EACH ROW EXECUTE FUNCTION placement_couverture_dates();
"""

SUPPRIMER = """
DROP TRIGGER IF EXISTS placement_couverture_dates ON placement_lot;
DROP TRIGGER IF EXISTS placement_couverture_vider ON placement_lot_bassins;
DROP TRIGGER IF EXISTS placement_couverture_liaison ON placement_lot_bassins;
DROP FUNCTION IF EXISTS placement_couverture_dates();
DROP FUNCTION IF EXISTS placement_couverture_vider();
DROP FUNCTION IF EXISTS placement_couverture_liaison();
DROP TABLE IF EXISTS placement_couverture_bassin;
"""


def creer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREER)


def supprimer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SUPPRIMER)


class Migration(migrations.Migration):
    dependencies = [("placement", "0001_initial")]

    operations = [migrations.RunPython(creer, supprimer, elidable=False)]

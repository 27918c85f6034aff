"""Valeurs de référence initiales (SMIC horaire brut, RSA personne seule), modifiables ensuite dans l'admin,
et, sur PostgreSQL seulement, la contrainte d'exclusion : pas deux conventions signées d'une même personne
sur des dates qui se chevauchent (le service applique la même règle sur toutes les bases)."""

from datetime import date
from decimal import Decimal

from django.db import migrations

VALEURS = [
    ("smic_horaire", date(2017, 1, 1), Decimal("9.76")),
    ("smic_horaire", date(2018, 1, 1), Decimal("9.88")),
    ("smic_horaire", date(2019, 1, 1), Decimal("10.03")),
    ("smic_horaire", date(2020, 1, 1), Decimal("10.15")),
    ("rsa_personne_seule", date(2017, 4, 1), Decimal("536.78")),
    ("rsa_personne_seule", date(2017, 9, 1), Decimal("545.48")),
    ("rsa_personne_seule", date(2023, 4, 1), Decimal("607.75")),
    ("rsa_personne_seule", date(2025, 4, 1), Decimal("646.52")),
]

EXCLUSION = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE contrats_contrataide ADD CONSTRAINT contrat_sans_chevauchement_pg
EXCLUDE USING gist (
    beneficiaire_id WITH =,
    daterange(date_debut, COALESCE(date_rupture, date_fin), '[]') WITH &&
) WHERE (statut IN ('signe', 'en_cours', 'termine', 'rompu'));
"""


def charger(apps, schema_editor):
    Parametre = apps.get_model("contrats", "ParametreFinancier")
    for type_, date_effet, montant in VALEURS:
        Parametre.objects.get_or_create(type=type_, date_effet=date_effet, defaults={"montant": montant})


def retirer(apps, schema_editor):
    Parametre = apps.get_model("contrats", "ParametreFinancier")
    for type_, date_effet, _montant in VALEURS:
        Parametre.objects.filter(type=type_, date_effet=date_effet).delete()


def exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXCLUSION)


def exclusion_retirer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE contrats_contrataide DROP CONSTRAINT IF EXISTS contrat_sans_chevauchement_pg")


class Migration(migrations.Migration):
    dependencies = [("contrats", "0001_initial")]

    operations = [
        migrations.RunPython(charger, retirer),
        migrations.RunPython(exclusion, exclusion_retirer),
    ]

"""Valeurs de référence complètes de 2017 à 2026 (SMIC horaire brut, RSA forfaitaire pour une personne seule),
chacune avec le texte qui la fixe.

Idempotente sur une base existante : une ligne (type, date d'effet) déjà présente reçoit le montant officiel et,
si elle n'en a pas, sa source ; une ligne absente est créée ; rien n'est jamais dupliqué ni supprimé (le retour
arrière laisse les lignes : d'autres calculs ont pu s'en servir).

La revalorisation du RSA au 1er avril 2026 n'y figure pas : faute d'avoir pu la vérifier dans le texte officiel,
le tableau s'arrête au 1er avril 2025 et l'application signale la valeur comme peut-être périmée (voir
docs/decisions.md). Un administrateur l'ajoute dans l'administration quand le texte est connu.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

SMIC = "smic_horaire"
RSA = "rsa_personne_seule"

VALEURS = [
    (SMIC, date(2017, 1, 1), "9.76", "Décret n° 2016-1818 du 22 décembre 2016 portant relèvement du salaire minimum de croissance"),
    (SMIC, date(2018, 1, 1), "9.88", "Décret n° 2017-1719 du 20 décembre 2017 portant relèvement du salaire minimum de croissance"),
    (SMIC, date(2019, 1, 1), "10.03", "Décret n° 2018-1173 du 19 décembre 2018 portant relèvement du salaire minimum de croissance"),
    (SMIC, date(2020, 1, 1), "10.15", "Décret n° 2019-1387 du 18 décembre 2019 portant relèvement du salaire minimum de croissance"),
    (SMIC, date(2021, 1, 1), "10.25", "Décret n° 2020-1598 du 16 décembre 2020 portant relèvement du salaire minimum de croissance"),
    (SMIC, date(2021, 10, 1), "10.48", "Arrêté du 27 septembre 2021 relatif au relèvement du salaire minimum de croissance (revalorisation automatique)"),
    (SMIC, date(2022, 1, 1), "10.57", "Décret n° 2021-1741 du 22 décembre 2021 portant relèvement du salaire minimum de croissance"),
    (SMIC, date(2022, 5, 1), "10.85", "Arrêté du 19 avril 2022 relatif au relèvement du salaire minimum de croissance (revalorisation automatique)"),
    (SMIC, date(2022, 8, 1), "11.07", "Arrêté du 29 juillet 2022 relatif au relèvement du salaire minimum de croissance (revalorisation automatique)"),
    (SMIC, date(2023, 1, 1), "11.27", "Décret n° 2022-1608 du 22 décembre 2022 portant relèvement du salaire minimum de croissance"),
    (SMIC, date(2023, 5, 1), "11.52", "Arrêté du 26 avril 2023 relatif au relèvement du salaire minimum de croissance (revalorisation automatique)"),
    (SMIC, date(2024, 1, 1), "11.65", "Décret n° 2023-1216 du 20 décembre 2023 portant relèvement du salaire minimum de croissance"),
    (SMIC, date(2024, 11, 1), "11.88", "Décret n° 2024-951 du 23 octobre 2024 portant relèvement du salaire minimum de croissance"),
    (SMIC, date(2025, 1, 1), "11.88", "Pas de revalorisation au 1er janvier 2025 : montant du décret n° 2024-951 du 23 octobre 2024 maintenu"),
    (SMIC, date(2026, 1, 1), "12.02", "Décret n° 2025-1228 du 17 décembre 2025 portant relèvement du salaire minimum de croissance"),
    (RSA, date(2017, 4, 1), "536.78", "Décret de revalorisation du montant forfaitaire du RSA au 1er avril 2017"),
    (RSA, date(2017, 9, 1), "545.48", "Décret de revalorisation exceptionnelle du montant forfaitaire du RSA au 1er septembre 2017 (plan pluriannuel contre la pauvreté)"),
    (RSA, date(2018, 4, 1), "550.93", "Décret de revalorisation annuelle du montant forfaitaire du RSA au 1er avril 2018"),
    (RSA, date(2019, 4, 1), "559.74", "Décret de revalorisation annuelle du montant forfaitaire du RSA au 1er avril 2019"),
    (RSA, date(2020, 4, 1), "564.78", "Décret de revalorisation annuelle du montant forfaitaire du RSA au 1er avril 2020"),
    (RSA, date(2021, 4, 1), "565.34", "Décret de revalorisation annuelle du montant forfaitaire du RSA au 1er avril 2021"),
    (RSA, date(2022, 4, 1), "575.52", "Décret de revalorisation annuelle du montant forfaitaire du RSA au 1er avril 2022"),
    (RSA, date(2022, 7, 1), "598.54", "Loi n° 2022-1158 du 16 août 2022 portant mesures d'urgence pour la protection du pouvoir d'achat (revalorisation anticipée de 4 % au 1er juillet 2022)"),
    (RSA, date(2023, 4, 1), "607.75", "Décret de revalorisation annuelle du montant forfaitaire du RSA au 1er avril 2023"),
    (RSA, date(2024, 4, 1), "635.71", "Décret de revalorisation annuelle du montant forfaitaire du RSA au 1er avril 2024"),
    (RSA, date(2025, 4, 1), "646.52", "Décret de revalorisation annuelle du montant forfaitaire du RSA au 1er avril 2025"),
]  # fmt: skip


def charger(apps, schema_editor):
    Parametre = apps.get_model("contrats", "ParametreFinancier")
    for type_, date_effet, montant, source in VALEURS:
        ligne = Parametre.objects.filter(type=type_, date_effet=date_effet).first()
        if ligne is None:
            Parametre.objects.create(type=type_, date_effet=date_effet, montant=Decimal(montant), source=source)
            continue
        ligne.montant = Decimal(montant)
        ligne.source = ligne.source or source
        ligne.save(update_fields=["montant", "source"])


class Migration(migrations.Migration):
    dependencies = [("contrats", "0003_parametrefinancier_source")]

    operations = [migrations.RunPython(charger, migrations.RunPython.noop)]

"""Une convention signée liste les actions d'accompagnement et de formation prévues (contrainte en base).

Les conventions déjà signées sans ces actions ne sont ni effacées ni inventées : la convention papier signée
les contient, le logiciel ne les avait simplement pas enregistrées. Le champ vide reçoit une mention explicite,
qui dit que l'information n'a pas été saisie et où la trouver (voir docs/decisions.md). La liste des
conventions concernées se retrouve en cherchant cette mention ; la migration dit combien elle en a complétées.
"""

from django.db import migrations, models

STATUTS_SIGNES = ("signe", "en_cours", "termine", "rompu")
MENTION = "Non saisies lors de la signature (convention antérieure à cette règle) : voir la convention signée."


def completer(apps, schema_editor):
    ContratAide = apps.get_model("contrats", "ContratAide")
    signes = ContratAide.objects.filter(statut__in=STATUTS_SIGNES)
    total = 0
    for champ in ("actions_accompagnement", "actions_formation"):
        total += signes.filter(**{champ: ""}).update(**{champ: MENTION})
    if total:
        print(f"\n  {total} champ(s) d'actions vide(s) de conventions signées complété(s) par la mention : {MENTION}")


class Migration(migrations.Migration):
    dependencies = [("contrats", "0004_valeurs_legales_2017_2026")]

    operations = [
        migrations.RunPython(completer, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="contrataide",
            constraint=models.CheckConstraint(
                condition=models.Q(statut="brouillon")
                | ~models.Q(actions_accompagnement="") & ~models.Q(actions_formation=""),
                name="contrat_signe_actions_prevues",
                violation_error_message="Une convention signée liste les actions d'accompagnement et de formation "
                "prévues.",
            ),
        ),
    ]

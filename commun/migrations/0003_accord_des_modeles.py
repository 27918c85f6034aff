"""Les modèles de messages accordent selon la civilité ({{ e }}) au lieu d'écrire « attendu(e) »."""

from django.db import migrations

REMPLACEMENTS = (("attendu(e)", "attendu{{ e }}"), ("Empêché(e)", "Empêché{{ e }}"), ("invité(e)", "invité{{ e }}"))


def accorder(apps, schema_editor):
    ModeleMessage = apps.get_model("commun", "ModeleMessage")
    for modele in ModeleMessage.objects.all():
        avant = (modele.corps, modele.corps_sms)
        for ancien, nouveau in REMPLACEMENTS:
            modele.corps = modele.corps.replace(ancien, nouveau)
            modele.corps_sms = modele.corps_sms.replace(ancien, nouveau)
        if (modele.corps, modele.corps_sms) != avant:
            modele.save(update_fields=["corps", "corps_sms"])


class Migration(migrations.Migration):
    dependencies = [("commun", "0002_messages_et_taches")]

    operations = [migrations.RunPython(accorder, migrations.RunPython.noop)]

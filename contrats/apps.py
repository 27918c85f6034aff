from django.apps import AppConfig
from django.core import checks


class ContratsConfig(AppConfig):
    name = "contrats"
    verbose_name = "Contrats aidés CUI-CAE (axe 2)"

    def ready(self):
        from .checks import valeurs_de_reference_a_jour

        checks.register(valeurs_de_reference_a_jour)

from django.apps import AppConfig


class ReferentielConfig(AppConfig):
    name = "referentiel"
    verbose_name = "Référentiel"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Chaque application déclare ses générateurs de données de démonstration dans demo.py.
        autodiscover_modules("demo")

from django.apps import AppConfig


class PlacementConfig(AppConfig):
    name = "placement"
    verbose_name = "Placement (axe 3)"

    def ready(self):
        # Le périmètre des prestataires sur le registre des personnes (beneficiaires.acces).
        from . import acces  # noqa: F401

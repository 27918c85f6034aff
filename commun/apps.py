from django.apps import AppConfig


class CommunConfig(AppConfig):
    """Ce que toutes les applications partagent et qu'aucun axe ne possède : rendu des listes (tableaux, filtres,
    exports), historique, registre du menu, corps de page en cache, aides de sécurité."""

    name = "commun"
    verbose_name = "Commun"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Chaque application déclare ses entrées de navigation dans menu.py.
        autodiscover_modules("menu")
        # Et les alertes de l'accueil dans alertes.py.
        autodiscover_modules("alertes")

        from . import checks, tableaux, versions  # noqa: F401 - checks : contrôles enregistrés à l'import

        tableaux.installer()
        versions.brancher()

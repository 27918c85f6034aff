from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "comptes"
    verbose_name = "Comptes et rôles"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Chaque application déclare ses entrées de navigation dans menu.py.
        autodiscover_modules("menu")

        from . import cache_pages, tableaux

        tableaux.installer()
        cache_pages.brancher()

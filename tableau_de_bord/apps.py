from django.apps import AppConfig


class TableauDeBordConfig(AppConfig):
    name = "tableau_de_bord"
    verbose_name = "Tableau de bord"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Chaque application déclare ses indicateurs dans indicateurs.py. Une écriture sur un modèle de
        # l'application d'un modèle nommé par une déclaration (modeles=...) périme le cache du tableau (cache.py).
        autodiscover_modules("indicateurs")

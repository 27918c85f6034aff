from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ComptesConfig(AppConfig):
    default = True
    name = "comptes"
    verbose_name = "Comptes et rôles"

    def ready(self):
        from . import signaux  # noqa: F401 - journal des exports


class AdminConfig(admin_apps.AdminConfig):
    """L'administration de Django, servie par comptes.admin_site.SiteAdmin (second facteur exigé)."""

    default = False
    default_site = "comptes.admin_site.SiteAdmin"

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps

from commun.francais import est_pluriel


class ComptesConfig(AppConfig):
    default = True
    name = "comptes"
    verbose_name = "Comptes et rôles"

    def ready(self):
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        from . import signaux  # noqa: F401 - journal des exports, sessions ouvertes
        from .models import Role

        inconnus = sorted(set(settings.DOUBLE_FACTEUR_ROLES) - set(Role.values))
        if inconnus:
            raise ImproperlyConfigured(
                f"DOUBLE_FACTEUR_ROLES : {'rôles inconnus' if est_pluriel(len(inconnus)) else 'rôle inconnu'} "
                f"{', '.join(inconnus)} ; rôles possibles : " + ", ".join(Role.values)
            )


class AdminConfig(admin_apps.AdminConfig):
    """L'administration de Django, servie par comptes.admin_site.SiteAdmin (second facteur exigé)."""

    default = False
    default_site = "comptes.admin_site.SiteAdmin"

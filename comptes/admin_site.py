"""Site d'administration : même site que celui de Django, mais le second facteur y est exigé et la connexion passe
par la page de connexion de l'application (mot de passe puis code, ou fournisseur d'identité)."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse


class SiteAdmin(admin.AdminSite):
    site_header = "plan-emploi — administration"
    site_title = "plan-emploi"
    index_title = "Référentiels, comptes et objectifs"

    def has_permission(self, request):
        from .double_facteur import double_facteur_satisfait

        return super().has_permission(request) and double_facteur_satisfait(request)

    def login(self, request, extra_context=None):
        """Le formulaire de connexion de l'administration (mot de passe seul) n'est jamais servi."""
        suite = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(suite, reverse("comptes:connexion"))

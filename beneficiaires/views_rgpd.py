"""Droit d'accès (article 15 du RGPD) : toutes les données d'une personne, en page lisible ou en JSON.

Réservé aux administrateurs ; la personne est cherchée dans `Beneficiaire.objects.visibles_par` (404 hors
périmètre) ; chaque ouverture est inscrite au journal des exports et au journal des consultations.
"""

import json

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView, View

from comptes.acces import RoleRequisMixin
from comptes.models import Role
from comptes.services import consultation_journaliser, export_journaliser

from .models import Beneficiaire
from .rgpd import donnees_personne, nombre_enregistrements


class DonneesPersonneMixin(RoleRequisMixin):
    roles = (Role.ADMINISTRATEUR,)
    roles_ecriture = (Role.ADMINISTRATEUR,)
    format_export = "html"

    def personne(self):
        qs = Beneficiaire.objects.visibles_par(self.request.user).select_related("foyer")
        return get_object_or_404(qs, pk=self.kwargs["pk"])

    def journaliser(self, personne, donnees):
        consultation_journaliser(par=self.request.user, objet=personne)
        export_journaliser(
            par=self.request.user,
            vue=getattr(self.request.resolver_match, "view_name", "") or self.request.path,
            filtres=f"beneficiaire={personne.pk}",
            format=self.format_export,
            lignes=nombre_enregistrements(donnees),
        )


@method_decorator(never_cache, name="dispatch")
class DonneesPersonneView(DonneesPersonneMixin, TemplateView):
    """Page lisible (imprimable) de toutes les données d'une personne."""

    template_name = "beneficiaires/rgpd_donnees.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        personne = self.personne()
        donnees = donnees_personne(personne, affichage=True)
        self.journaliser(personne, donnees)
        context["donnees"] = donnees
        context["beneficiaire"] = personne
        return context


@method_decorator(never_cache, name="dispatch")
class DonneesPersonneJsonView(DonneesPersonneMixin, View):
    """Téléchargement JSON de toutes les données d'une personne."""

    format_export = "json"

    def get(self, request, *args, **kwargs):
        personne = self.personne()
        donnees = donnees_personne(personne)
        self.journaliser(personne, donnees)
        reponse = HttpResponse(
            json.dumps(donnees, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        reponse["Content-Disposition"] = f'attachment; filename="donnees-personne-{personne.pk}.json"'
        return reponse

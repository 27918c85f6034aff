"""Une liste exportable minimale, pour tester commun.exports.ExportMixin indépendamment des applications."""

import django_tables2 as tables
from django.urls import include, path
from django_tables2.views import SingleTableView

from commun.exports import ExportMixin
from comptes.acces import RoleRequisMixin
from comptes.models import User
from plan_emploi import urls as urls_projet


class TableAgents(tables.Table):
    class Meta:
        model = User
        fields = ("username", "last_name", "first_name")
        order_by = ("username",)


class ListeAgents(RoleRequisMixin, ExportMixin, SingleTableView):
    model = User
    table_class = TableAgents
    template_name = "django_tables2/bootstrap5.html"
    export_name = "agents"

    def get_queryset(self):
        qs = User.objects.order_by("username")
        if self.request.GET.get("nom"):
            qs = qs.filter(last_name__icontains=self.request.GET["nom"])
        return qs


class ListeAgentsNonPersonnelle(ListeAgents):
    donnees_personnelles = False


urlpatterns = [
    path(
        "test-export/",
        include(
            (
                [
                    path("agents/", ListeAgents.as_view(), name="agents"),
                    path("agents-anonymes/", ListeAgentsNonPersonnelle.as_view(), name="agents_anonymes"),
                ],
                "test_export",
            )
        ),
    ),
    *urls_projet.urlpatterns,
]

"""Administration en lecture : les écritures passent par les pages et les services (règles, historique)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from commun.admin import LectureSeuleMixin

from .models import Beneficiaire, CorrespondanceColonnes, Evaluation, Foyer, ImportBeneficiaires


@admin.register(Foyer)
class FoyerAdmin(LectureSeuleMixin, SimpleHistoryAdmin):
    list_display = ("numero_allocataire", "organisme", "etat_droit", "commune")
    list_filter = ("organisme", "etat_droit", "commune__bassin_emploi")
    search_fields = ("numero_allocataire",)
    list_select_related = ("commune",)


@admin.register(Beneficiaire)
class BeneficiaireAdmin(LectureSeuleMixin, SimpleHistoryAdmin):
    list_display = ("__str__", "foyer", "role", "commune", "statut_parcours", "referent")
    list_filter = ("statut_parcours", "role", "soumis_droits_devoirs", "commune__bassin_emploi")
    search_fields = ("recherche",)
    list_select_related = ("foyer", "commune", "referent")
    raw_id_fields = ("foyer", "commune", "referent", "evaluation_courante")


@admin.register(Evaluation)
class EvaluationAdmin(LectureSeuleMixin, SimpleHistoryAdmin):
    list_display = ("__str__", "statut", "evaluateur")
    list_filter = ("statut",)
    list_select_related = ("beneficiaire", "evaluateur")
    raw_id_fields = ("beneficiaire", "evaluateur")


@admin.register(CorrespondanceColonnes)
class CorrespondanceColonnesAdmin(SimpleHistoryAdmin):
    """Une correspondance erronée se supprime ici ; la page d'import la redemandera."""

    list_display = ("source", "date_modification", "modifie_par")
    readonly_fields = ("source", "correspondances", "modifie_par")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ImportBeneficiaires)
class ImportBeneficiairesAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ("nom_fichier", "source", "date", "utilisateur", "statut", "date_import")
    list_filter = ("statut", "source")
    exclude = ("contenu",)

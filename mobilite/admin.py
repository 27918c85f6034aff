"""Administration : consultation et corrections de référentiel. Les actions métier passent par l'application
(services) ; les locations et cessions sont en lecture seule ici pour ne jamais contourner les règles."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from commun.admin import LectureSeuleMixin, colonne_euros

from .models import Cession, ConventionCession, Location, PeriodeMaintenance, Vehicule


@admin.register(Vehicule)
class VehiculeAdmin(LectureSeuleMixin, SimpleHistoryAdmin):
    list_display = ("immatriculation", "type", "marque", "modele", "commune", "partenaire", "statut")
    list_filter = ("type", "statut", "commune__bassin_emploi")
    search_fields = ("immatriculation", "marque", "modele")
    list_select_related = ("commune", "partenaire")


@admin.register(PeriodeMaintenance)
class PeriodeMaintenanceAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ("vehicule", "debut", "fin", "motif")
    list_select_related = ("vehicule",)


@admin.register(Location)
class LocationAdmin(LectureSeuleMixin, SimpleHistoryAdmin):
    list_display = ("pk", "beneficiaire", "vehicule", "debut", "fin", "motif", "statut")
    list_filter = ("statut", "motif", "vehicule__type")
    list_select_related = ("beneficiaire", "vehicule")
    raw_id_fields = ("beneficiaire", "vehicule")


@admin.register(ConventionCession)
class ConventionCessionAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ("pk", "partenaire", "debut", "fin", "date_signature")
    list_select_related = ("partenaire",)


@admin.register(Cession)
class CessionAdmin(LectureSeuleMixin, SimpleHistoryAdmin):
    list_display = ("vehicule", "convention", "date", "kilometrage", colonne_euros(Cession, "valeur_comptable"))
    list_select_related = ("vehicule", "convention")

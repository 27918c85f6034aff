from django.contrib import admin

from .models import BassinEmploi, Commune, Structure


@admin.register(BassinEmploi)
class BassinEmploiAdmin(admin.ModelAdmin):
    list_display = ("nom", "code")
    search_fields = ("nom",)
    prepopulated_fields = {"code": ("nom",)}


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ("nom", "code_insee", "codes_postaux", "population", "epci_nom", "bassin_emploi")
    list_filter = ("bassin_emploi", "epci_nom")
    search_fields = ("nom", "code_insee", "codes_postaux")
    list_select_related = ("bassin_emploi",)
    list_editable = ("bassin_emploi",)


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ("nom", "type", "secteur", "siret", "commune", "active")
    list_filter = ("type", "secteur", "active", "commune__bassin_emploi")
    search_fields = ("nom", "siret", "commune__nom")
    autocomplete_fields = ("commune",)
    list_select_related = ("commune",)

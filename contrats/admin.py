from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .bareme import valeurs_perimees
from .models import CompteurConvention, ContratAide, Enveloppe, ParametreFinancier


@admin.register(ContratAide)
class ContratAideAdmin(SimpleHistoryAdmin):
    """Consultation et corrections exceptionnelles ; les actions métier passent par l'application (services)."""

    list_display = (
        "numero_convention",
        "beneficiaire",
        "employeur",
        "type",
        "statut",
        "date_signature",
        "date_debut",
        "date_fin",
        "heures_hebdomadaires",
    )
    list_filter = ("statut", "type", "employeur__type", "motif_rupture", "sortie_positive", "date_signature")
    search_fields = ("numero_convention", "beneficiaire__nom", "beneficiaire__prenoms", "employeur__nom")
    list_select_related = ("beneficiaire", "employeur")
    autocomplete_fields = ("employeur", "lieu_travail")
    raw_id_fields = ("beneficiaire", "referent", "contrat_precedent")
    readonly_fields = (
        "statut",
        "numero_convention",
        "date_signature",
        "derogation_duree",
        "date_rupture",
        "motif_rupture",
        "sortie_positive",
        "cree_par",
        "date_creation",
    )
    date_hierarchy = "date_signature"

    def get_readonly_fields(self, request, obj=None):
        # Une convention signée ne se corrige pas ici : ses règles (durées, enveloppe...) sont dans les services.
        if obj is not None and obj.statut != "brouillon":
            return [f.name for f in self.model._meta.fields]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        # Une convention se prépare depuis la fiche de la personne (contrôles des services).
        return False


class EnveloppeForm(forms.ModelForm):
    class Meta:
        model = Enveloppe
        fields = ("annee", "nombre_contrats", "budget")

    def clean(self):
        donnees = super().clean()
        annee, nombre = donnees.get("annee"), donnees.get("nombre_contrats")
        if annee and nombre is not None:
            signes = ContratAide.objects.signes().filter(date_signature__year=annee).count()
            if nombre < signes:
                self.add_error(
                    "nombre_contrats",
                    f"{signes} contrats sont déjà signés en {annee} : l'enveloppe ne peut être inférieure.",
                )
        return donnees


@admin.register(Enveloppe)
class EnveloppeAdmin(SimpleHistoryAdmin):
    form = EnveloppeForm
    list_display = ("annee", "nombre_contrats", "budget")
    search_fields = ("annee",)


class ParametreFinancierForm(forms.ModelForm):
    class Meta:
        model = ParametreFinancier
        fields = ("type", "date_effet", "montant", "source")

    def clean(self):
        donnees = super().clean()
        for champ, message in services.parametre_financier_erreurs(date_effet=donnees.get("date_effet")).items():
            self.add_error(champ, message)
        return donnees


@admin.register(ParametreFinancier)
class ParametreFinancierAdmin(SimpleHistoryAdmin):
    """Les valeurs de référence datées et leur source ; l'enregistrement passe par le service."""

    form = ParametreFinancierForm

    list_display = ("type", "date_effet", "montant", "source", "fraicheur")
    list_filter = ("type",)
    search_fields = ("type", "source")
    date_hierarchy = "date_effet"
    fields = ("type", "date_effet", "montant", "source")

    def get_queryset(self, request):
        self._perimees = {(v.type, v.date_effet) for v in valeurs_perimees()}
        return super().get_queryset(request)

    @admin.display(description="fraîcheur aujourd'hui")
    def fraicheur(self, obj):
        if (obj.type, obj.date_effet) in getattr(self, "_perimees", set()):
            return "Peut-être périmée : revalorisation attendue non enregistrée"
        return "—"

    def save_model(self, request, obj, form, change):
        services.parametre_financier_enregistrer(parametre=obj, par=request.user)


@admin.register(CompteurConvention)
class CompteurConventionAdmin(admin.ModelAdmin):
    list_display = ("annee", "dernier_numero")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

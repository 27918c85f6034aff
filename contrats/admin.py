from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from commun.admin import LectureSeuleMixin, colonne_euros

from . import services
from .bareme import valeurs_perimees
from .models import CompteurConvention, ContratAide, Enveloppe, ParametreFinancier


@admin.register(ContratAide)
class ContratAideAdmin(LectureSeuleMixin, SimpleHistoryAdmin):
    """Consultation seulement : une convention se prépare, se corrige (brouillon), se signe, se rompt et se
    renouvelle dans l'application, dont les services portent les règles (employeur non marchand, durées, heures,
    enveloppe, chevauchement, actions prévues). L'administration n'ouvre aucun chemin qui les contourne."""

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
    date_hierarchy = "date_signature"


class EnveloppeForm(forms.ModelForm):
    class Meta:
        model = Enveloppe
        fields = ("annee", "nombre_contrats", "budget")

    def clean(self):
        donnees = super().clean()
        annee, nombre = donnees.get("annee") or self.instance.annee, donnees.get("nombre_contrats")
        if annee and nombre is not None:
            try:
                services.enveloppe_verifier_plancher(annee=annee, nombre_contrats=nombre)
            except ValidationError as erreur:
                self.add_error(None, erreur)
        return donnees


@admin.register(Enveloppe)
class EnveloppeAdmin(SimpleHistoryAdmin):
    """Les enveloppes passent par `enveloppe_definir` (plancher : les conventions déjà signées de l'année)."""

    form = EnveloppeForm
    list_display = ("annee", "nombre_contrats", colonne_euros(Enveloppe, "budget"))
    search_fields = ("annee",)

    def get_readonly_fields(self, request, obj=None):
        # L'année identifie l'enveloppe : changer d'année, c'est définir une autre enveloppe.
        return ("annee",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        enveloppe = services.enveloppe_definir(
            annee=obj.annee, nombre_contrats=obj.nombre_contrats, budget=obj.budget, par=request.user
        )
        obj.pk = enveloppe.pk

    def has_delete_permission(self, request, obj=None):
        # Une enveloppe qui porte des conventions signées ne disparaît pas.
        return obj is None or not ContratAide.objects.signes().filter(date_signature__year=obj.annee).exists()


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

    list_display = ("type", "date_effet", colonne_euros(ParametreFinancier, "montant"), "source", "fraicheur")
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
class CompteurConventionAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ("annee", "dernier_numero")

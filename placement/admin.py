"""Administration du placement : marchés et lots (référentiel, modifiables), orientations, sorties et résultats
payés (consultation : ils ne changent que par les services, qui portent les règles)."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from simple_history.admin import SimpleHistoryAdmin

from .models import Lot, MaintienEmploi, Marche, Orientation, ResultatPaye, Sortie, Suivi
from .services import lot_verifier_bassins
from .tables import euros

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))


def somme_resultats(**filtre):
    """Sous-requête : somme des prix des résultats dus (service fait : validés ou payés) liés à la ligne (OuterRef)."""
    return Coalesce(
        Subquery(
            ResultatPaye.objects.service_fait()
            .filter(**filtre)
            .order_by()
            .values(*filtre.keys())
            .annotate(s=Sum("prix_unitaire"))
            .values("s")[:1],
            output_field=DecimalField(max_digits=12, decimal_places=2),
        ),
        ZERO,
    )


class LectureSeuleMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LotInline(admin.TabularInline):
    model = Lot
    extra = 0
    fields = ("numero", "prestataire", "date_debut", "date_fin", "capacite")
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Marche)
class MarcheAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "intitule", "date_debut", "date_fin", "capacite_totale", "montant_du")
    search_fields = ("reference", "intitule")
    inlines = [LotInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _capacite=Coalesce(
                    Subquery(
                        Lot.objects.filter(marche=OuterRef("pk"))
                        .order_by()
                        .values("marche")
                        .annotate(s=Sum("capacite"))
                        .values("s")[:1]
                    ),
                    0,
                ),
                _montant=somme_resultats(lot__marche=OuterRef("pk")),
            )
        )

    @admin.display(description="capacité totale", ordering="_capacite")
    def capacite_totale(self, obj):
        return obj._capacite

    @admin.display(description="montant dû", ordering="_montant")
    def montant_du(self, obj):
        return euros(obj._montant)


class LotAdminForm(forms.ModelForm):
    class Meta:
        model = Lot
        fields = [
            "marche",
            "numero",
            "intitule",
            "prestataire",
            "bassins",
            "date_debut",
            "date_fin",
            "capacite",
            "prix_entree",
            "prix_sortie_positive",
            "prix_maintien_6_mois",
        ]

    def clean(self):
        donnees = super().clean()
        bassins = donnees.get("bassins")
        if bassins is not None and not self.errors:
            lot = self.instance
            for champ in ("marche", "prestataire", "date_debut", "date_fin"):
                setattr(lot, champ, donnees.get(champ))
            try:
                lot_verifier_bassins(lot=lot, bassins=bassins)
            except ValidationError as erreur:
                raise ValidationError(
                    erreur.message_dict.get("bassins", [])
                    + erreur.message_dict.get("date_fin", [])
                    + erreur.message_dict.get("prestataire", [])
                ) from erreur
        return donnees


@admin.register(Lot)
class LotAdmin(SimpleHistoryAdmin):
    form = LotAdminForm
    list_display = (
        "__str__",
        "marche",
        "liste_bassins",
        "capacite",
        "places_occupees",
        "prix_entree",
        "prix_sortie_positive",
        "prix_maintien_6_mois",
        "montant_du",
    )
    list_filter = ("marche", "prestataire", "bassins")
    filter_horizontal = ("bassins",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .avec_occupation()
            .select_related("marche", "prestataire")
            .prefetch_related("bassins")
            .annotate(_montant=somme_resultats(lot=OuterRef("pk")))
        )

    @admin.display(description="bassins")
    def liste_bassins(self, obj):
        return ", ".join(b.nom for b in obj.bassins.all())

    @admin.display(description="places occupées", ordering="places_occupees")
    def places_occupees(self, obj):
        return obj.places_occupees

    @admin.display(description="montant dû", ordering="_montant")
    def montant_du(self, obj):
        return euros(obj._montant)


class SuiviInline(LectureSeuleMixin, admin.TabularInline):
    model = Suivi
    extra = 0
    fields = ("date", "nature", "note", "prochaine_etape", "auteur")


class ResultatInline(LectureSeuleMixin, admin.TabularInline):
    model = ResultatPaye
    extra = 0
    fields = ("nature", "date", "prix_unitaire", "statut", "motif_rejet", "date_paiement")


@admin.register(Orientation)
class OrientationAdmin(LectureSeuleMixin, SimpleHistoryAdmin):
    list_display = (
        "beneficiaire",
        "lot",
        "statut",
        "date_proposition",
        "date_reponse",
        "date_entree",
        "date_sortie",
        "montant_paye",
    )
    list_filter = ("statut", "lot__prestataire", "lot__marche", "motif_refus")
    search_fields = ("beneficiaire__recherche",)
    date_hierarchy = "date_proposition"
    inlines = [SuiviInline, ResultatInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("beneficiaire", "lot__prestataire")
            .annotate(_montant=somme_resultats(orientation=OuterRef("pk")))
        )

    @admin.display(description="montant dû (service fait)", ordering="_montant")
    def montant_paye(self, obj):
        return euros(obj._montant)


class MaintienInline(LectureSeuleMixin, admin.TabularInline):
    model = MaintienEmploi
    extra = 0
    fields = ("echeance", "date_constat", "en_emploi", "auteur")


@admin.register(Sortie)
class SortieAdmin(LectureSeuleMixin, SimpleHistoryAdmin):
    list_display = ("orientation", "type", "positive", "date", "nom_employeur", "montant_paye")
    list_filter = ("type", "positive", "orientation__lot__prestataire")
    date_hierarchy = "date"
    inlines = [MaintienInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("orientation__beneficiaire", "orientation__lot__prestataire", "employeur")
            .annotate(_montant=somme_resultats(orientation=OuterRef("orientation_id")))
        )

    @admin.display(description="employeur")
    def nom_employeur(self, obj):
        return obj.nom_employeur

    @admin.display(description="montant dû (orientation, service fait)", ordering="_montant")
    def montant_paye(self, obj):
        return euros(obj._montant)


@admin.register(ResultatPaye)
class ResultatPayeAdmin(LectureSeuleMixin, SimpleHistoryAdmin):
    list_display = ("date", "nature", "orientation", "lot", "statut", "prix_unitaire", "montant")
    list_filter = ("statut", "nature", "lot__prestataire", "lot__marche")
    date_hierarchy = "date"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("orientation__beneficiaire", "lot__prestataire")

    @admin.display(description="montant dû (service fait)", ordering="prix_unitaire")
    def montant(self, obj):
        return euros(obj.prix_unitaire) if obj.service_fait else "—"

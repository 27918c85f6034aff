"""Administration du placement : marchés et lots (référentiel, modifiables), orientations, sorties et résultats
payés (consultation : ils ne changent que par les services, qui portent les règles)."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from simple_history.admin import SimpleHistoryAdmin

from commun.admin import LectureSeuleMixin, colonne_euros
from commun.francais import euros

from .models import Lot, MaintienEmploi, Marche, Orientation, ResultatPaye, Sortie, Suivi
from .services import (
    CHAMPS_LOT,
    lot_creer,
    lot_modifier,
    lot_verifier_bassins,
    lot_verifier_capacite,
    marche_creer,
    marche_modifier,
    marche_verifier_lots,
)

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


class LotInline(LectureSeuleMixin, admin.TabularInline):
    model = Lot
    extra = 0
    fields = ("numero", "prestataire", "date_debut", "date_fin", "capacite")
    show_change_link = True


class MarcheAdminForm(forms.ModelForm):
    class Meta:
        model = Marche
        fields = ["reference", "intitule", "date_debut", "date_fin"]

    def clean(self):
        donnees = super().clean()
        try:
            marche_verifier_lots(
                marche=self.instance, date_debut=donnees.get("date_debut"), date_fin=donnees.get("date_fin")
            )
        except ValidationError as erreur:
            for champ, messages_ in erreur.message_dict.items():
                self.add_error(champ, messages_)
        return donnees


@admin.register(Marche)
class MarcheAdmin(SimpleHistoryAdmin):
    """Les marchés passent par `marche_creer` / `marche_modifier` (période qui contient celle des lots)."""

    form = MarcheAdminForm
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

    def save_model(self, request, obj, form, change):
        champs = {nom: form.cleaned_data[nom] for nom in MarcheAdminForm.Meta.fields}
        if change:
            marche_modifier(marche=obj, par=request.user, **champs)
        else:
            obj.pk = marche_creer(par=request.user, **champs).pk

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.lots.exists()

    @admin.display(description="capacité totale", ordering="_capacite")
    def capacite_totale(self, obj):
        return obj._capacite

    @admin.display(description="montant dû", ordering="_montant")
    def montant_du(self, obj):
        return euros(obj._montant)


class LotAdminForm(forms.ModelForm):
    """Les règles du lot sont celles des services : bassins sans chevauchement, période dans le marché,
    titulaire prestataire, capacité jamais sous les places occupées. L'enregistrement passe par
    `lot_creer` / `lot_modifier` (LotAdmin.save_model)."""

    class Meta:
        model = Lot
        fields = ["bassins", *CHAMPS_LOT]

    def clean(self):
        donnees = super().clean()
        bassins = donnees.get("bassins")
        if bassins is not None and not self.errors:
            lot = self.instance
            for champ in ("marche", "prestataire", "date_debut", "date_fin"):
                setattr(lot, champ, donnees.get(champ))
            try:
                lot_verifier_capacite(lot=lot, capacite=donnees.get("capacite"))
                lot_verifier_bassins(lot=lot, bassins=bassins)
            except ValidationError as erreur:
                for champ, messages_ in erreur.message_dict.items():
                    self.add_error(champ if champ in self.fields else None, messages_)
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
        colonne_euros(Lot, "prix_entree"),
        colonne_euros(Lot, "prix_sortie_positive"),
        colonne_euros(Lot, "prix_maintien_6_mois"),
        "montant_du",
    )
    list_filter = ("marche", "prestataire", "bassins")
    filter_horizontal = ("bassins",)

    def save_model(self, request, obj, form, change):
        champs = {nom: form.cleaned_data[nom] for nom in CHAMPS_LOT if nom in form.cleaned_data}
        bassins = form.cleaned_data["bassins"]
        if change:
            lot_modifier(lot=obj, par=request.user, bassins=bassins, **champs)
        else:
            obj.pk = lot_creer(par=request.user, bassins=bassins, **champs).pk

    def save_related(self, request, form, formsets, change):
        # Les bassins sont enregistrés par le service (save_model) ; il n'y a pas d'autre relation éditable.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_delete_permission(self, request, obj=None):
        # Un lot qui a reçu des orientations ne disparaît pas (elles le protègent aussi en base).
        return obj is None or not obj.orientations.exists()

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
    list_display = (
        "date",
        "nature",
        "orientation",
        "lot",
        "statut",
        colonne_euros(ResultatPaye, "prix_unitaire"),
        "montant",
    )
    list_filter = ("statut", "nature", "lot__prestataire", "lot__marche")
    date_hierarchy = "date"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("orientation__beneficiaire", "lot__prestataire")

    @admin.display(description="montant dû (service fait)", ordering="prix_unitaire")
    def montant(self, obj):
        return euros(obj.prix_unitaire) if obj.service_fait else "—"

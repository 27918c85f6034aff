import django_filters
from django import forms

from beneficiaires.models import normaliser
from commun.filtres import FilterSet, ModelChoiceFilter
from commun.formulaires import DateInput
from referentiel.models import Structure
from referentiel.selecteurs import bassins

from .forms import ChampLot
from .models import Lot, MaintienEmploi, Orientation, ResultatPaye, TypeSortie


class LotFiltre(ModelChoiceFilter):
    """Le choix d'un lot, nommé comme partout (« Marché 2025–2028 — Lot 1 Orléans — Insertion Emploi Centre »)."""

    field_class = ChampLot


def lots_visibles(user):
    return Lot.objects.visibles_par(user).pour_libelle().order_by("-marche__date_debut", "numero")


DATE = {"widget": DateInput()}
OUI_NON = forms.Select(choices=[("", "Indifférent"), ("true", "Oui"), ("false", "Non")])


class OrientationFilter(FilterSet):
    q = django_filters.CharFilter(label="Nom ou numéro allocataire", method="filtrer_recherche")
    prestataire = ModelChoiceFilter(
        label="Prestataire",
        empty_label="Tous",
        field_name="lot__prestataire",
        queryset=Structure.objects.filter(type=Structure.Type.PRESTATAIRE),
    )
    bassin = ModelChoiceFilter(
        label="Bassin d'emploi",
        empty_label="Tous",
        field_name="beneficiaire__commune__bassin_emploi",
        queryset=bassins(),
    )
    lot = LotFiltre(label="Lot", empty_label="Tous", queryset=Lot.objects.none())
    statut = django_filters.ChoiceFilter(label="Statut", choices=Orientation.Statut.choices, empty_label="Tous")
    attente = django_filters.BooleanFilter(
        label="Sans réponse depuis plus de 15 jours", method="filtrer_attente", widget=OUI_NON
    )
    proposee_apres = django_filters.DateFilter(
        label="Proposée à partir du", field_name="date_proposition", lookup_expr="gte", **DATE
    )
    proposee_avant = django_filters.DateFilter(
        label="Proposée jusqu'au", field_name="date_proposition", lookup_expr="lte", **DATE
    )
    # Paramètres des liens du tableau de bord (la liste compte exactement ce que compte l'indicateur).
    reponse_apres = django_filters.DateFilter(
        label="Réponse à partir du", field_name="date_reponse", lookup_expr="gte", **DATE
    )
    reponse_avant = django_filters.DateFilter(
        label="Réponse jusqu'au", field_name="date_reponse", lookup_expr="lte", **DATE
    )
    acceptee = django_filters.BooleanFilter(label="Acceptée", method="filtrer_acceptee", widget=OUI_NON)
    entree_apres = django_filters.DateFilter(
        label="Entrée en accompagnement à partir du", field_name="date_entree", lookup_expr="gte", **DATE
    )
    entree_avant = django_filters.DateFilter(
        label="Entrée en accompagnement jusqu'au", field_name="date_entree", lookup_expr="lte", **DATE
    )
    sortie_apres = django_filters.DateFilter(
        label="Sortie à partir du", field_name="sortie__date", lookup_expr="gte", **DATE
    )
    sortie_avant = django_filters.DateFilter(
        label="Sortie jusqu'au", field_name="sortie__date", lookup_expr="lte", **DATE
    )
    type_sortie = django_filters.ChoiceFilter(
        label="Type de sortie", field_name="sortie__type", choices=TypeSortie.choices, empty_label="Tous"
    )
    positive = django_filters.BooleanFilter(label="Sortie positive", field_name="sortie__positive", widget=OUI_NON)
    maintien6_apres = django_filters.DateFilter(
        label="En emploi à 6 mois, constat à partir du", method="ignorer", **DATE
    )
    maintien6_avant = django_filters.DateFilter(label="En emploi à 6 mois, constat jusqu'au", method="ignorer", **DATE)

    class Meta:
        model = Orientation
        fields = []

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.filters["lot"].queryset = lots_visibles(user)

    def filtrer_recherche(self, queryset, name, value):
        cle = normaliser(value)
        if not cle:
            return queryset
        return queryset.filter(beneficiaire__recherche__contains=cle)

    def filtrer_attente(self, queryset, name, value):
        if value is None:
            return queryset
        longues = Orientation.objects.en_attente_longue().values("pk")
        return queryset.filter(pk__in=longues) if value else queryset.exclude(pk__in=longues)

    def filtrer_acceptee(self, queryset, name, value):
        if value is None:
            return queryset
        condition = {"statut__in": Orientation.STATUTS_OCCUPANT}
        return queryset.filter(**condition) if value else queryset.exclude(**condition)

    def ignorer(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        apres, avant = self.form.cleaned_data.get("maintien6_apres"), self.form.cleaned_data.get("maintien6_avant")
        if apres or avant:
            maintiens = MaintienEmploi.objects.filter(echeance=MaintienEmploi.Echeance.SIX_MOIS, en_emploi=True)
            if apres:
                maintiens = maintiens.filter(date_constat__gte=apres)
            if avant:
                maintiens = maintiens.filter(date_constat__lte=avant)
            queryset = queryset.filter(sortie__in=maintiens.values("sortie_id"))
        return queryset


class ResultatFilter(FilterSet):
    """Filtres de l'état des résultats : prestataire, période (dates des résultats), bassin, nature."""

    prestataire = ModelChoiceFilter(
        label="Prestataire",
        empty_label="Tous",
        field_name="lot__prestataire",
        queryset=Structure.objects.filter(type=Structure.Type.PRESTATAIRE),
    )
    debut = django_filters.DateFilter(label="Du", field_name="date", lookup_expr="gte", **DATE)
    fin = django_filters.DateFilter(label="Au", field_name="date", lookup_expr="lte", **DATE)
    bassin = ModelChoiceFilter(
        label="Bassin d'emploi",
        empty_label="Tous",
        field_name="orientation__beneficiaire__commune__bassin_emploi",
        queryset=bassins(),
    )
    lot = LotFiltre(label="Lot", empty_label="Tous", queryset=Lot.objects.none())
    nature = django_filters.ChoiceFilter(label="Résultat", choices=ResultatPaye.Nature.choices, empty_label="Tous")
    statut = django_filters.ChoiceFilter(label="Statut", choices=ResultatPaye.Statut.choices, empty_label="Tous")

    class Meta:
        model = ResultatPaye
        fields = []

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.filters["lot"].queryset = lots_visibles(user)
            if user.est_prestataire:
                self.filters["prestataire"].queryset = Structure.objects.filter(pk=user.structure_id)


class LotFilter(FilterSet):
    marche = ModelChoiceFilter(label="Marché", empty_label="Tous", queryset=None)
    prestataire = ModelChoiceFilter(
        label="Prestataire", empty_label="Tous", queryset=Structure.objects.filter(type=Structure.Type.PRESTATAIRE)
    )
    bassin = ModelChoiceFilter(label="Bassin d'emploi", empty_label="Tous", field_name="bassins", queryset=bassins())

    class Meta:
        model = Lot
        fields = []

    def __init__(self, *args, **kwargs):
        from .models import Marche

        super().__init__(*args, **kwargs)
        self.filters["marche"].queryset = Marche.objects.all()

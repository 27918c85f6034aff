from datetime import timedelta

import django_filters
from django import forms
from django.db.models import F, Q

from commun.autocompletion import AutocompletionFilter
from commun.filtres import FilterSet, ModelChoiceFilter
from commun.formulaires import DateInput
from referentiel.selecteurs import bassins, bassins_de

from .models import FREINS, Beneficiaire, EtatDroit, Orientation, StatutParcours, normaliser
from .models import Role as RoleFoyer

# Le choix vide en tête : sans lui, la liste montrerait « Oui » et le formulaire renvoyé filtrerait sans le vouloir.
OUI_NON = [("", "Indifférent"), ("true", "Oui"), ("false", "Non")]


class BeneficiaireFilter(FilterSet):
    """Filtres de la liste. Les paramètres `bassin`, `oriente_apres/avant`, `evalue_apres/avant`, `etat_droit`,
    `role`, `frein` et `delai_30j` servent aussi de liens depuis le tableau de bord (le nombre de lignes de la
    liste filtrée est le chiffre de l'indicateur). Sans filtre de statut, les personnes archivées sont masquées."""

    q = django_filters.CharFilter(label="Nom ou numéro allocataire", method="filtrer_recherche")
    bassin = ModelChoiceFilter(label="Bassin d'emploi", field_name="commune__bassin_emploi", queryset=bassins())
    # Autocomplétion (commun/autocompletion.py) : la page ne rend que la commune et le référent choisis.
    commune = AutocompletionFilter(label="Commune", source="communes")
    etat_droit = django_filters.MultipleChoiceFilter(
        label="État du droit", field_name="foyer__etat_droit", choices=EtatDroit.choices, distinct=False
    )
    sdd = django_filters.TypedChoiceFilter(
        label="Soumis aux droits et devoirs",
        field_name="soumis_droits_devoirs",
        choices=OUI_NON,
        coerce=lambda v: v == "true",
    )
    orientation = django_filters.ChoiceFilter(label="Orientation", choices=Orientation.choices)
    statut = django_filters.ChoiceFilter(
        label="Statut du parcours", field_name="statut_parcours", choices=StatutParcours.choices
    )
    role = django_filters.ChoiceFilter(label="Rôle dans le foyer", choices=RoleFoyer.choices)
    referent = AutocompletionFilter(label="Référent", source="referents")
    frein = django_filters.ChoiceFilter(label="Frein (évaluation en vigueur)", choices=FREINS, method="filtrer_frein")
    plan = django_filters.BooleanFilter(
        label="Dans le plan (demandeur ou conjoint majeur, soumis aux droits et devoirs)",
        method="filtrer_plan",
        widget=forms.CheckboxInput,
    )
    non_evalue = django_filters.BooleanFilter(
        label="Pas encore évalué", method="filtrer_non_evalue", widget=forms.CheckboxInput
    )
    oriente_apres = django_filters.DateFilter(
        label="Orienté à partir du", field_name="date_orientation", lookup_expr="gte", widget=DateInput
    )
    oriente_avant = django_filters.DateFilter(
        label="Orienté jusqu'au", field_name="date_orientation", lookup_expr="lte", widget=DateInput
    )
    evalue_apres = django_filters.DateFilter(
        label="Évalué à partir du", field_name="evaluation_courante__date", lookup_expr="gte", widget=DateInput
    )
    evalue_avant = django_filters.DateFilter(
        label="Évalué jusqu'au", field_name="evaluation_courante__date", lookup_expr="lte", widget=DateInput
    )
    delai_30j = django_filters.BooleanFilter(
        label="Évalué dans les 30 jours de l'orientation", method="filtrer_delai", widget=forms.CheckboxInput
    )

    class Meta:
        model = Beneficiaire
        fields = []

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.est_referent:
            self.filters["bassin"].queryset = bassins_de(user)

    @property
    def qs(self):
        qs = super().qs
        if not getattr(self.form, "cleaned_data", {}).get("statut"):
            qs = qs.exclude(statut_parcours=StatutParcours.ARCHIVE)
        return qs

    def filtrer_recherche(self, queryset, name, value):
        for mot in normaliser(value).split():
            queryset = queryset.filter(recherche__contains=mot.replace(" ", ""))
        return queryset

    def filtrer_frein(self, queryset, name, value):
        return queryset.filter(**{f"evaluation_courante__{value}__gte": 1})

    def filtrer_plan(self, queryset, name, value):
        return queryset.filter(condition_dans_le_plan()) if value else queryset

    def filtrer_non_evalue(self, queryset, name, value):
        return queryset.filter(evaluation_courante__isnull=True) if value else queryset

    def filtrer_delai(self, queryset, name, value):
        return queryset.filter(condition_delai_30j()) if value else queryset


def condition_dans_le_plan():
    """Soumis aux droits et devoirs et pas « hors plan » (partagée avec les indicateurs) : un enfant déclaré SDD
    par erreur dans une liste reste hors plan."""
    return Q(soumis_droits_devoirs=True) & ~Q(statut_parcours=StatutParcours.NON_CONCERNE)


def condition_delai_30j():
    """Première évaluation réalisée au plus 30 jours après l'orientation (partagée avec les indicateurs)."""
    return Q(
        date_premiere_evaluation__isnull=False,
        date_orientation__isnull=False,
        date_premiere_evaluation__lte=F("date_orientation") + timedelta(days=30),
    )

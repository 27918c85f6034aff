import django_filters
from django import forms
from django.utils import timezone

from beneficiaires.models import normaliser
from commun.filtres import EntierFilter, FilterSet, ModelChoiceFilter
from commun.formulaires import DateInput
from referentiel.models import Commune, Structure
from referentiel.selecteurs import bassins

from .models import (
    STATUTS_DEMARREES,
    ConventionCession,
    Location,
    MotifLocation,
    StatutLocation,
    StatutVehicule,
    TypeVehicule,
    Vehicule,
    condition_retard,
)


class DateFiltre(django_filters.DateFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", DateInput())
        super().__init__(*args, **kwargs)


class LocationFilter(FilterSet):
    """`bassin` : bassin d'emploi de la personne (le périmètre des référents et des indicateurs)."""

    q = django_filters.CharFilter(label="Nom ou immatriculation", method="filtrer_texte")
    statut = django_filters.ChoiceFilter(label="Statut", choices=StatutLocation.choices, empty_label="Tous")
    type = django_filters.ChoiceFilter(
        label="Type de véhicule", field_name="vehicule__type", choices=TypeVehicule.choices, empty_label="Tous"
    )
    bassin = ModelChoiceFilter(
        label="Bassin d'emploi",
        field_name="beneficiaire__commune__bassin_emploi",
        queryset=bassins(),
        empty_label="Tous",
    )
    motif = django_filters.MultipleChoiceFilter(
        label="Motif", choices=MotifLocation.choices, widget=forms.CheckboxSelectMultiple
    )
    en_retard = django_filters.BooleanFilter(
        label="Retards de restitution", method="filtrer_retard", widget=forms.CheckboxInput
    )
    demarrees = django_filters.BooleanFilter(
        label="Véhicule remis (en cours ou restituée)", method="filtrer_demarrees", widget=forms.CheckboxInput
    )
    debut_apres = DateFiltre(label="Début à partir du", field_name="debut", lookup_expr="gte")
    debut_avant = DateFiltre(label="Début jusqu'au", field_name="debut", lookup_expr="lte")
    fin_apres = DateFiltre(label="Fin à partir du", field_name="fin", lookup_expr="gte")
    fin_avant = DateFiltre(label="Fin jusqu'au", field_name="fin", lookup_expr="lte")
    vehicule = EntierFilter(field_name="vehicule_id", widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Location
        fields = []

    def filtrer_texte(self, qs, name, value):
        cle = normaliser(value)
        if not cle:
            return qs
        return qs.filter(beneficiaire__recherche__contains=cle) | qs.filter(
            vehicule__immatriculation__icontains=value.strip()
        )

    def filtrer_retard(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(condition_retard(timezone.localdate()))

    def filtrer_demarrees(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(statut__in=STATUTS_DEMARREES)


class VehiculeFilter(FilterSet):
    """`bassin` : bassin d'emploi du site de rattachement du véhicule."""

    q = django_filters.CharFilter(label="Immatriculation, marque ou modèle", method="filtrer_texte")
    statut = django_filters.ChoiceFilter(label="Statut", choices=StatutVehicule.choices, empty_label="Tous")
    type = django_filters.ChoiceFilter(label="Type", choices=TypeVehicule.choices, empty_label="Tous")
    bassin = ModelChoiceFilter(
        label="Bassin d'emploi",
        field_name="commune__bassin_emploi",
        queryset=bassins(),
        empty_label="Tous",
    )
    commune = ModelChoiceFilter(
        label="Site",
        queryset=Commune.objects.filter(vehicules__isnull=False).distinct().order_by("nom"),
        empty_label="Tous",
    )
    partenaire = ModelChoiceFilter(
        label="Partenaire",
        queryset=Structure.objects.filter(vehicules_geres__isnull=False).distinct(),
        empty_label="Tous",
    )
    cede_apres = DateFiltre(label="Cédé à partir du", field_name="cession__date", lookup_expr="gte")
    cede_avant = DateFiltre(label="Cédé jusqu'au", field_name="cession__date", lookup_expr="lte")

    class Meta:
        model = Vehicule
        fields = []

    def filtrer_texte(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return (
            qs.filter(immatriculation__icontains=value)
            | qs.filter(marque__icontains=value)
            | qs.filter(modele__icontains=value)
        )


class ConventionFilter(FilterSet):
    partenaire = ModelChoiceFilter(
        label="Partenaire", queryset=Structure.objects.filter(conventions_cession__isnull=False).distinct()
    )

    class Meta:
        model = ConventionCession
        fields = []

import django_filters
from django import forms
from django.db.models import Q

from commun.autocompletion import AutocompletionFilter
from commun.filtres import EntierFilter, FilterSet, ModelChoiceFilter
from referentiel.models import Structure
from referentiel.selecteurs import bassins

from .forms import DateInput
from .models import ContratAide, MotifRupture, Statut, TypeContrat

TYPES_EMPLOYEUR = [(t.value, t.label) for t in Structure.Type if t in Structure.TYPES_NON_MARCHANDS]


class ContratFilter(FilterSet):
    q = django_filters.CharFilter(label="Recherche", method="filtrer_recherche")
    statut = django_filters.ChoiceFilter(label="Statut", choices=Statut.choices)
    type = django_filters.ChoiceFilter(label="Type de contrat", choices=TypeContrat.choices)
    type_employeur = django_filters.ChoiceFilter(
        label="Type d'employeur", field_name="employeur__type", choices=TYPES_EMPLOYEUR
    )
    communes = django_filters.BooleanFilter(
        label="Communes employeuses seulement", method="filtrer_communes", widget=forms.CheckboxInput
    )
    bassin = ModelChoiceFilter(
        label="Bassin d'emploi", field_name="beneficiaire__commune__bassin_emploi", queryset=bassins()
    )
    annee = EntierFilter(label="Année de signature", field_name="date_signature__year", min_value=1900, max_value=2100)
    referent = AutocompletionFilter(label="Référent", source="referents_administrateurs")
    signature_apres = django_filters.DateFilter(
        label="Signé à partir du", field_name="date_signature", lookup_expr="gte", widget=DateInput()
    )
    signature_avant = django_filters.DateFilter(
        label="Signé jusqu'au", field_name="date_signature", lookup_expr="lte", widget=DateInput()
    )
    actif_le = django_filters.DateFilter(label="En cours le", method="filtrer_actif_le", widget=DateInput())
    rupture_apres = django_filters.DateFilter(
        label="Rompu à partir du", field_name="date_rupture", lookup_expr="gte", widget=DateInput()
    )
    rupture_avant = django_filters.DateFilter(
        label="Rompu jusqu'au", field_name="date_rupture", lookup_expr="lte", widget=DateInput()
    )
    motif_rupture = django_filters.ChoiceFilter(label="Motif de rupture", choices=MotifRupture.choices)
    sortie_positive = django_filters.BooleanFilter(label="Sortie positive")
    couvre_du = django_filters.DateFilter(label="Aide courant après le", method="filtrer_couvre_du", widget=DateInput())
    couvre_au = django_filters.DateFilter(label="Aide courant avant le", method="filtrer_couvre_au", widget=DateInput())
    signes = django_filters.BooleanFilter(
        label="Conventions signées seulement", method="filtrer_signes", widget=forms.CheckboxInput
    )

    class Meta:
        model = ContratAide
        fields = []

    def filtrer_recherche(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(numero_convention__icontains=value)
            | Q(beneficiaire__recherche__icontains=value.lower())
            | Q(beneficiaire__nom__icontains=value)
            | Q(employeur__nom__icontains=value)
        )

    def filtrer_communes(self, qs, name, value):
        return qs.filter(employeur__type=Structure.Type.COMMUNE) if value else qs

    def filtrer_signes(self, qs, name, value):
        return qs.signes() if value else qs

    def filtrer_actif_le(self, qs, name, value):
        return qs.actifs_le(value) if value else qs

    def filtrer_couvre_du(self, qs, name, value):
        """Conventions signées dont l'aide court encore ce jour-là ou après (fin ou rupture)."""
        return qs.signes().avec_fin_effective().filter(fin_effective__gte=value) if value else qs

    def filtrer_couvre_au(self, qs, name, value):
        return qs.signes().filter(date_debut__lte=value) if value else qs

import django_filters
from django import forms
from django.db.models import Q

from beneficiaires.models import FREINS, Beneficiaire, StatutParcours, normaliser
from commun.filtres import FilterSet, ModelChoiceFilter
from commun.formulaires import DateInput
from referentiel.selecteurs import bassins, bassins_de

from .models import (
    Q_EMBAUCHEE,
    Q_ENTRETIEN,
    Q_INSCRITE,
    Q_INVITEE,
    Q_PRESENTE,
    Entretien,
    Forum,
    OffreEmploi,
    Participation,
    Secteur,
    StatutParticipation,
)


def _filtre_recherche(qs, champ, valeur):
    for mot in normaliser(valeur).split():
        qs = qs.filter(**{f"{champ}__contains": mot})
    return qs


class ForumFilter(FilterSet):
    bassin = ModelChoiceFilter(label="bassin d'emploi", field_name="commune__bassin_emploi", queryset=bassins())
    secteur = django_filters.ChoiceFilter(label="secteur", choices=Secteur.choices)
    statut = django_filters.ChoiceFilter(label="statut", choices=Forum.Statut.choices)
    tenu = django_filters.BooleanFilter(label="tenu (ou clos)", method="filtrer_tenu")
    date_apres = django_filters.DateFilter(label="à partir du", field_name="date", lookup_expr="gte", widget=DateInput)
    date_avant = django_filters.DateFilter(label="jusqu'au", field_name="date", lookup_expr="lte", widget=DateInput)

    class Meta:
        model = Forum
        fields = []

    def filtrer_tenu(self, qs, name, value):
        condition = Q(statut__in=(Forum.Statut.TENU, Forum.Statut.CLOS))
        return qs.filter(condition) if value else qs.exclude(condition)


ETAPES = {
    "invitee": ("Invitées", Q_INVITEE),
    "inscrite": ("Inscrites", Q_INSCRITE),
    "presente": ("Présentes", Q_PRESENTE),
    "entretien": ("Reçues en entretien", Q_ENTRETIEN),
    "embauchee": ("Embauchées", Q_EMBAUCHEE),
    "sur_place": ("Venues sans inscription", Q(sur_place=True)),
}


class ParticipationFilter(FilterSet):
    q = django_filters.CharFilter(label="nom ou prénom", method="filtrer_q")
    forum = ModelChoiceFilter(label="forum", queryset=Forum.objects.all())
    bassin = ModelChoiceFilter(
        label="bassin de la personne",
        field_name="beneficiaire__commune__bassin_emploi",
        queryset=bassins(),
    )
    secteur = django_filters.ChoiceFilter(
        label="secteur du forum", field_name="forum__secteur", choices=Secteur.choices
    )
    statut = django_filters.ChoiceFilter(label="statut", choices=StatutParticipation.choices)
    etape = django_filters.ChoiceFilter(
        label="résultat", choices=[(k, v[0]) for k, v in ETAPES.items()], method="filtrer_etape"
    )
    date_apres = django_filters.DateFilter(
        label="forum à partir du", field_name="forum__date", lookup_expr="gte", widget=DateInput
    )
    date_avant = django_filters.DateFilter(
        label="forum jusqu'au", field_name="forum__date", lookup_expr="lte", widget=DateInput
    )

    class Meta:
        model = Participation
        fields = []

    def filtrer_q(self, qs, name, value):
        return _filtre_recherche(qs, "beneficiaire__recherche", value)

    def filtrer_etape(self, qs, name, value):
        condition = ETAPES[value][1]
        qs = qs.filter(condition)
        return qs.distinct() if value == "entretien" else qs


class OffreFilter(FilterSet):
    forum = ModelChoiceFilter(label="forum", field_name="exposant__forum", queryset=Forum.objects.all())
    bassin = ModelChoiceFilter(
        label="bassin du forum",
        field_name="exposant__forum__commune__bassin_emploi",
        queryset=bassins(),
    )
    secteur = django_filters.ChoiceFilter(
        label="secteur du forum", field_name="exposant__forum__secteur", choices=Secteur.choices
    )
    date_apres = django_filters.DateFilter(
        label="forum à partir du", field_name="exposant__forum__date", lookup_expr="gte", widget=DateInput
    )
    date_avant = django_filters.DateFilter(
        label="forum jusqu'au", field_name="exposant__forum__date", lookup_expr="lte", widget=DateInput
    )

    class Meta:
        model = OffreEmploi
        fields = []


class EntretienFilter(FilterSet):
    forum = ModelChoiceFilter(label="forum", field_name="participation__forum", queryset=Forum.objects.all())
    bassin = ModelChoiceFilter(
        label="bassin de la personne",
        field_name="participation__beneficiaire__commune__bassin_emploi",
        queryset=bassins(),
    )
    secteur = django_filters.ChoiceFilter(
        label="secteur du forum", field_name="participation__forum__secteur", choices=Secteur.choices
    )
    date_apres = django_filters.DateFilter(
        label="forum à partir du", field_name="participation__forum__date", lookup_expr="gte", widget=DateInput
    )
    date_avant = django_filters.DateFilter(
        label="forum jusqu'au", field_name="participation__forum__date", lookup_expr="lte", widget=DateInput
    )

    class Meta:
        model = Entretien
        fields = []


class InvitationFilter(FilterSet):
    """Cible d'une invitation : bassin, métiers visés (évaluation en vigueur), freins, statut du parcours."""

    bassin = ModelChoiceFilter(label="bassin d'emploi", field_name="commune__bassin_emploi", queryset=bassins())
    metier = django_filters.CharFilter(
        label="métier visé (contient)", field_name="evaluation_courante__metiers_vises", lookup_expr="icontains"
    )
    freins = django_filters.MultipleChoiceFilter(
        label="freins présents (tous ceux cochés)",
        choices=FREINS,
        method="filtrer_freins",
        widget=forms.CheckboxSelectMultiple,
    )
    sans_frein_mobilite = django_filters.BooleanFilter(
        label="sans frein de mobilité", method="filtrer_sans_frein_mobilite", widget=forms.CheckboxInput
    )
    statut_parcours = django_filters.MultipleChoiceFilter(
        label="statut du parcours", choices=StatutParcours.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Beneficiaire
        fields = []

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and not user.voit_tout:
            self.filters["bassin"].queryset = bassins_de(user)

    def filtrer_freins(self, qs, name, value):
        champs = {c for c, _ in FREINS}
        for champ in value:
            if champ in champs:
                qs = qs.filter(**{f"evaluation_courante__{champ}__gte": 1})
        return qs

    def filtrer_sans_frein_mobilite(self, qs, name, value):
        if value:
            return qs.filter(Q(evaluation_courante__isnull=True) | Q(evaluation_courante__frein_mobilite=0))
        return qs

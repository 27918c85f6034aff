"""Filtres communs des listes (django-filter).

`FilterSet` : celui de django-filter, dont les listes déroulantes sont écrites en une passe (`ListeRapide`)
au lieu d'un gabarit par option (le gabarit `select_option.html` de Django coûtait l'essentiel du rendu des
formulaires de filtre : 325 communes, une dizaine de listes par page).

`champ_filtre(champ)` : le HTML de `{% bootstrap_field champ %}` (django-bootstrap5) écrit directement pour les
champs d'un formulaire de filtre (liste, case à cocher, zone de saisie, sans erreur ni aide) ; le moteur de
rendu de django-bootstrap5 coûtait un quart du temps d'une page de liste (16 champs). Tout autre cas lui est
confié. Les tests comparent les deux rendus, champ par champ, sur tous les filtres du projet.

`ModelChoiceFilter` : celui de django-filter, dont la liste de choix est lue par une requête ordinaire. Django
lit les choix d'un champ de modèle par `QuerySet.iterator()`, qui ouvre sur PostgreSQL un curseur côté serveur
(DECLARE, FETCH, CLOSE : trois allers-retours) pour quelques dizaines de lignes ; sur une page de liste à trois
listes déroulantes, c'était plusieurs millisecondes par page.
"""

import django_filters
from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.widgets import Input
from django.utils.html import conditional_escape, escape, strip_tags
from django.utils.safestring import mark_safe
from django_bootstrap5.core import get_bootstrap_setting
from django_bootstrap5.forms import render_field

from .formulaires import EntreesBorneesMixin


class ListeRapide(forms.Select):
    """Liste déroulante écrite en une passe : même HTML que `forms.Select` pour des choix à plat (sans groupes,
    qui passent par le rendu de Django)."""

    def render(self, name, value, attrs=None, renderer=None):
        brut = list(iter(self.choices))  # une lecture, sans le COUNT de len() d'un choix de modèle
        if any(isinstance(libelle, list | tuple) for _, libelle in brut):
            return super().render(name, value, attrs, renderer)
        # Comme le gabarit de Django : la valeur est toujours échappée, le libellé sauf s'il est déjà sûr.
        choix = [(escape(str(v)), conditional_escape(libelle)) for v, libelle in brut]
        attrs = {"name": name, **self.build_attrs(self.attrs, attrs)}
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        valeurs = {escape(str(v)) for v in self.format_value(value)}
        options = "".join(
            f'<option value="{v}"{" selected" if v in valeurs else ""}>{libelle}</option>' for v, libelle in choix
        )
        # Attributs dans l'ordre et la forme du gabarit attrs.html de Django (booléen vrai : nom seul).
        attributs = "".join(
            f" {cle}" if v is True else f' {cle}="{escape(v)}"' for cle, v in attrs.items() if v is not False
        )
        return mark_safe(f"<select{attributs}>{options}</select>")  # noqa: S308 - valeurs échappées


class ListeMultipleRapide(ListeRapide, forms.SelectMultiple):
    allow_multiple_selected = True


class IterateurChoix(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ChampChoixModele(forms.ModelChoiceField):
    iterator = IterateurChoix


class EntierFilter(django_filters.NumberFilter):
    """Filtre sur un nombre entier (année, identifiant) : un entier, borné par `min_value`/`max_value` (sinon par
    les bornes par défaut du formulaire de filtre), au lieu du nombre décimal quelconque de `NumberFilter`."""

    field_class = forms.IntegerField

    def get_max_validator(self):
        # django-filter borne tout nombre à 1e50 : ce sont les bornes du champ ou celles du formulaire qui valent.
        return None


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ChampChoixModele


class FilterSet(django_filters.FilterSet):
    """FilterSet dont les listes déroulantes (choix, choix de modèle, choix multiples) sans widget déclaré
    sont des `ListeRapide`, et dont le formulaire borne toutes les valeurs lues de l'URL
    (`EntreesBorneesMixin` : dates de 1900 à 2100, nombres tenables par la base, caractères nuls refusés)."""

    def get_form_class(self):
        classe = super().get_form_class()
        return type(classe.__name__, (EntreesBorneesMixin, classe), {})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for filtre in self.filters.values():
            if filtre.extra.get("widget") is not None:
                continue
            if isinstance(filtre, django_filters.MultipleChoiceFilter | django_filters.ModelMultipleChoiceFilter):
                filtre.extra["widget"] = ListeMultipleRapide
            elif isinstance(filtre, django_filters.ChoiceFilter | django_filters.ModelChoiceFilter):
                filtre.extra["widget"] = ListeRapide


# Zones de saisie que django-bootstrap5 habille en `form-control` (sans « color » ni « range », à part).
TYPES_SAISIE = frozenset(
    ("text", "number", "email", "url", "tel", "date", "time", "password", "month", "datetime-local", "week", "search")
)
# Celles qui reçoivent le libellé comme texte indicatif (placeholder), comme is_widget_with_placeholder.
AVEC_INDICATION = (forms.TextInput, forms.NumberInput, forms.EmailInput, forms.URLInput, forms.PasswordInput)


def _classes(*groupes):
    vues, classes = set(), []
    for groupe in groupes:
        for c in groupe.split():
            if c not in vues:
                vues.add(c)
                classes.append(c)
    return " ".join(classes)


def _nature(widget):
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return None
    if isinstance(widget, forms.Select):
        return "form-select"
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, Input) and widget.input_type in TYPES_SAISIE:
        return "form-control"
    return None


def champ_filtre(champ):
    widget = champ.field.widget
    nature = _nature(widget)
    if (
        nature is None
        or champ.errors
        or champ.help_text
        or champ.is_hidden
        or champ.field.required
        or champ.form.empty_permitted
        or not get_bootstrap_setting("server_side_validation")
    ):
        return render_field(champ)
    lie = champ.form.is_bound
    attrs = dict(widget.attrs)
    attrs["class"] = _classes(nature, attrs.get("class", ""), "is-valid" if lie else "")
    indication = attrs.get("placeholder", champ.label)
    if indication and get_bootstrap_setting("set_placeholder") and isinstance(widget, AVEC_INDICATION):
        if widget.input_type not in ("color", "range"):
            attrs["placeholder"] = conditional_escape(strip_tags(indication))
    html_widget = champ.as_widget(attrs=attrs)
    cible = champ.id_for_label
    pour = f' for="{escape(cible)}"' if cible else ""
    enveloppe = _classes(
        get_bootstrap_setting("wrapper_class"), get_bootstrap_setting("success_css_class") if lie else ""
    )
    libelle = conditional_escape(champ.label)
    if nature == "form-check-input":
        interieur = (
            f'<div class="form-check">{html_widget}<label class="form-check-label"{pour}>{libelle}</label></div>'
        )
    else:
        interieur = f'<label class="form-label"{pour}>{libelle}</label>{html_widget}'
    return mark_safe(f'<div class="{escape(enveloppe)}">{interieur}</div>')  # noqa: S308 - parties échappées

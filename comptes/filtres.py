"""Filtres communs des listes (django-filter).

`FilterSet` : celui de django-filter, dont les listes déroulantes sont écrites en une passe (`ListeRapide`)
au lieu d'un gabarit par option (le gabarit `select_option.html` de Django coûtait l'essentiel du rendu des
formulaires de filtre : 325 communes, une dizaine de listes par page).

`ModelChoiceFilter` : celui de django-filter, dont la liste de choix est lue par une requête ordinaire. Django
lit les choix d'un champ de modèle par `QuerySet.iterator()`, qui ouvre sur PostgreSQL un curseur côté serveur
(DECLARE, FETCH, CLOSE : trois allers-retours) pour quelques dizaines de lignes ; sur une page de liste à trois
listes déroulantes, c'était plusieurs millisecondes par page.
"""

import django_filters
from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe


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


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ChampChoixModele


class FilterSet(django_filters.FilterSet):
    """FilterSet dont les listes déroulantes (choix, choix de modèle, choix multiples) sans widget déclaré
    sont des `ListeRapide`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for filtre in self.filters.values():
            if filtre.extra.get("widget") is not None:
                continue
            if isinstance(filtre, django_filters.MultipleChoiceFilter | django_filters.ModelMultipleChoiceFilter):
                filtre.extra["widget"] = ListeMultipleRapide
            elif isinstance(filtre, django_filters.ChoiceFilter | django_filters.ModelChoiceFilter):
                filtre.extra["widget"] = ListeRapide

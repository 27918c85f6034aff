"""Filtres communs des listes (django-filter).

`ModelChoiceFilter` de django-filter, dont la liste de choix est lue par
une requête ordinaire : Django lit les choix d'un champ de modèle par `QuerySet.iterator()`, qui ouvre sur
PostgreSQL un curseur côté serveur (DECLARE, FETCH, CLOSE : trois allers-retours) pour quelques dizaines de
lignes. Sur une page de liste à trois listes déroulantes, c'était plusieurs millisecondes par page.
"""

import django_filters
from django import forms
from django.forms.models import ModelChoiceIterator


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

"""Filtres de gabarit pour un français qui se lit bien : {{ commune.nom|de }} → « d'Amilly » ou « de Gien »."""

from django import template

from commun import francais

register = template.Library()


@register.filter
def de(valeur):
    return francais.de(str(valeur))


@register.filter
def le(valeur, genre=""):
    return francais.le(str(valeur), feminin=genre == "f")

"""Mise en forme française des chiffres du tableau de bord : « 14 293 », « 87 900 000,00 € », « +12,5 % ».
Les montants passent par commun.francais (un seul format des montants à l'écran)."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from commun import francais
from commun.templatetags.francais import euros

register = template.Library()


def _decimales(valeur):
    if isinstance(valeur, int):
        return 0
    d = Decimal(str(valeur))
    if d == d.to_integral_value():
        return 0
    return 1 if d * 10 == (d * 10).to_integral_value() else 2


@register.filter
def nombre(valeur):
    """Nombre avec séparateur de milliers ; « — » si absent."""
    if valeur is None or valeur == "":
        return "—"
    return number_format(valeur, decimal_pos=_decimales(valeur), use_l10n=True, force_grouping=True)


@register.filter
def chiffre(valeur, unite=""):
    """Un chiffre d'indicateur : les montants en euros comme `euros` sans le symbole (« 1 234,50 », l'unité est
    écrite à côté), les autres comme `nombre`."""
    if unite == "€":
        texte = francais.montant(valeur)
        if texte is not None:
            return texte
    return nombre(valeur)


# « 87 900 000,00 € » : le filtre de commun.
register.filter("euros", euros)


@register.filter
def millions_euros(valeur):
    """« 87,9 M€ »."""
    return francais.millions_euros(valeur)


@register.filter
def signe(valeur, unite=""):
    """Écart signé : « +5 », « −3 », « 0 » (le signe est écrit : l'information ne tient pas à la couleur)."""
    if valeur is None:
        return "—"
    if valeur > 0:
        return "+" + chiffre(valeur, unite)
    if valeur < 0:
        return "−" + chiffre(-valeur, unite)
    return "0"


@register.filter
def pourcent_borne(valeur):
    """Valeur pour l'élément <progress> (0 à 100)."""
    if valeur is None:
        return "0"
    return f"{max(0.0, min(100.0, float(valeur))):.1f}"  # point décimal : attribut HTML, pas du texte

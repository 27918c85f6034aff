"""Mise en forme française des chiffres du tableau de bord : « 14 293 », « 87 900 000,00 € », « +12,5 % »."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

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
    """Un chiffre d'indicateur : les montants en euros avec deux décimales, les autres comme `nombre`."""
    if unite == "€" and valeur is not None and valeur != "":
        return number_format(valeur, decimal_pos=2, use_l10n=True, force_grouping=True)
    return nombre(valeur)


@register.filter
def euros(valeur):
    if valeur is None:
        return "—"
    return number_format(valeur, decimal_pos=2, use_l10n=True, force_grouping=True) + " €"


@register.filter
def millions_euros(valeur):
    if valeur is None:
        return "—"
    return number_format(Decimal(valeur) / Decimal(1_000_000), decimal_pos=1, use_l10n=True) + " M€"


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

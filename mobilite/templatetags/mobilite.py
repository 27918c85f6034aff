from decimal import Decimal, InvalidOperation

from django import template
from django.urls import NoReverseMatch

register = template.Library()


@register.filter
def euros(valeur):
    """1234.5 → « 1 234,50 € » (espace fine insécable pour les milliers)."""
    try:
        montant = Decimal(valeur)
    except (TypeError, InvalidOperation):
        return ""
    texte = f"{montant:,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{texte}\u00a0€"


@register.filter
def kilometres(valeur):
    if valeur is None:
        return "—"
    return f"{int(valeur):,}".replace(",", "\u202f") + "\u00a0km"


@register.simple_tag
def url_fiche(beneficiaire):
    """Lien vers la fiche de la personne, ou chaîne vide si la fiche n'est pas (encore) publiée."""
    try:
        return beneficiaire.get_absolute_url()
    except NoReverseMatch:
        return ""

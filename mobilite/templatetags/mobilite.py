from django import template
from django.urls import NoReverseMatch

from commun.templatetags.francais import euros

register = template.Library()

# « 1 234,50 € » : le filtre de commun, un seul format des montants partout.
register.filter("euros", euros)


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

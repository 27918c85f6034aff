from django import template

from placement.tables import euros as _euros

register = template.Library()


@register.filter
def euros(valeur):
    """Montant en euros au format français : « 1 234,50 € »."""
    return _euros(valeur)

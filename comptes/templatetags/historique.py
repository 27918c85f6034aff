from django import template

from comptes.historique import versions

register = template.Library()


@register.inclusion_tag("comptes/_historique.html")
def historique(objet, limite=50, niveau=2):
    """Section « Historique » d'un enregistrement : `{% load historique %}{% historique objet %}`."""
    return {"versions": versions(objet, limite=limite), "niveau": niveau, "limite": limite}

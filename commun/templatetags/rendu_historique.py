from django import template

from commun.historique import versions

register = template.Library()


@register.inclusion_tag("commun/_historique.html")
def historique(objet, limite=50, niveau=2):
    """Section « Historique » d'un enregistrement : `{% load historique %}{% historique objet %}`."""
    return {"versions": versions(objet, limite=limite), "niveau": niveau, "limite": limite}

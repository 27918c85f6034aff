"""`{% champ_filtre champ %}` : un champ de formulaire de filtre, même HTML que `{% bootstrap_field champ %}`."""

from django import template

from commun import filtres

register = template.Library()


@register.simple_tag
def champ_filtre(champ):
    return filtres.champ_filtre(champ)

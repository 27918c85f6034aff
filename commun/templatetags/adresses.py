"""`{% adresse 'nom' %}` : `{% url 'nom' %}` d'une vue sans paramètre, sans refaire `reverse` à chaque page
(commun.liens.adresse_fixe : calculée une fois par préfixe d'adresse et configuration d'adresses, lus une fois par
gabarit rendu). La mise en page de chaque page en demande cinq ; échappée de même par le moteur de gabarits."""

from django import template

from commun.liens import adresse_fixe, prefixe_et_configuration

register = template.Library()


@register.simple_tag(takes_context=True)
def adresse(context, nom):
    lus = context.render_context.get(prefixe_et_configuration)
    if lus is None:
        lus = context.render_context[prefixe_et_configuration] = prefixe_et_configuration()
    return adresse_fixe(nom, lus)

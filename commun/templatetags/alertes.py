from django import template

from commun.alertes import alertes_pour

register = template.Library()


@register.inclusion_tag("commun/_alertes.html", takes_context=True)
def alertes_accueil(context):
    """Les alertes de l'utilisateur connecté (accueil, index de l'administration)."""
    request = context.get("request")
    return {"alertes": alertes_pour(request.user) if request is not None else []}

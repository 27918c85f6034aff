"""Filtres de gabarit pour un français qui se lit bien : {{ commune.nom|de }} → « d'Amilly » ou « de Gien »."""

from django import template

from commun import francais

register = template.Library()


@register.filter
def de(valeur):
    return francais.de(str(valeur))


@register.filter
def le(valeur, genre=""):
    return francais.le(str(valeur), feminin=genre == "f")


@register.filter
def pluriel(nombre, formes="s"):
    """Accord à la française : singulier pour 0 et 1 (« 0 place libre », « 1 contrat »), pluriel dès 2.
    `formes` : le suffixe du pluriel, ou « singulier,pluriel » (« figure,figurent »)."""
    singulier, _, pluriel_ = formes.rpartition(",") if "," in formes else ("", "", formes)
    try:
        n = abs(float(len(nombre) if hasattr(nombre, "__len__") else nombre))
    except (TypeError, ValueError):
        return ""
    return pluriel_ if francais.est_pluriel(n) else singulier

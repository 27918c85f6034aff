from django import template
from django.urls import NoReverseMatch
from django.utils.safestring import mark_safe

from commun.echappement import echapper
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


@register.simple_tag
def lignes_vehicules(vehicules, peut_reserver):
    """Les lignes `<tr>` d'un groupe de la recherche de véhicules (adresses et total posés par la vue, site et bassin
    annotés par `vehicules_libres`), écrites en Python comme le ferait le gabarit, même échappement : une vingtaine
    de véhicules et douze valeurs par ligne, autant de résolutions de variables et de filtres que le moteur de
    gabarits refaisait à chaque recherche."""
    lignes = []
    for v in vehicules:
        immatriculation = echapper(v.immatriculation)
        montants = "".join(f"<td>{echapper(euros(m))}</td>" for m in (v.prix_journalier, v.depot_garantie, v.total))
        reserver = (
            f' <a class="btn btn-primary" href="{echapper(v.adresse_reserver)}">Réserver'
            f'<span class="visually-hidden"> {immatriculation}</span></a>'
            if peut_reserver
            else ""
        )
        lignes.append(
            f'<tr><td><a href="{echapper(v.adresse)}">{echapper(v.marque)} {echapper(v.modele)}</a></td>'
            f"<td>{immatriculation}</td><td>{echapper(v.commune_nom)}</td>"
            f"<td>{echapper(v.bassin_nom)}</td>{montants}"
            f'<td class="text-end"><a class="btn btn-outline-secondary btn-sm" '
            f'href="{echapper(v.adresse_calendrier)}">Calendrier</a>{reserver}</td></tr>'
        )
    return mark_safe("".join(lignes))  # noqa: S308 - chaque valeur échappée

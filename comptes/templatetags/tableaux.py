"""Corps des tableaux django-tables2 écrit en Python (gabarit `django_tables2/plan_emploi.html`).

Le gabarit d'origine rend chaque cellule par le moteur de gabarits (boucle, `column.attrs.td.as_html`
recalculé à chaque cellule, tests de localisation) : pour 50 lignes et 13 colonnes, l'essentiel du temps
d'une page de liste. Ici, les attributs d'une colonne sont calculés une fois par page quand ils ne
dépendent pas de la ligne (aucun attribut appelable), et chaque cellule est écrite comme le ferait le
gabarit : même échappement, même localisation (`{{ cell }}`, `|localize`, `|unlocalize`).
"""

import django_tables2 as tables
from django import template
from django.db import models
from django.template.base import render_value_in_context
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django_tables2.utils import Accessor

from comptes.tableaux import ColonneDate

register = template.Library()


def _attrs_dependent_de_la_ligne(colonne):
    return any(callable(v) for v in (colonne.column.attrs or {}).get("td", {}).values())


def _lecteur_rapide(colonne, table, enregistrement):
    """Pour une colonne de données simple, une fonction enregistrement -> contenu de cellule qui donne ce que
    calcule django-tables2 (`BoundRow._get_and_render_with`) sans son travail par cellule : chemin de l'accesseur
    découpé une fois, libellé des champs à choix (`get_<champ>_display`), valeur vide -> défaut. None pour
    toute autre colonne (rendu propre `render_<nom>`, lien, localisation explicite, autre type de colonne,
    valeur appelable), qui garde le calcul complet."""
    col = colonne.column
    if type(col) not in (tables.Column, ColonneDate) or colonne.link or col.localize is not None:
        return None
    if getattr(table, f"render_{colonne.name}", None) is not None or not isinstance(enregistrement, models.Model):
        return None
    accesseur = Accessor(colonne.accessor)
    *chemin, dernier = accesseur.bits
    if not dernier:
        return None
    champ = accesseur.get_field(enregistrement)
    libelle = bool(getattr(champ, "choices", None)) and champ.name == dernier
    objet = enregistrement
    for partie in chemin:  # sur le premier enregistrement : rien d'appelable sur le chemin
        objet = getattr(objet, partie, None)
        if objet is None:
            break
        if callable(objet):
            return None
    if objet is not None and not libelle and callable(getattr(objet, dernier, None)):
        return None
    vides, defaut, rendu = col.empty_values, colonne.default, col.render if isinstance(col, ColonneDate) else None
    methode_libelle = f"get_{dernier}_display"

    def lire(e):
        for partie in chemin:
            e = getattr(e, partie)
            if e is None:
                return defaut
        valeur = getattr(e, methode_libelle)() if libelle else getattr(e, dernier)
        if valeur in vides:
            return defaut
        return rendu(valeur) if rendu else valeur

    return lire


def _cellule(colonne, valeur, context):
    if colonne.localize is None:
        return render_value_in_context(valeur, context)
    if colonne.localize:
        return conditional_escape(formats.localize(valeur, use_l10n=True))
    return conditional_escape(formats.localize(valeur, use_l10n=False))


@register.simple_tag(takes_context=True)
def corps_tableau(context, table):
    """Les lignes `<tr>` de la page courante du tableau (ou la ligne « aucun résultat »).

    Chaque cellule est calculée comme le fait `BoundRow.items()`, mais avec les colonnes déjà en main (`items()`
    retrouve chaque colonne par son nom en parcourant toutes les colonnes) et, pour les colonnes de données
    simples, par un lecteur préparé une fois par page (`_lecteur_rapide`)."""
    colonnes = list(table.columns)
    attrs_fixes = {c.name: c.attrs["td"].as_html() for c in colonnes if not _attrs_dependent_de_la_ligne(c)}
    lecteurs = None
    morceaux = []
    for ligne in table.paginated_rows:
        if lecteurs is None:
            lecteurs = [_lecteur_rapide(c, table, ligne.record) for c in colonnes]
        morceaux.append(f"<tr {ligne.attrs.as_html()}>")
        for colonne, lire in zip(colonnes, lecteurs, strict=True):
            if lire is not None:
                valeur = lire(ligne.record)
            else:
                valeur = ligne._get_and_render_with(colonne, render_func=ligne._call_render, default=colonne.default)
            colonne.current_value, colonne.current_record = valeur, ligne.record
            attrs = attrs_fixes.get(colonne.name)
            if attrs is None:
                attrs = colonne.attrs["td"].as_html()
            morceaux.append(f"<td {attrs}>{_cellule(colonne, valeur, context)}</td>")
        morceaux.append("</tr>")
    if not morceaux and table.empty_text:
        return format_html('<tr><td colspan="{}">{}</td></tr>', len(colonnes), table.empty_text)
    return mark_safe("".join(morceaux))  # noqa: S308 - attributs et cellules échappés ci-dessus

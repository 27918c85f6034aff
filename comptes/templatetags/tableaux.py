"""Corps des tableaux django-tables2 écrit en Python (gabarit `django_tables2/plan_emploi.html`).

Le gabarit d'origine rend chaque cellule par le moteur de gabarits (boucle, `column.attrs.td.as_html`
recalculé à chaque cellule, tests de localisation) : pour 50 lignes et 13 colonnes, l'essentiel du temps
d'une page de liste. Ici, les attributs d'une colonne sont calculés une fois par page quand ils ne
dépendent pas de la ligne (aucun attribut appelable), et chaque cellule est écrite comme le ferait le
gabarit : même échappement, même localisation (`{{ cell }}`, `|localize`, `|unlocalize`).
"""

from django import template
from django.template.base import render_value_in_context
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


def _attrs_dependent_de_la_ligne(colonne):
    return any(callable(v) for v in (colonne.column.attrs or {}).get("td", {}).values())


def _cellule(colonne, valeur, context):
    if colonne.localize is None:
        return render_value_in_context(valeur, context)
    if colonne.localize:
        return conditional_escape(formats.localize(valeur, use_l10n=True))
    return conditional_escape(formats.localize(valeur, use_l10n=False))


@register.simple_tag(takes_context=True)
def corps_tableau(context, table):
    """Les lignes `<tr>` de la page courante du tableau (ou la ligne « aucun résultat »)."""
    morceaux, attrs_fixes = [], {}
    for ligne in table.paginated_rows:
        morceaux.append(f"<tr {ligne.attrs.as_html()}>")
        for colonne, valeur in ligne.items():
            attrs = attrs_fixes.get(colonne.name)
            if attrs is None:
                attrs = colonne.attrs["td"].as_html()
                if not _attrs_dependent_de_la_ligne(colonne):
                    attrs_fixes[colonne.name] = attrs
            morceaux.append(f"<td {attrs}>{_cellule(colonne, valeur, context)}</td>")
        morceaux.append("</tr>")
    if not morceaux and table.empty_text:
        return format_html('<tr><td colspan="{}">{}</td></tr>', len(table.columns), table.empty_text)
    return mark_safe("".join(morceaux))  # noqa: S308 - attributs et cellules échappés ci-dessus

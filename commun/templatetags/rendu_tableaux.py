"""Tableaux django-tables2 écrits en Python : `{% tableau table %}` (tout le tableau, à la place de
`{% render_table %}`), et l'en-tête, le corps et la pagination qu'il assemble (aussi balises du gabarit de référence
`django_tables2/plan_emploi.html`, auquel les tests comparent le HTML).

Le gabarit d'origine rend chaque cellule par le moteur de gabarits (boucle, `column.attrs.td.as_html`
recalculé à chaque cellule, tests de localisation) : pour 50 lignes et 13 colonnes, l'essentiel du temps
d'une page de liste. Ici, les attributs d'une colonne sont calculés une fois par page quand ils ne
dépendent pas de la ligne (aucun attribut appelable), et chaque cellule est écrite comme le ferait le
gabarit : même échappement, même localisation (`{{ cell }}`, `|localize`, `|unlocalize`).
"""

import functools
import inspect

import django_tables2 as tables
from django import template
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db import models
from django.template.base import render_value_in_context
from django.template.loader import get_template
from django.utils import formats, translation
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.html import conditional_escape, escape, format_html
from django.utils.http import urlencode
from django_tables2.columns.base import LinkTransform
from django_tables2.rows import BoundRow
from django_tables2.templatetags.django_tables2 import table_page_range
from django_tables2.utils import Accessor, AttributeDict

from commun.echappement import attributs_html, echapper, sur
from commun.liens import adresses_d_une_requete
from commun.tableaux import ColonneDate

register = template.Library()


def _attrs_dependent_de_la_ligne(colonne):
    return any(callable(v) for v in (colonne.column.attrs or {}).get("td", {}).values())


def _lien_simple(colonne, enregistrement):
    """`linkify=True` sans réglage : django-tables2 lie la cellule à `get_absolute_url()` de l'objet que donne le
    NOM de la colonne, ou à défaut de l'enregistrement. Rend une fonction (contenu, enregistrement) -> lien quand
    ce nom désigne un champ simple (jamais d'URL propre : c'est l'enregistrement qui est lié), sinon None."""
    lien = colonne.link
    if type(lien) is not LinkTransform or lien.url is not None or lien.reverse_args or lien.accessor is not None:
        return None
    attrs_a = dict(lien.attrs or {})
    if any(callable(v) for v in attrs_a.values()) or not hasattr(type(enregistrement), "get_absolute_url"):
        return None
    try:
        champ = Accessor(colonne.name).get_field(enregistrement)
    except Exception:  # noqa: BLE001 - nom qui n'est pas un champ : le calcul complet décidera
        return None
    if champ is None or champ.is_relation or list(Accessor(colonne.name).bits) != [champ.name]:
        return None

    if not attrs_a:  # le cas courant : le lien seul, écrit comme `format_html` et `AttributeDict.as_html`

        def lier(contenu, e):
            url = e.get_absolute_url()
            if url is None:
                return contenu
            return sur(f'<a href="{echapper(url)}">{echapper(contenu)}</a>')

        return lier

    def lier(contenu, e):
        attrs = AttributeDict({**attrs_a, "href": e.get_absolute_url()})
        if attrs["href"] is None:
            return contenu
        return format_html("<a {}>{}</a>", attrs.as_html(), contenu)

    return lier


def _libelles_de_choix(modele, champ, methode):
    """Voir `_libelles_de_choix_en` : les libellés dans la langue active (un libellé traduisible suit la langue)."""
    return _libelles_de_choix_en(modele, champ, methode, translation.get_language())


@functools.lru_cache(maxsize=512)  # le libellé de chaque choix est fait une fois par champ et langue, pas par page
def _libelles_de_choix_en(modele, champ, methode, langue):
    """Le `get_<champ>_display()` de Django refait à chaque appel le dictionnaire de TOUS les choix du champ
    (`dict(make_hashable(field.flatchoices))`) : pour une page de 50 lignes et quatre colonnes à choix, des
    milliers de conversions. Rend une fonction valeur -> libellé qui lit un dictionnaire fait une fois, au même
    résultat ; None si le modèle définit sa propre méthode (elle garde le calcul complet)."""
    methode_statique = inspect.getattr_static(modele, methode, None)
    if not (
        isinstance(methode_statique, functools.partialmethod)
        and methode_statique.func is models.Model._get_FIELD_display
        and methode_statique.keywords.get("field") is champ
    ):
        return None
    libelles = {cle: force_str(libelle, strings_only=True) for cle, libelle in make_hashable(champ.flatchoices)}

    def libelle(valeur):
        try:
            return libelles.get(valeur, valeur)
        except TypeError:  # valeur non hachable : le calcul de Django
            tous = dict(make_hashable(champ.flatchoices))
            return force_str(tous.get(make_hashable(valeur), valeur), strings_only=True)

    return libelle


def _rendu_booleen(col, champ):
    """Le `<span>` de `BooleanColumn.render`, calculé une fois pour vrai et pour faux (sans choix ni attributs
    de span : sinon None)."""
    if col.attrs.get("span") or getattr(champ, "choices", None):
        return None
    spans = _spans_booleens(*col.yesno)
    return lambda valeur: spans[bool(valeur)]


@functools.lru_cache(maxsize=64)
def _spans_booleens(oui, non):
    return {
        v: format_html("<span {}>{}</span>", AttributeDict({"class": str(v).lower()}).as_html(), escape(texte))
        for v, texte in ((True, oui), (False, non))
    }


ARGUMENTS_DE_RENDU = frozenset(("value", "record", "column", "bound_column", "bound_row", "table"))


def _lire_parametres(fonction):
    try:
        parametres = inspect.signature(fonction).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parametres):
        return True, ()
    return False, tuple(p.name for p in parametres if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


_parametres_lus = {}


def _parametres_de(fonction):
    """(prend **kwargs, noms de ses paramètres nommables) de `fonction`, ou None : lus une fois par fonction (une
    méthode liée est refaite à chaque page, sa fonction `__func__` reste la même), pas à chaque page."""
    sous_jacente = getattr(fonction, "__func__", fonction)
    if not inspect.isfunction(sous_jacente):
        return _lire_parametres(fonction)
    cle = (sous_jacente, hasattr(fonction, "__self__"))
    try:
        return _parametres_lus[cle]
    except KeyError:
        pass
    if len(_parametres_lus) >= 2000:  # borne : une fonction faite à la volée ne fait pas grossir le cache
        _parametres_lus.clear()
    resultat = _parametres_lus[cle] = _lire_parametres(fonction)
    return resultat


def _appel(fonction, fixes):
    """Comme `django_tables2.utils.call_with_appropriate`, mais la signature lue une fois par processus et par
    fonction (`_parametres_de`) et les arguments fixes pris une fois par page : une fonction
    (valeur, enregistrement, ligne) -> résultat qui passe à `fonction` les arguments qu'elle nomme (tous si elle
    prend **kwargs), ceux qui ne changent pas d'une ligne à l'autre (`fixes` : colonne, colonne liée, tableau) pris
    une fois ; None si elle en demande un qui n'existe pas (la bibliothèque ne l'appellerait pas : calcul complet).
    Les signatures courantes (`value`, `record`, les deux) sont appelées sans dictionnaire par cellule."""
    lus = _parametres_de(fonction)
    if lus is None:
        return None
    tous, noms = lus
    if tous:
        return lambda v, e, ligne: fonction(value=v, record=e, bound_row=ligne, **fixes)
    if not set(noms) <= ARGUMENTS_DE_RENDU:
        return None
    constantes = {n: fixes[n] for n in noms if n in fixes}
    variables = frozenset(noms) - set(fixes)
    if not constantes and variables == {"value"}:
        return lambda v, e, ligne: fonction(value=v)
    if not constantes and variables == {"record"}:
        return lambda v, e, ligne: fonction(record=e)
    if not constantes and variables == {"value", "record"}:
        return lambda v, e, ligne: fonction(value=v, record=e)

    def appeler(v, e, ligne):
        valeurs = {"value": v, "record": e, "bound_row": ligne}
        return fonction(**constantes, **{n: valeurs[n] for n in variables})

    return appeler


def _valeur_par_chemin(chemin, dernier, libelle, libelle_rapide, attribut, methode_libelle):
    def valeur_de(enregistrement):
        e = enregistrement
        try:
            for partie in chemin:
                e = getattr(e, partie)
                if e is None:  # relation vide : None, comme Accessor.resolve (une colonne booléenne dit « non »)
                    return None
            if libelle_rapide is not None:
                return libelle_rapide(getattr(e, attribut))
            return getattr(e, methode_libelle)() if libelle else getattr(e, dernier)
        except ObjectDoesNotExist:  # relation inverse absente (un à un) : None, comme la bibliothèque
            return None

    return valeur_de


def _lecteur_rapide(colonne, table, enregistrement):
    """Pour une colonne de données, une fonction (enregistrement, ligne) -> contenu de cellule qui donne ce que
    calcule django-tables2 pour la cellule (`BoundRow.get_cell`) sans son travail par cellule : chemin de
    l'accesseur découpé une fois, libellé des champs à choix (`get_<champ>_display`), valeur vide -> défaut,
    colonne booléenne, lien `linkify=True` vers la fiche de l'enregistrement ; rendu propre (`render_<nom>` du
    tableau) et autres liens par les attributs publics de la colonne liée (`render`, `link`), signature lue une
    fois. Une colonne d'un autre type qui se déclare `rendu_simple` (son `render` ne dépend que de la valeur et de
    l'enregistrement, ses attributs sont fixes) est appelée de même. None pour toute autre colonne (localisation
    explicite, autre type de colonne, valeur appelable), qui passe par `BoundRow.get_cell`."""
    col = colonne.column
    simple = getattr(col, "rendu_simple", False)
    if (type(col) not in (tables.Column, ColonneDate, tables.BooleanColumn) and not simple) or col.localize is not None:
        return None
    if not isinstance(enregistrement, models.Model):
        return None
    general = simple or getattr(table, f"render_{colonne.name}", None) is not None
    lier = _lien_simple(colonne, enregistrement) if colonne.link else None
    if colonne.link and lier is None:
        general = True  # un autre lien : celui de la colonne liée (`link`), calculé par la bibliothèque
    if general and type(col) is tables.BooleanColumn:
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
    if objet is not None and not libelle and (not hasattr(objet, dernier) or callable(getattr(objet, dernier))):
        return None  # valeur absente (colonne calculée par son rendu) ou appelable : calcul de la bibliothèque
    rendu = None
    fixes = {"column": col, "bound_column": colonne, "table": table}
    if general:
        appeler = _appel(colonne.render, fixes)
        if appeler is None:
            return None
    elif type(col) is tables.BooleanColumn:
        rendu = _rendu_booleen(col, champ)
        if rendu is None:
            return None
        libelle = False
    elif isinstance(col, ColonneDate):
        rendu = col.render
    vides, defaut = col.empty_values, colonne.default
    methode_libelle = f"get_{dernier}_display"
    libelle_rapide = None
    if libelle and objet is not None:
        libelle_rapide = _libelles_de_choix(type(objet), champ, methode_libelle)
    attribut = champ.attname if libelle_rapide is not None else dernier

    if not chemin and not libelle:  # le cas le plus courant : un attribut de l'enregistrement (ou une annotation)

        def valeur_de(enregistrement):
            try:
                return getattr(enregistrement, dernier)
            except ObjectDoesNotExist:
                return None

    else:
        valeur_de = _valeur_par_chemin(chemin, dernier, libelle, libelle_rapide, attribut, methode_libelle)

    if general:
        lien = colonne.link if lier is None else None

        def lire_general(enregistrement, ligne):
            valeur = valeur_de(enregistrement)
            if valeur in vides:
                return defaut
            contenu = appeler(valeur, enregistrement, ligne)
            if lier:  # rendu propre d'une colonne `linkify=True` : lien vers la fiche, écrit d'un trait
                return lier(contenu, enregistrement)
            if lien:
                return lien(contenu, value=valeur, record=enregistrement, bound_row=ligne, **fixes)
            return contenu

        return lire_general

    def lire(enregistrement, ligne):
        valeur = valeur_de(enregistrement)
        if valeur in vides:
            return defaut
        contenu = rendu(valeur) if rendu else valeur
        return lier(contenu, enregistrement) if lier else contenu

    return lire


def _ecrivain(colonne, context):
    """La fonction valeur -> HTML de la cellule, comme `{{ cell }}` (`|localize`, `|unlocalize` selon la colonne)."""
    if colonne.localize is None:
        if not context.autoescape:
            return lambda valeur: render_value_in_context(valeur, context)

        def ecrire(valeur):
            if isinstance(valeur, str):  # ce que fait render_value_in_context pour un texte
                return echapper(valeur)
            return render_value_in_context(valeur, context)

        return ecrire
    localise = bool(colonne.localize)
    return lambda valeur: conditional_escape(formats.localize(valeur, use_l10n=localise))


@register.simple_tag(takes_context=True)
def corps_tableau(context, table):
    """Les lignes `<tr>` de la page courante du tableau (ou la ligne « aucun résultat »).

    Chaque cellule est calculée comme le fait `BoundRow.items()`, mais avec les colonnes déjà en main (`items()`
    retrouve chaque colonne par son nom en parcourant toutes les colonnes) et, pour les colonnes de données
    simples, par un lecteur préparé une fois par page (`_lecteur_rapide`) ; les attributs `<td>` qui ne dépendent
    pas de la ligne et la façon d'écrire chaque cellule sont eux aussi préparés une fois. `current_value` et
    `current_record` ne sont posés que sur les colonnes dont les attributs dépendent de la ligne (ceux de la
    cellule ; les tableaux du projet n'ont pas de pied de tableau qui les lirait)."""
    with adresses_d_une_requete():  # les liens des lignes (fiche, employeur) : préfixe d'adresse lu une fois
        return _corps(context, table)


def _corps(context, table):
    colonnes = list(table.columns)
    plans = None
    morceaux = []
    for ligne in table.paginated_rows:
        enregistrement = ligne.record
        if plans is None:
            plans = [
                (
                    c,
                    _lecteur_rapide(c, table, enregistrement),
                    None if _attrs_dependent_de_la_ligne(c) else attributs_html(c.attrs["td"]),
                    _ecrivain(c, context),
                )
                for c in colonnes
            ]
        if table.row_attrs or type(ligne) is not BoundRow:  # attributs de ligne, ligne épinglée : la bibliothèque
            morceaux.append(f"<tr {attributs_html(ligne.attrs)}>")
        else:  # ce que donne `BoundRow.attrs` sans attributs de ligne : la seule classe paire ou impaire
            morceaux.append(f'<tr class="{ligne.get_even_odd_css_class()}">')
        for colonne, lire, attrs, ecrire in plans:
            valeur = lire(enregistrement, ligne) if lire is not None else ligne.get_cell(colonne.name)
            if attrs is None:  # attributs calculés d'après la cellule courante, comme le fait la bibliothèque
                colonne.current_value, colonne.current_record = valeur, enregistrement
                attrs = attributs_html(colonne.attrs["td"])
            morceaux.append(f"<td {attrs}>{ecrire(valeur)}</td>")
        morceaux.append("</tr>")
    if not morceaux and table.empty_text:
        return format_html('<tr><td colspan="{}">{}</td></tr>', len(colonnes), table.empty_text)
    return sur("".join(morceaux))  # attributs et cellules échappés ci-dessus


class _Adresses:
    """Les adresses `?…` des liens d'un tableau, comme `{% querystring_replace cle=valeur %}` de django-tables2 :
    les paramètres de la requête, la clé remplacée à sa place (ou ajoutée à la fin), encodés puis échappés. Les
    paramètres sont lus une fois pour tous les liens de la page, et ceux qui entourent la clé remplacée encodés une
    fois par clé : seule la nouvelle valeur l'est à chaque lien (une vingtaine de liens par page, en-tête et
    pagination). Encoder puis échapper se font paramètre par paramètre : le résultat est celui d'un encodage de
    l'ensemble (les tests le comparent)."""

    def __init__(self, context):
        request = context.get("request")
        if request is None:  # comme la balise de la bibliothèque, qui l'exige
            raise ImproperlyConfigured("Le processeur de contexte « request » est requis par les tableaux.")
        self.parametres = dict(request.GET)
        self._autour = {}

    def _encodes_autour(self, cle):
        """(avant, après) : les paramètres qui précèdent et suivent `cle`, encodés et échappés."""
        autour = self._autour.get(cle)
        if autour is None:
            noms = list(self.parametres)
            rang = noms.index(cle) if cle in self.parametres else len(noms)
            avant = {n: self.parametres[n] for n in noms[:rang]}
            apres = {n: self.parametres[n] for n in noms[rang + 1 :]}
            autour = self._autour[cle] = (
                echapper(urlencode(avant, doseq=True)),
                echapper(urlencode(apres, doseq=True)),
            )
        return autour

    def avec(self, cle, valeur):
        if cle in ("", None):
            return sur(echapper("?" + urlencode(self.parametres, doseq=True)))
        avant, apres = self._encodes_autour(cle)
        parties = (avant, echapper(urlencode({cle: valeur}, doseq=True)), apres)
        return sur("?" + "&amp;".join(p for p in parties if p))  # parties échappées, « & » aussi


@register.simple_tag(takes_context=True)
def entete_tableau(context, table):
    """Le `<thead>` du gabarit Bootstrap 5 de django-tables2 (bloc `table.thead`), écrit en une passe : attributs
    de chaque en-tête (`BoundColumn.attrs`, classes de tri comprises), lien de tri des colonnes triables (la
    prochaine direction, `order_by_alias.next`), libellé échappé comme `{{ column.header }}`."""
    adresses = _Adresses(context)
    cellules = []
    for colonne in table.columns:
        libelle = render_value_in_context(colonne.header, context)
        if colonne.orderable:
            lien = adresses.avec(table.prefixed_order_by_field, colonne.order_by_alias.next)
            libelle = f'<a href="{lien}">{libelle}</a>'
        cellules.append(f'<th {attributs_html(colonne.attrs["th"])} scope="col">{libelle}</th>')
    return sur(f"<thead {attributs_html(table.attrs['thead'])}><tr>{''.join(cellules)}</tr></thead>")


@register.simple_tag(takes_context=True)
def pagination_tableau(context, table):
    """La pagination des tableaux du projet, nommée en français (« Page précédente », « Page 3 », page courante
    annoncée par `aria-current`), écrite en une passe ; rien s'il n'y a qu'une page."""
    page = getattr(table, "page", None)  # un tableau non paginé n'en a pas
    if not page or table.paginator.num_pages <= 1:
        return ""
    adresses = _Adresses(context)
    champ = table.prefixed_page_field
    elements = []
    if page.has_previous():
        lien = adresses.avec(champ, page.previous_page_number())
        elements.append(
            f'<li class="page-item"><a class="page-link" href="{lien}"><span aria-hidden="true">&laquo;</span> '
            "Page précédente</a></li>"
        )
    for p in table_page_range(page, table.paginator):
        if p == "...":
            elements.append('<li class="page-item disabled"><span class="page-link">…</span></li>')
            continue
        numero = render_value_in_context(p, context)
        if p == page.number:
            elements.append(
                f'<li class="page-item active" aria-current="page"><span class="page-link">{numero}</span></li>'
            )
        else:
            elements.append(
                f'<li class="page-item"><a class="page-link" href="{adresses.avec(champ, p)}" '
                f'aria-label="Page {numero}">{numero}</a></li>'
            )
    if page.has_next():
        lien = adresses.avec(champ, page.next_page_number())
        elements.append(
            f'<li class="page-item"><a class="page-link" href="{lien}">Page suivante '
            '<span aria-hidden="true">&raquo;</span></a></li>'
        )
    return sur(  # adresses et numéros échappés ci-dessus
        '<nav aria-label="Pages du tableau"><ul class="pagination justify-content-center flex-wrap">'
        f"{''.join(elements)}</ul></nav>"
    )


@register.simple_tag(takes_context=True)
def tableau(context, table):
    """`{% render_table table %}` avec le gabarit du projet (`django_tables2/plan_emploi.html`, sur celui de
    Bootstrap 5 de django-tables2, en version « responsive »), écrit en une passe : l'enveloppe, le `<table>` et ses
    attributs (`render_attrs`), l'en-tête, le corps, le pied s'il y en a un et la pagination, au même HTML aux
    espaces près. `render_table` refaisait pour chaque liste un contexte de gabarit (tous les processeurs de
    contexte) et trois gabarits emboîtés (`extends` et blocs), une demi-milliseconde par page. Comme lui : le tableau
    reçoit le contexte pendant le rendu (`table.context`, lu par `TemplateColumn`) et son `before_render` ; le HTML
    est toujours échappé et localisé comme dans un gabarit neuf, même appelé sous `{% autoescape off %}` ou
    `{% localize off %}` ; un tableau qui déclare un autre gabarit (`Meta.template_name`) est rendu par celui-ci."""
    if not isinstance(table, tables.Table):
        raise ValueError(f"Un tableau django-tables2 est attendu, pas {type(table).__name__}.")
    request = context.get("request")
    table.context = context
    reglages = context.autoescape, context.use_l10n, context.use_tz
    context.autoescape, context.use_l10n, context.use_tz = True, None, None  # ceux d'un contexte neuf
    try:
        table.before_render(request)
        if table.template_name != settings.DJANGO_TABLES2_TEMPLATE:
            return get_template(table.template_name).render(context={"table": table}, request=request)
        attributs = AttributeDict({"class": "table"})
        attributs.update(table.attrs)
        morceaux = [f'<div class="table-container table-responsive"><table {attributs_html(attributs)}>']
        if table.show_header:
            morceaux.append(entete_tableau(context, table))
        morceaux.append(f"<tbody {attributs_html(table.attrs['tbody'])}>{corps_tableau(context, table)}</tbody>")
        if table.has_footer():
            pied = "".join(
                f"<td {attributs_html(c.attrs['tf'])}>{render_value_in_context(c.footer, context)}</td>"
                for c in table.columns
            )
            morceaux.append(f"<tfoot {attributs_html(table.attrs['tfoot'])}><tr>{pied}</tr></tfoot>")
        morceaux.append(f"</table>{pagination_tableau(context, table)}</div>")
        return sur("".join(morceaux))  # chaque partie échappée par sa fonction
    finally:
        context.autoescape, context.use_l10n, context.use_tz = reglages
        del table.context

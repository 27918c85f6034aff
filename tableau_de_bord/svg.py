"""Graphiques dessinés côté serveur en SVG : aucun script, aucun CDN.

La CSP interdit les attributs style="" : seuls des attributs de présentation (fill, stroke, font-size...)
et des classes sont utilisés. Chaque graphique a un titre (aria-labelledby) ; la page l'accompagne de
son tableau de données pour les lecteurs d'écran.
"""

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe

from commun import francais

MOIS_COURTS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
COULEUR = "#00588f"  # contraste suffisant sur fond blanc (> 4,5:1)


def libelle_mois(mois):
    return f"{MOIS_COURTS[mois.month - 1]} {mois:%y}"


def _nombre(v):
    return number_format(v, decimal_pos=0 if float(v).is_integer() else 1, use_l10n=True, force_grouping=True)


def _avec_unite(v, unite):
    """« 1 234,50 € » pour un montant (le format de commun), « 12 contrats » sinon."""
    return francais.euros(v) if unite == "€" else f"{_nombre(v)} {unite}"


def echelle_max(maximum):
    """Un maximum « rond » pour l'axe vertical (1, 2, 5 x 10^n), au moins 1."""
    if maximum <= 0:
        return 1
    puissance = 1
    while puissance * 10 <= maximum:
        puissance *= 10
    for facteur in (1, 2, 5, 10):
        if facteur * puissance >= maximum:
            return facteur * puissance
    return 10 * puissance


def histogramme(*, ident, titre, serie, unite="", largeur=640, hauteur=240):
    """Histogramme mensuel : `serie` = [(mois: date, valeur)]. Rend du SVG sûr (textes échappés)."""
    marge_g, marge_d, marge_h, marge_b = 48, 12, 16, 40
    zone_l = largeur - marge_g - marge_d
    zone_h = hauteur - marge_h - marge_b
    valeurs = [float(v or 0) for _, v in serie]
    haut = echelle_max(max(valeurs, default=0))
    n = max(len(serie), 1)
    pas = zone_l / n
    barre = max(pas * 0.7, 1)
    morceaux = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="graphique" viewBox="0 0 {largeur} {hauteur}" '
        f'width="100%" role="img" aria-labelledby="{ident}-titre" focusable="false">',
        f'<title id="{ident}-titre">{escape(titre)}</title>',
    ]
    # Graduations horizontales : 0, moitié, maximum.
    for fraction in (0, 0.5, 1):
        y = marge_h + zone_h * (1 - fraction)
        tirets = "" if fraction == 0 else ' stroke-dasharray="4 3"'
        morceaux.append(
            f'<line x1="{marge_g}" y1="{y:.1f}" x2="{largeur - marge_d}" y2="{y:.1f}" stroke="#b0b0b0" '
            f'stroke-width="1"{tirets}/>'
        )
        morceaux.append(
            f'<text x="{marge_g - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#333">'
            f"{_nombre(haut * fraction)}</text>"
        )
    etiquette_tous = max(1, round(n / 12))  # au plus ~12 étiquettes de mois
    for i, ((mois, _), v) in enumerate(zip(serie, valeurs, strict=True)):
        h = zone_h * v / haut
        x = marge_g + i * pas + (pas - barre) / 2
        y = marge_h + zone_h - h
        morceaux.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{barre:.1f}" height="{h:.1f}" fill="{COULEUR}">'
            f"<title>{escape(libelle_mois(mois))} : {escape(_avec_unite(v, unite))}</title></rect>"
        )
        if i % etiquette_tous == 0:
            morceaux.append(
                f'<text x="{x + barre / 2:.1f}" y="{hauteur - marge_b + 16}" text-anchor="middle" font-size="11" '
                f'fill="#333">{escape(libelle_mois(mois))}</text>'
            )
    morceaux.append("</svg>")
    return mark_safe("".join(morceaux))  # noqa: S308 - toutes les données textuelles sont échappées ci-dessus

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


@register.filter
def nombre(valeur):
    """« 23 239 » : séparateur de milliers (espace insécable) ; tout autre contenu tel quel."""
    return francais.nombre(valeur)


@register.filter
def compte(n, formes):
    """{{ n|compte:"forum" }} → « 1 forum », « 1 234 forums » ; {{ n|compte:"place occupée" }} ;
    pluriel irrégulier : {{ n|compte:"mise à jour,mises à jour" }}."""
    singulier, _, pluriel_ = formes.partition(",")
    try:
        n = len(n) if hasattr(n, "__len__") else int(n)
    except (TypeError, ValueError):
        return ""
    return francais.compte(n, singulier, pluriel_ or None)


@register.filter
def accorde(unite, valeur):
    """L'unité d'un chiffre accordée à sa valeur : {{ "contrats"|accorde:1 }} → « contrat », « 0 personne »,
    « 2 personnes » ; « % », « € » et les unités de plusieurs mots restent telles quelles."""
    unite = str(unite or "")
    try:
        pluriel_ = francais.est_pluriel(float(valeur))
    except (TypeError, ValueError):
        return unite
    if pluriel_ or " " in unite or not unite.endswith("s") or len(unite) < 3:
        return unite
    return unite[:-1]


@register.filter
def genre(mot, civilite):
    """{{ "né"|genre:personne.civilite }} → « née » (Madame), « né » (Monsieur), « né(e) » (civilité inconnue)."""
    return francais.genre(str(mot), civilite)


@register.filter
def euros(valeur, vide="—"):
    """{{ montant|euros }} → « 1 234,50 € » (le seul format des montants à l'écran) ; « — » si absent ou pas un
    nombre, ou le texte donné : {{ montant|euros:"" }}."""
    return francais.euros(valeur, vide=vide)

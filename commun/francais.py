"""Petites règles du français pour les textes composés : élision de « de » et « le » devant une voyelle ou un
h muet (« Commune d'Amilly », « bassin d'Orléans », « à l'hôtellerie »)."""

import unicodedata

# Mots en h aspiré courants dans nos libellés : pas d'élision (« de Hérouville » garde son « de »).
H_ASPIRE = ("haut", "hall", "hameau", "hangar", "halle", "hérisson", "hêtre")


def _sans_accent(texte):
    return "".join(c for c in unicodedata.normalize("NFD", texte) if unicodedata.category(c) != "Mn")


def elide(mot: str) -> bool:
    """Vrai si un article ou « de » s'élide devant `mot` (voyelle, y, ou h muet)."""
    mot = (mot or "").strip()
    if not mot:
        return False
    simple = _sans_accent(mot).lower()
    if simple.startswith("h"):
        return not simple.startswith(H_ASPIRE)
    return simple[0] in "aeiouy"


def est_pluriel(nombre) -> bool:
    """Accord à la française : singulier pour 0 et 1 (« 0 place libre », « 1 contrat »), pluriel dès 2."""
    return abs(nombre) >= 2


def e_final(civilite: str) -> str:
    """La marque du féminin d'un participe ou d'un adjectif régulier, selon la civilité de la personne :
    « e » pour Madame, rien pour Monsieur, « (e) » si la civilité n'est pas connue (« attendu(e) »)."""
    return {"MME": "e", "M": ""}.get(civilite or "", "(e)")


def genre(mot: str, civilite: str) -> str:
    """« inscrite » pour Madame, « inscrit » pour Monsieur, « inscrit(e) » sinon (mots qui prennent un e)."""
    return f"{mot}{e_final(civilite)}"


def jours(nombre: int) -> str:
    """« 1 jour », « 12 jours »."""
    return f"{nombre} jour{'s' if est_pluriel(nombre) else ''}"


def de(mot: str) -> str:
    """« de Gien », « d'Orléans », « d'Amilly »."""
    return f"d'{mot}" if elide(mot) else f"de {mot}"


def le(mot: str, feminin: bool = False) -> str:
    """« l'hôtellerie », « le bâtiment », « la propreté »."""
    if elide(mot):
        return f"l'{mot}"
    return f"{'la' if feminin else 'le'} {mot}"

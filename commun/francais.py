"""Petites règles du français pour les textes composés : élision de « de » et « le » devant une voyelle ou un
h muet (« Commune d'Amilly », « bassin d'Orléans », « à l'hôtellerie ») ; accord en nombre (« 1 contrat ») et en
genre selon la civilité (« inscrite ») ; séparateur de milliers (« 23 239 ») ; montants en euros
(« 1 234,50 € », le seul format des montants à l'écran) ; ordre alphabétique français (clé de tri et collation
« francais » de SQLite, la même que la collation ICU de PostgreSQL)."""

import functools
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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
    return compte(nombre, "jour")


def nombre(valeur) -> str:
    """Un entier avec son séparateur de milliers (espace insécable, celle du format français de Django) :
    « 23 239 », « 1 250 000 » ; les autres valeurs telles quelles."""
    from django.utils.formats import number_format

    if isinstance(valeur, bool) or not isinstance(valeur, int):
        return str(valeur)
    return number_format(valeur, decimal_pos=0, use_l10n=True, force_grouping=True)


ESPACE_FINE = "\u202f"  # espace fine insécable : séparateur des milliers d'un montant
ESPACE_INSECABLE = "\u00a0"  # espace insécable : entre le nombre et « € »


def _decimal(valeur) -> Decimal | None:
    """La valeur en Decimal (Decimal, int, float ou chaîne numérique), None si elle n'est pas un nombre fini."""
    if valeur is None or isinstance(valeur, bool):
        return None
    try:
        nombre_ = valeur if isinstance(valeur, Decimal) else Decimal(str(valeur).strip())
    except (InvalidOperation, TypeError, ValueError):
        return None
    return nombre_ if nombre_.is_finite() else None


def montant(valeur, decimales: int = 2) -> str | None:
    """Le nombre d'un montant à la française, sans symbole : « 1 234,50 » (espace fine insécable pour les
    milliers, virgule décimale, `decimales` chiffres après la virgule, arrondi au plus proche, la moitié vers le
    haut comme les calculs de montants) ; « -12,00 » garde son signe. Accepte Decimal, int, float et chaîne
    numérique ; None pour une valeur absente ou qui n'est pas un nombre."""
    nombre_ = _decimal(valeur)
    if nombre_ is None:
        return None
    try:
        arrondi = nombre_.quantize(Decimal(1).scaleb(-decimales), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # plus de chiffres que la précision décimale n'en tient
        return None
    if not arrondi:
        arrondi = arrondi.copy_abs()  # « 0,00 », jamais « -0,00 »
    return f"{arrondi:,.{decimales}f}".replace(",", ESPACE_FINE).replace(".", ",")


def euros(valeur, vide: str = "—") -> str:
    """Un montant en euros, le même partout à l'écran : « 1 234,50 € » (espace fine insécable pour les milliers,
    deux décimales, espace insécable avant « € »). `vide` pour une valeur absente, vide ou qui n'est pas un
    nombre. Pas pour les exports : une cellule exportée garde le nombre."""
    texte = montant(valeur)
    return vide if texte is None else f"{texte}{ESPACE_INSECABLE}€"


def millions_euros(valeur, vide: str = "—") -> str:
    """Un montant en millions d'euros, une décimale : 87 900 000 → « 87,9 M€ » (mêmes espaces que `euros`)."""
    nombre_ = _decimal(valeur)
    texte = None if nombre_ is None else montant(nombre_ / 1_000_000, decimales=1)
    return vide if texte is None else f"{texte}{ESPACE_INSECABLE}M€"


# Mots qui ne prennent pas la marque du pluriel quand `compte` la devine.
_INVARIABLES = {"à", "au", "de", "du", "des", "en", "et", "ou", "sur", "pas", "encore", "déjà", "le", "la", "les"}


def au_pluriel(expression: str) -> str:
    """Pluriel régulier mot à mot : « commune créée » → « communes créées », « doublon probable » → « doublons
    probables ». Les mots en s, x, z et les petits mots restent tels quels ; pour les autres cas (« mise à jour »,
    un verbe), donnez le pluriel à `compte`."""
    mots = expression.split(" ")
    return " ".join(
        m if (not m or m[-1] in "sxz" or m.lower() in _INVARIABLES or "'" in m or m[-1] in ".,;:)") else m + "s"
        for m in mots
    )


def compte(n, singulier: str, pluriel: str | None = None) -> str:
    """« 0 commune créée », « 1 commune créée », « 325 communes créées », « 23 239 personnes »."""
    forme = (pluriel or au_pluriel(singulier)) if est_pluriel(n) else singulier
    return f"{nombre(n)} {forme}"


def de(mot: str) -> str:
    """« de Gien », « d'Orléans », « d'Amilly »."""
    return f"d'{mot}" if elide(mot) else f"de {mot}"


def le(mot: str, feminin: bool = False) -> str:
    """« l'hôtellerie », « le bâtiment », « la propreté »."""
    if elide(mot):
        return f"l'{mot}"
    return f"{'la' if feminin else 'le'} {mot}"


# Ordre alphabétique français pour les noms (personnes, communes, structures) : « Châlette » avant « Chuelles »,
# « BÈGUE » avant « BRUNET ». Sur PostgreSQL, la collation ICU française du même nom (migration
# referentiel 0003) ; sur SQLite, la fonction ci-dessous, enregistrée à chaque connexion (commun.apps).
COLLATION = "francais"

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


# Ordre des accents au deuxième niveau, celui d'ICU (DUCET) : e < é < è < ê < ë ; c < ç.
_ORDRE_ACCENTS = {
    c: rang
    for rang, c in enumerate("\u0301\u0300\u0306\u0302\u030c\u030a\u0308\u030b\u0303\u0307\u0327\u0328\u0304", 1)
}


def _accents(texte):
    """Pour chaque lettre, le rang de ses accents (0 sans accent) : deuxième niveau de la comparaison."""
    rangs = []
    for c in unicodedata.normalize("NFD", texte):
        if unicodedata.category(c) == "Mn":
            if rangs:
                rangs[-1] = rangs[-1] * 100 + _ORDRE_ACCENTS.get(c, 99)
        else:
            rangs.append(0)
    return tuple(rangs)


def cle_de_tri(texte: str):
    """Clé de tri à la française, au plus près de la collation ICU « fr » : d'abord les lettres sans accents ni
    casse, puis les accents lettre à lettre (é avant è avant ê), puis la casse (minuscule d'abord) ; deux textes
    différents ne sont jamais égaux (la collation sert aussi aux contraintes d'unicité de SQLite)."""
    texte = texte or ""
    developpe = texte.translate(_LIGATURES)
    return (_sans_accent(developpe).casefold(), _accents(developpe.casefold()), developpe.swapcase(), texte)


def comparer(a: str, b: str) -> int:
    """Comparaison à trois issues (-1, 0, 1) pour sqlite3.Connection.create_collation."""
    ca, cb = _cle_memorisee(a), _cle_memorisee(b)
    return (ca > cb) - (ca < cb)


@functools.lru_cache(maxsize=65_536)
def _cle_memorisee(texte):
    return cle_de_tri(texte)


def enregistrer_collation_sqlite(sender, connection, **kwargs):
    """Signal connection_created : la collation « francais » existe sur chaque connexion SQLite."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(COLLATION, comparer)

"""Retrouver une commune du référentiel d'après ce qu'écrivent les listes réelles.

Tolère « ST »/« SAINT », traits d'union et espaces, accents et casse, la mention CEDEX, les arrondissements de
Paris, Lyon et Marseille (« 75007 PARIS », « PARIS 7E », « LYON 03 », code INSEE d'arrondissement 75107).
Ne choisit jamais en silence : un code postal qui contredit la commune, une commune inconnue ou ambiguë rendent
une commune vide et un avertissement.
"""

import re
import unicodedata
from dataclasses import dataclass

from .models import Commune

RE_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
RE_CP_VILLE = re.compile(r"^\s*(\d{5})\s*[-–,/]?\s*(.*)$")
RE_CEDEX = re.compile(r"\bcedex\b(\s*\d+)?")
RE_ARRONDISSEMENT = re.compile(r"^(paris|lyon|marseille)(?:\s+(\d{1,2})\s*(?:e|er|eme|ieme)?)?(?:\s+arrondissement)?$")
# Communes à arrondissements : code INSEE de la commune, et codes INSEE des arrondissements municipaux.
VILLES_A_ARRONDISSEMENTS = {
    "paris": ("75056", range(75101, 75121)),
    "lyon": ("69123", range(69381, 69390)),
    "marseille": ("13055", range(13201, 13217)),
}
ABREVIATIONS = {"st": "saint", "ste": "sainte"}


def cle_commune(nom):
    """Clé de comparaison d'un nom de commune : sans accents ni casse, mots séparés d'une espace."""
    decompose = unicodedata.normalize("NFKD", str(nom or ""))
    texte = "".join(c for c in decompose if not unicodedata.combining(c)).lower()
    texte = RE_CEDEX.sub(" ", re.sub(r"[^a-z0-9]+", " ", texte))
    cle = " ".join(ABREVIATIONS.get(m, m) for m in texte.split())
    m = RE_ARRONDISSEMENT.match(cle)
    return m[1] if m else cle


def separer_cp_ville(texte):
    """« 45000 ORLEANS » -> ("45000", "ORLEANS") ; sans code postal en tête -> ("", texte)."""
    m = RE_CP_VILLE.match(texte or "")
    if m:
        return m[1], m[2].strip()
    return "", (texte or "").strip()


@dataclass
class Resultat:
    commune: Commune | None
    avertissement: str = ""


class IndexCommunes:
    """Tout le référentiel en mémoire (une requête) : aucune requête par ligne."""

    def __init__(self, communes=None):
        if communes is None:
            communes = Commune.objects.only("pk", "code_insee", "nom", "codes_postaux", "bassin_emploi_id")
        self.par_insee, self.par_nom, self.par_cp = {}, {}, {}
        self.deja = {}  # une liste répète les mêmes communes : chaque écriture n'est résolue qu'une fois
        for commune in communes:
            self.par_insee[commune.code_insee] = commune
            self.par_nom.setdefault(cle_commune(commune.nom), []).append(commune)
            for cp in commune.liste_codes_postaux():
                self.par_cp.setdefault(cp, []).append(commune)
        for code, arrondissements in VILLES_A_ARRONDISSEMENTS.values():
            if code in self.par_insee:
                for numero in arrondissements:
                    self.par_insee.setdefault(str(numero), self.par_insee[code])

    def trouver(self, *, insee="", nom="", cp=""):
        cle = (insee, nom, cp)
        if cle not in self.deja:
            self.deja[cle] = self._trouver(insee, nom, cp)
        return self.deja[cle]

    def _trouver(self, insee, nom, cp):
        insee, nom, cp = (insee or "").strip().upper(), (nom or "").strip(), (cp or "").strip()
        if RE_INSEE.match(nom) and not insee and nom not in self.par_cp:
            insee, nom = nom, ""
        if not cp and nom:
            cp, nom = separer_cp_ville(nom)
        cedex = bool(RE_CEDEX.search(nom.lower()))
        libelle = " ".join(p for p in (cp, nom) if p)
        if insee:
            return self._par_insee(insee.zfill(5), cp, cedex)
        if nom:
            return self._par_nom(nom, cp, cedex, libelle)
        if cp:
            return self._par_cp(cp)
        return Resultat(None, "commune manquante")

    def _par_insee(self, insee, cp, cedex):
        commune = self.par_insee.get(insee)
        if commune is None:
            return Resultat(None, f"code INSEE « {insee} » hors du référentiel")
        return self._verifier_cp(commune, cp, cedex)

    def _verifier_cp(self, commune, cp, cedex):
        if cp and not cedex and cp not in commune.liste_codes_postaux():
            return Resultat(None, f"le code postal {cp} ne correspond pas à {commune.nom}")
        return Resultat(commune)

    def _par_nom(self, nom, cp, cedex, libelle):
        candidates = self.par_nom.get(cle_commune(nom), [])
        if not candidates:
            return Resultat(None, f"commune « {libelle} » hors du référentiel")
        if len(candidates) == 1:
            return self._verifier_cp(candidates[0], cp, cedex)
        if cp:
            retenues = [c for c in candidates if cp in c.liste_codes_postaux()]
            if len(retenues) == 1:
                return Resultat(retenues[0])
            if not retenues and not cedex:
                return Resultat(None, f"le code postal {cp} ne correspond à aucune commune « {nom} »")
        return Resultat(None, f"commune « {libelle} » ambiguë : précisez le code postal ou le code INSEE")

    def _par_cp(self, cp):
        candidates = self.par_cp.get(cp, [])
        if len(candidates) == 1:
            return Resultat(candidates[0])
        if not candidates:
            return Resultat(None, f"code postal « {cp} » hors du référentiel")
        return Resultat(None, f"code postal « {cp} » partagé par plusieurs communes : précisez la commune")

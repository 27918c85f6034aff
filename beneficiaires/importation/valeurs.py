"""Contrôle de chaque ligne, champ par champ.

Seul ce qui identifie une personne peut rejeter une ligne : numéro allocataire (et organisme), nom, prénoms,
date de naissance. Une valeur facultative illisible (e-mail, téléphone, civilité, référent inconnu, commune hors
du référentiel...) n'est pas reprise : la personne est importée sans elle, avec un avertissement pour la ligne et
le champ.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.core.exceptions import ValidationError
from stdnum.fr import nir as stdnum_nir

from referentiel.recherche import separer_cp_ville

from ..models import Civilite, Organisme, Orientation, Role, normaliser
from ..validateurs import normaliser_email, normaliser_telephone
from .colonnes import normaliser_entete
from .erreurs import Rejet

ROLES = {
    "dem": Role.DEM,
    "demandeur": Role.DEM,
    "allocataire": Role.DEM,
    "cjt": Role.CJT,
    "conjoint": Role.CJT,
    "conjointe": Role.CJT,
    "enf": Role.ENF,
    "enfant": Role.ENF,
    "aut": Role.AUT,
    "autre": Role.AUT,
    "autre personne": Role.AUT,
}
CIVILITES = {
    "m": Civilite.MONSIEUR,
    "mr": Civilite.MONSIEUR,
    "monsieur": Civilite.MONSIEUR,
    "homme": Civilite.MONSIEUR,
    "h": Civilite.MONSIEUR,
    "1": Civilite.MONSIEUR,
    "mme": Civilite.MADAME,
    "madame": Civilite.MADAME,
    "mlle": Civilite.MADAME,
    "melle": Civilite.MADAME,
    "mademoiselle": Civilite.MADAME,
    "femme": Civilite.MADAME,
    "f": Civilite.MADAME,
    "2": Civilite.MADAME,
}
ORIENTATIONS = {
    "pro": Orientation.PROFESSIONNELLE,
    "professionnelle": Orientation.PROFESSIONNELLE,
    "emploi": Orientation.PROFESSIONNELLE,
    "france travail": Orientation.PROFESSIONNELLE,
    "pole emploi": Orientation.PROFESSIONNELLE,
    "socio pro": Orientation.SOCIO_PRO,
    "socio professionnelle": Orientation.SOCIO_PRO,
    "socioprofessionnelle": Orientation.SOCIO_PRO,
    "sociale": Orientation.SOCIALE,
    "social": Orientation.SOCIALE,
}
OUI = {"oui", "o", "1", "vrai", "true", "x", "y", "yes"}
NON = {"non", "n", "0", "faux", "false", "no"}

RE_PREFIXE = re.compile(r"^\s*(CAF|MSA)[\s:\-/#n°]*", re.IGNORECASE)
RE_DATE_FR = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
RE_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")


class Avertissement(Exception):
    """Valeur facultative non reprise : la ligne est importée sans elle."""


@dataclass
class LigneLue:
    numero: int
    numero_allocataire: str
    organisme: str
    role: str
    valeurs_foyer: dict
    valeurs_personne: dict
    avertissements: list = field(default_factory=list)  # [(libellé du champ, message)]

    @cached_property
    def identite(self):
        p = self.valeurs_personne
        return (normaliser(p["nom"]), normaliser(p["prenoms"]), p["date_naissance"])

    @property
    def cle(self):
        return (self.numero_allocataire, self.organisme, *self.identite)


@dataclass
class Contexte:
    communes: object  # referentiel.recherche.IndexCommunes
    referents: dict  # e-mail en minuscules -> User
    aujourd_hui: date


def texte(valeurs, champ):
    return " ".join(str(valeurs.get(champ, "") or "").split())


def lire_date(valeur, libelle):
    if isinstance(valeur, date):
        return valeur
    brut = str(valeur).strip()
    for motif, ordre in ((RE_DATE_FR, (3, 2, 1)), (RE_DATE_ISO, (1, 2, 3))):
        m = motif.match(brut)
        if m:
            try:
                return date(int(m[ordre[0]]), int(m[ordre[1]]), int(m[ordre[2]]))
            except ValueError:
                break
    raise Rejet(f"{libelle} « {brut} » invalide (jj/mm/aaaa attendu)")


# --- Identité : peut rejeter la ligne --------------------------------------------------------------------


def lire_foyer(valeurs):
    brut = str(valeurs.get("numero_allocataire", "") or "").strip()
    organisme = ""
    prefixe = RE_PREFIXE.match(brut)
    if prefixe:
        organisme, brut = prefixe.group(1).upper(), brut[prefixe.end() :]
    numero = re.sub(r"[\s.\-]", "", brut)
    if not numero:
        raise Rejet("numéro allocataire vide")
    if len(numero) > 20 or not numero.isalnum():
        raise Rejet(f"numéro allocataire « {brut} » invalide")
    colonne = texte(valeurs, "organisme").upper()
    if colonne and colonne not in Organisme.values:
        raise Rejet(f"organisme « {colonne} » inconnu (CAF ou MSA) : le numéro allocataire ne peut être rattaché")
    return numero, colonne or organisme or Organisme.CAF


def lire_identite(valeurs, aujourd_hui):
    nom, prenoms = texte(valeurs, "nom"), texte(valeurs, "prenoms")
    for valeur, libelle, longueur in ((nom, "nom", 100), (prenoms, "prénoms", 150)):
        if not valeur:
            raise Rejet(f"{libelle} vide")
        if len(valeur) > longueur:
            raise Rejet(f"{libelle} trop long ({len(valeur)} caractères, {longueur} au plus)")
    brut = valeurs.get("date_naissance", "")
    if brut in ("", None):
        raise Rejet("date de naissance vide")
    naissance = lire_date(brut, "date de naissance")
    if naissance < date(1900, 1, 1) or naissance > aujourd_hui:
        raise Rejet(f"date de naissance {naissance:%d/%m/%Y} impossible")
    return {"nom": nom, "prenoms": prenoms, "date_naissance": naissance}


# --- Champs facultatifs : un avertissement au pire --------------------------------------------------------


def _choix(table, brut, attendu):
    code = table.get(normaliser_entete(brut)) or table.get(normaliser(brut).rstrip("."))
    if code is None:
        raise Avertissement(f"« {brut} » non reconnu ({attendu}), non repris")
    return code


def _longueur(longueur):
    def lire(brut, _ctx):
        if len(brut) > longueur:
            raise Avertissement(f"trop long ({len(brut)} caractères, {longueur} au plus), non repris")
        return brut

    return lire


def _email(brut, _ctx):
    try:
        return normaliser_email(brut)
    except ValidationError as exc:
        raise Avertissement(f"« {brut} » non reconnu, non repris") from exc


def _telephone(brut, _ctx):
    try:
        return normaliser_telephone(brut)
    except ValidationError as exc:
        raise Avertissement(f"« {brut} » non reconnu, non repris") from exc


def _referent(brut, ctx):
    utilisateur = ctx.referents.get(brut.lower())
    if utilisateur is None:
        raise Avertissement(f"aucun référent actif n'a l'e-mail « {brut} », non repris")
    return utilisateur


def _booleen(brut, _ctx):
    valeur = normaliser(brut)
    if valeur in OUI:
        return True
    if valeur in NON:
        return False
    raise Avertissement(f"« {brut} » non reconnu (oui ou non), non repris")


def _date(brut, _ctx):
    try:
        return lire_date(brut, "date")
    except Rejet as exc:
        raise Avertissement(f"« {brut} » non reconnue (jj/mm/aaaa), non reprise") from exc


def _etat_droit(brut, _ctx):
    if not re.fullmatch(r"[0-6]", brut):
        raise Avertissement(f"« {brut} » invalide (0 à 6), non repris")
    return int(brut)


def _nir(brut, _ctx):
    try:
        return stdnum_nir.validate(brut)
    except Exception as exc:  # noqa: BLE001 - stdnum lève plusieurs classes d'erreur de format
        raise Avertissement(f"« {brut} » invalide (15 chiffres et clé), non repris") from exc


# champ de l'import -> (libellé du rapport, lecture, destination "personne" ou "foyer", champ du modèle)
FACULTATIFS = {
    "civilite": ("civilité", lambda b, _c: _choix(CIVILITES, b, "M. ou Mme"), "personne", "civilite"),
    "nom_naissance": ("nom de naissance", _longueur(100), "personne", "nom_naissance"),
    "sdd": ("SDD", _booleen, "personne", "soumis_droits_devoirs"),
    "adresse": ("adresse", _longueur(250), "personne", "adresse"),
    "telephone": ("téléphone", _telephone, "personne", "telephone"),
    "email": ("e-mail", _email, "personne", "email"),
    "orientation": (
        "orientation",
        lambda b, _c: _choix(ORIENTATIONS, b, "professionnelle, socioprofessionnelle ou sociale"),
        "personne",
        "orientation",
    ),
    "date_orientation": ("date d'orientation", _date, "personne", "date_orientation"),
    "referent": ("référent", _referent, "personne", "referent"),
    "identifiant_externe": ("identifiant externe", _longueur(50), "personne", "identifiant_externe"),
    "nir": ("NIR", _nir, "personne", "nir"),
    "etat_droit": ("état du droit", _etat_droit, "foyer", "etat_droit"),
    "date_ouverture_droit": ("date d'ouverture du droit", _date, "foyer", "date_ouverture_droit"),
}


def lire_role(valeurs, avertissements):
    brut = texte(valeurs, "role")
    if not brut:
        return Role.DEM  # une liste sans rôle ne donne que les demandeurs
    role = ROLES.get(normaliser(brut))
    if role is None:
        avertissements.append(("rôle", f"« {brut} » non reconnu (DEM, CJT, ENF ou AUT), demandeur retenu"))
        return Role.DEM
    return role


def lire_commune(valeurs, ctx, avertissements):
    """La commune du référentiel, ou None (adresse à vérifier) avec le libellé brut et un avertissement."""
    cp, ville = texte(valeurs, "code_postal"), texte(valeurs, "commune")
    combine = texte(valeurs, "cp_ville")
    if combine:
        cp_combine, ville_combine = separer_cp_ville(combine)
        cp, ville = cp or cp_combine, ville or ville_combine
    insee = texte(valeurs, "code_insee")
    resultat = ctx.communes.trouver(insee=insee, nom=ville, cp=cp)
    if resultat.commune is not None:
        return resultat.commune, ""
    brut = " ".join(p for p in (cp, ville or insee) if p)[:250]
    avertissements.append(("commune", f"{resultat.avertissement} : adresse à vérifier, personne à rattacher"))
    return None, brut


def lire_ligne(numero, valeurs, ctx):
    """Contrôle une ligne ; rend LigneLue (avec ses avertissements) ou lève Rejet avec la raison en français."""
    numero_allocataire, organisme = lire_foyer(valeurs)
    personne = lire_identite(valeurs, ctx.aujourd_hui)
    avertissements = []
    role = lire_role(valeurs, avertissements)
    foyer = {}
    commune, brut = lire_commune(valeurs, ctx, avertissements)
    if commune is not None:
        personne["commune"] = foyer["commune"] = commune
    elif brut:
        personne["adresse_brute"] = brut
    for champ, brut in valeurs.items():
        if champ not in FACULTATIFS:
            continue
        libelle, lecture, destination, attribut = FACULTATIFS[champ]
        brut = brut if isinstance(brut, date) else " ".join(str(brut or "").split())
        if brut in ("", None):
            continue
        try:
            valeur = lecture(brut, ctx)
        except Avertissement as exc:
            avertissements.append((libelle, str(exc)))
            continue
        (personne if destination == "personne" else foyer)[attribut] = valeur
    return LigneLue(numero, numero_allocataire, organisme, role, foyer, personne, avertissements)

"""Import des listes de foyers RSA (CSV ou XLSX) : lecture, reconnaissance des colonnes, contrôle de chaque
ligne, puis mise à jour du registre en opérations groupées.

Utilisé par la commande `importer_beneficiaires` et par la page d'import. Le format est décrit dans
docs/formats.md. Règles :
- clé d'une personne : (numéro allocataire, organisme, rôle, nom, prénoms, date de naissance), nom et prénoms
  comparés sans accents ni casse ; clé d'un foyer : (numéro allocataire, organisme) ;
- une ligne invalide est rejetée avec son numéro et la raison ; les lignes valides sont importées ensemble,
  dans une seule transaction ; un fichier illisible n'écrit rien ;
- un foyer absent de la liste n'est ni supprimé ni modifié ; une cellule vide n'efface pas une valeur connue ;
- aucune requête par ligne : tout est lu d'avance par paquets, écrit par bulk_create / bulk_update, avec
  l'historique (django-simple-history) de chaque création et de chaque modification.
"""

import csv
import io
import re
import time
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from commun.versions import ecritures_en_masse
from comptes.models import Role as RoleUtilisateur
from comptes.models import User
from referentiel.models import Commune

from .models import (
    Beneficiaire,
    Civilite,
    CorrespondanceColonnes,
    Foyer,
    Organisme,
    Orientation,
    Role,
    normaliser,
)

TAILLE_PAQUET = 1000  # taille des paquets de lecture (IN) et d'écriture (bulk)
TAILLE_PAQUET_MAJ = 250  # bulk_update écrit un CASE par champ : des paquets plus petits vont plus vite
CHAMPS_RECHERCHE = {"nom", "nom_naissance", "prenoms"}

# Champs de l'import : code -> libellé (affiché sur la page de correspondance et dans docs/formats.md).
CHAMPS = {
    "numero_allocataire": "Numéro allocataire",
    "organisme": "Organisme (CAF/MSA)",
    "etat_droit": "État du droit (0 à 6)",
    "sdd": "Soumis aux droits et devoirs (SDD)",
    "role": "Rôle (DEM, CJT, ENF, AUT)",
    "civilite": "Civilité",
    "nom": "Nom",
    "nom_naissance": "Nom de naissance",
    "prenoms": "Prénoms",
    "date_naissance": "Date de naissance",
    "adresse": "Adresse",
    "code_postal": "Code postal",
    "commune": "Commune (nom ou code INSEE)",
    "code_insee": "Code INSEE de la commune",
    "cp_ville": "Code postal et ville (colonne combinée)",
    "telephone": "Téléphone",
    "email": "E-mail",
    "date_ouverture_droit": "Date d'ouverture du droit",
    "orientation": "Orientation",
    "date_orientation": "Date d'orientation",
    "referent": "Référent (e-mail)",
}
OBLIGATOIRES = ("numero_allocataire", "nom", "prenoms", "date_naissance")

# En-têtes usuels (normalisés : minuscules, sans accents, ponctuation remplacée par des espaces).
_VARIANTES = {
    "numero_allocataire": [
        "numero allocataire",
        "n allocataire",
        "no allocataire",
        "num allocataire",
        "numero d allocataire",
        "n caf",
        "no caf",
        "num caf",
        "numero caf",
        "n de caf",
        "matricule",
        "matricule caf",
        "n dossier",
        "numero dossier",
        "numero de dossier",
        "numdemrsa",
        "numero allocataire caf",
        "n allocataire caf",
        "allocataire",
        "matricule msa",
        "n msa",
    ],
    "organisme": ["organisme", "organisme payeur", "org", "caf msa", "caf ou msa", "payeur"],
    "etat_droit": [
        "etat du droit",
        "etat droit",
        "etat",
        "etat de droit",
        "code etat droit",
        "etatdosrsa",
        "etat dossier",
    ],
    "sdd": [
        "sdd",
        "soumis droits et devoirs",
        "soumis aux droits et devoirs",
        "droits et devoirs",
        "toppersdrodevorsa",
        "soumis dd",
        "sdd o n",
    ],
    "role": ["role", "role dans le foyer", "role personne", "rolepers", "qualite dans le foyer"],
    "civilite": ["civilite", "qual", "titre"],
    "nom": [
        "nom",
        "nom d usage",
        "nom usage",
        "nom beneficiaire",
        "nom de famille",
        "nom du beneficiaire",
        "nom usuel",
    ],
    "nom_naissance": ["nom de naissance", "nom naissance", "nom de jeune fille", "nom jeune fille", "nomnai"],
    "prenoms": [
        "prenoms",
        "prenom",
        "prenom beneficiaire",
        "prenoms beneficiaire",
        "prenom du beneficiaire",
        "prenom usuel",
        "prenom1",
    ],
    "date_naissance": ["date de naissance", "date naissance", "ne le", "ne e le", "dtnai", "naissance", "date nais"],
    "adresse": ["adresse", "adresse postale", "voie", "rue", "adresse ligne 1", "libelle voie", "adresse 1"],
    "code_postal": ["code postal", "cp", "codepos", "code post"],
    "commune": ["commune", "ville", "localite", "nom commune", "commune de residence", "libelle commune"],
    "code_insee": ["code insee", "insee", "commune insee", "code commune", "numcom", "code insee commune"],
    "cp_ville": ["cp ville", "code postal ville", "cp commune", "code postal et ville", "cp et ville", "cp localite"],
    "telephone": [
        "telephone",
        "tel",
        "portable",
        "numero de telephone",
        "telephone portable",
        "tel portable",
        "mobile",
    ],
    "email": ["e mail", "email", "courriel", "adresse electronique", "mail", "adresse mail", "adresse e mail"],
    "date_ouverture_droit": [
        "date d ouverture du droit",
        "date ouverture droit",
        "date d ouverture",
        "ouverture du droit",
        "date ouverture du droit",
        "dtdemrsa",
        "date de demande",
        "date ouverture",
    ],
    "orientation": ["orientation", "type d orientation", "type orientation"],
    "date_orientation": ["date d orientation", "date orientation"],
    "referent": [
        "referent",
        "referent unique",
        "e mail referent",
        "email referent",
        "courriel referent",
        "mail referent",
        "referent e mail",
        "referent email",
    ],
}
SYNONYMES = {variante: champ for champ, variantes in _VARIANTES.items() for variante in variantes}

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
    "1": Civilite.MONSIEUR,
    "mme": Civilite.MADAME,
    "madame": Civilite.MADAME,
    "mlle": Civilite.MADAME,
    "mademoiselle": Civilite.MADAME,
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
    "socio_pro": Orientation.SOCIO_PRO,
    "sociale": Orientation.SOCIALE,
    "social": Orientation.SOCIALE,
}
OUI = {"oui", "o", "1", "vrai", "true", "x", "y", "yes"}
NON = {"non", "n", "0", "faux", "false", "no"}

RE_PREFIXE = re.compile(r"^\s*(CAF|MSA)[\s:\-/#n°]*", re.IGNORECASE)
RE_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
RE_CP_VILLE = re.compile(r"^\s*(\d{5})\s*[-–,/]?\s*(.*)$")
RE_DATE_FR = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
RE_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")

MAGIE_XLSX = b"PK\x03\x04"
MAGIE_XLS = b"\xd0\xcf\x11\xe0"


class ImportImpossible(ValidationError):
    """Le fichier ne peut pas être importé du tout : rien n'est écrit."""


class ColonnesARelier(ImportImpossible):
    """Des colonnes obligatoires manquent : la page d'import demande la correspondance."""

    def __init__(self, message, *, analyse):
        super().__init__(message)
        self.analyse = analyse


# --- Lecture ---------------------------------------------------------------------------------------------


def normaliser_entete(entete):
    texte = normaliser(str(entete or ""))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", texte).split())


def verifier_fichier(contenu):
    """Contrôle la taille et le type réel (d'après le contenu) ; rend "xlsx" ou "csv"."""
    taille_max = settings.IMPORT_TAILLE_MAX
    if len(contenu) > taille_max:
        raise ImportImpossible(
            f"Le fichier dépasse la taille autorisée ({taille_max // (1024 * 1024)} Mo). "
            "Découpez la liste en plusieurs fichiers."
        )
    if not contenu.strip():
        raise ImportImpossible("Le fichier est vide.")
    if contenu.startswith(MAGIE_XLS):
        raise ImportImpossible(
            "Ce fichier est au format Excel 97-2003 (.xls) : enregistrez-le en classeur Excel (.xlsx) ou en CSV."
        )
    if contenu.startswith(MAGIE_XLSX):
        try:
            with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
                if "xl/workbook.xml" not in archive.namelist():
                    raise ImportImpossible("Cette archive n'est pas un classeur Excel (.xlsx).")
        except zipfile.BadZipFile as exc:
            raise ImportImpossible("Le classeur Excel est endommagé et ne peut pas être lu.") from exc
        return "xlsx"
    debut = contenu[:8192]
    controles = sum(1 for octet in debut if octet < 9 or 13 < octet < 32 or octet == 127)
    if b"\x00" in debut or contenu.startswith(b"%PDF") or controles > len(debut) // 200:
        raise ImportImpossible("Le fichier n'est ni un CSV ni un classeur Excel (.xlsx) : il ne peut pas être lu.")
    return "csv"


def decoder(contenu):
    """UTF-8 (avec ou sans BOM), sinon Windows-1252 (le CSV d'Excel sous Windows)."""
    try:
        return contenu.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return contenu.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportImpossible(
            "Encodage du fichier non reconnu : enregistrez-le en CSV UTF-8 ou en CSV Windows (Excel)."
        ) from exc


@dataclass
class Tableau:
    entetes: list
    lignes: list  # [(numéro de ligne dans le fichier, [valeurs])]


def _cellule(valeur):
    if valeur is None:
        return ""
    if isinstance(valeur, datetime):
        return valeur.date()
    if isinstance(valeur, date):
        return valeur
    if isinstance(valeur, float) and valeur.is_integer():
        return str(int(valeur))
    return str(valeur).strip()


def _lire_csv(contenu):
    texte = decoder(contenu)
    premiere = texte.split("\n", 1)[0]
    delimiteur = max([";", ",", "\t"], key=premiere.count)
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=delimiteur)
    entetes, lignes = None, []
    try:
        while True:
            debut = lecteur.line_num + 1
            try:
                valeurs = next(lecteur)
            except StopIteration:
                break
            if not any(v.strip() for v in valeurs):
                continue
            if entetes is None:
                entetes = [v.strip() for v in valeurs]
            else:
                lignes.append((debut, [v.strip() for v in valeurs]))
    except csv.Error as exc:
        raise ImportImpossible(f"Le fichier CSV est mal formé (ligne {lecteur.line_num}) : {exc}.") from exc
    return Tableau(entetes=entetes or [], lignes=lignes)


def _lire_xlsx(contenu):
    from openpyxl import load_workbook

    try:
        classeur = load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl lève des erreurs variées sur un classeur abîmé
        raise ImportImpossible("Le classeur Excel ne peut pas être lu : enregistrez-le à nouveau en .xlsx.") from exc
    try:
        feuille = classeur.worksheets[0]
        entetes, lignes = None, []
        for numero, valeurs in enumerate(feuille.iter_rows(values_only=True), start=1):
            cellules = [_cellule(v) for v in valeurs]
            if not any(c != "" for c in cellules):
                continue
            if entetes is None:
                entetes = [str(c) for c in cellules]
            else:
                lignes.append((numero, cellules))
    finally:
        classeur.close()
    while entetes and entetes[-1] == "":
        entetes.pop()
    return Tableau(entetes=entetes or [], lignes=lignes)


def lire(contenu):
    """Lit le fichier (CSV ou XLSX) ; lève ImportImpossible s'il est illisible."""
    genre = verifier_fichier(contenu)
    tableau = _lire_xlsx(contenu) if genre == "xlsx" else _lire_csv(contenu)
    if not tableau.entetes:
        raise ImportImpossible("Le fichier ne contient pas de ligne d'en-têtes.")
    if not tableau.lignes:
        raise ImportImpossible("Le fichier ne contient aucune ligne de données.")
    return tableau


# --- Reconnaissance des colonnes -------------------------------------------------------------------------


@dataclass
class Analyse:
    entetes: list  # en-têtes tels qu'écrits
    colonnes: dict  # index -> champ
    non_reconnues: list  # en-têtes (normalisés) sans champ ni décision enregistrée
    ignorees: list  # en-têtes ignorés (décision de la source, ou champ déjà fourni par une autre colonne)
    manquants: list  # champs obligatoires non fournis

    @property
    def complete(self):
        return not self.manquants


def correspondances_de(source):
    if not source:
        return {}
    objet = CorrespondanceColonnes.objects.filter(source=source.strip()).first()
    return dict(objet.correspondances) if objet else {}


def analyser_colonnes(entetes, correspondances=None):
    correspondances = correspondances or {}
    colonnes, non_reconnues, ignorees, pris = {}, [], [], set()
    for index, entete in enumerate(entetes):
        cle = normaliser_entete(entete)
        if not cle:
            continue
        if cle in correspondances:
            champ = correspondances[cle] or None
        else:
            champ = SYNONYMES.get(cle)
            if champ is None:
                non_reconnues.append(cle)
                continue
        if champ is None or champ not in CHAMPS or champ in pris:
            ignorees.append(entete)
            continue
        colonnes[index] = champ
        pris.add(champ)
    manquants = [c for c in OBLIGATOIRES if c not in pris]
    if not pris & {"commune", "code_insee", "cp_ville", "code_postal"}:
        manquants.append("commune")
    return Analyse(
        entetes=list(entetes), colonnes=colonnes, non_reconnues=non_reconnues, ignorees=ignorees, manquants=manquants
    )


# --- Contrôle des valeurs --------------------------------------------------------------------------------


class Rejet(Exception):
    pass


def lire_date(valeur, libelle):
    if isinstance(valeur, date):
        return valeur
    texte = valeur.strip()
    m = RE_DATE_FR.match(texte)
    try:
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
        m = RE_DATE_ISO.match(texte)
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        pass
    raise Rejet(f"{libelle} « {texte} » invalide (jj/mm/aaaa attendu)")


def lire_booleen(valeur, libelle):
    texte = normaliser(valeur)
    if texte in OUI:
        return True
    if texte in NON:
        return False
    raise Rejet(f"{libelle} « {valeur} » invalide (oui ou non attendu)")


def formater_telephone(valeur):
    chiffres = re.sub(r"[^\d+]", "", valeur)
    if chiffres.startswith("+33") and len(chiffres) == 12:
        chiffres = "0" + chiffres[3:]
    if re.fullmatch(r"0\d{9}", chiffres):
        return " ".join(chiffres[i : i + 2] for i in range(0, 10, 2))
    if len(chiffres) < 6 or len(chiffres) > 20:
        raise Rejet(f"téléphone « {valeur} » invalide")
    return chiffres


def _cle_commune(nom):
    texte = normaliser_entete(nom)
    texte = re.sub(r"\bcedex\b.*$", "", texte).strip()
    mots = ["saint" if m == "st" else "sainte" if m == "ste" else m for m in texte.split()]
    return " ".join(mots)


class Communes:
    """Résolution des communes sans requête par ligne : tout le référentiel est lu une fois."""

    def __init__(self):
        self.par_insee, self.par_nom, self.par_cp = {}, {}, {}
        for commune in Commune.objects.only("pk", "code_insee", "nom", "codes_postaux", "bassin_emploi_id"):
            self.par_insee[commune.code_insee] = commune
            self.par_nom.setdefault(_cle_commune(commune.nom), []).append(commune)
            for cp in commune.liste_codes_postaux():
                self.par_cp.setdefault(cp, []).append(commune)

    def trouver(self, *, insee="", nom="", cp=""):
        insee, nom, cp = (insee or "").strip(), (nom or "").strip(), (cp or "").strip()
        if insee:
            commune = self.par_insee.get(insee.upper().zfill(5))
            if commune is None:
                raise Rejet(f"commune inconnue : code INSEE « {insee} »")
            return commune
        if RE_INSEE.match(nom) and nom not in self.par_cp:
            commune = self.par_insee.get(nom)
            if commune is None:
                raise Rejet(f"commune inconnue : code INSEE « {nom} »")
            return commune
        if nom:
            candidates = self.par_nom.get(_cle_commune(nom), [])
            if cp and len(candidates) != 1:
                candidates = [c for c in candidates if cp in c.liste_codes_postaux()]
            if len(candidates) == 1:
                return candidates[0]
            if not candidates:
                libelle = f"{cp} {nom}" if cp else nom
                raise Rejet(f"commune inconnue : « {libelle} »")
            raise Rejet(f"commune ambiguë : « {nom} » (précisez le code postal ou le code INSEE)")
        if cp:
            candidates = self.par_cp.get(cp, [])
            if len(candidates) == 1:
                return candidates[0]
            if not candidates:
                raise Rejet(f"commune inconnue : code postal « {cp} »")
            raise Rejet(f"code postal « {cp} » partagé par plusieurs communes : précisez la commune")
        raise Rejet("commune manquante")


@dataclass
class LigneLue:
    numero: int
    numero_allocataire: str
    organisme: str
    role: str
    valeurs_foyer: dict
    valeurs_personne: dict

    @property
    def cle(self):
        p = self.valeurs_personne
        return (
            self.numero_allocataire,
            self.organisme,
            self.role,
            normaliser(p["nom"]),
            normaliser(p["prenoms"]),
            p["date_naissance"],
        )


def _texte(valeurs, champ, libelle, longueur):
    texte = " ".join(str(valeurs.get(champ, "") or "").split())
    if len(texte) > longueur:
        raise Rejet(f"{libelle} trop long ({len(texte)} caractères, {longueur} au plus)")
    return texte


def lire_ligne(numero, valeurs, communes, referents, aujourd_hui):
    """Contrôle une ligne ; rend LigneLue ou lève Rejet avec la raison en français."""
    numero_brut = str(valeurs.get("numero_allocataire", "") or "").strip()
    organisme = ""
    prefixe = RE_PREFIXE.match(numero_brut)
    if prefixe:
        organisme = prefixe.group(1).upper()
        numero_brut = numero_brut[prefixe.end() :]
    numero_allocataire = re.sub(r"[\s.\-]", "", numero_brut)
    if not numero_allocataire:
        raise Rejet("numéro allocataire vide")
    if len(numero_allocataire) > 20 or not numero_allocataire.isalnum():
        raise Rejet(f"numéro allocataire « {numero_brut} » invalide")
    organisme_col = str(valeurs.get("organisme", "") or "").strip().upper()
    if organisme_col:
        if organisme_col not in Organisme.values:
            raise Rejet(f"organisme « {organisme_col} » inconnu (CAF ou MSA)")
        organisme = organisme_col
    organisme = organisme or Organisme.CAF

    role_brut = str(valeurs.get("role", "") or "").strip()
    role = ROLES.get(normaliser(role_brut)) if role_brut else Role.DEM
    if role is None:
        raise Rejet(f"rôle « {role_brut} » inconnu (DEM, CJT, ENF ou AUT)")

    nom = _texte(valeurs, "nom", "nom", 100)
    if not nom:
        raise Rejet("nom vide")
    prenoms = _texte(valeurs, "prenoms", "prénoms", 150)
    if not prenoms:
        raise Rejet("prénom vide")
    brut = valeurs.get("date_naissance", "")
    if brut in ("", None):
        raise Rejet("date de naissance vide")
    date_naissance = lire_date(brut, "date de naissance")
    if date_naissance < date(1900, 1, 1) or date_naissance > aujourd_hui:
        raise Rejet(f"date de naissance {date_naissance:%d/%m/%Y} impossible")

    personne = {"nom": nom, "prenoms": prenoms, "date_naissance": date_naissance}
    foyer = {}

    cp, ville = str(valeurs.get("code_postal", "") or "").strip(), str(valeurs.get("commune", "") or "").strip()
    combine = str(valeurs.get("cp_ville", "") or "").strip()
    if combine:
        m = RE_CP_VILLE.match(combine)
        if m:
            cp, ville = cp or m[1], ville or m[2].strip()
        else:
            ville = ville or combine
    commune = communes.trouver(insee=str(valeurs.get("code_insee", "") or ""), nom=ville, cp=cp)
    personne["commune"] = commune

    nom_naissance = _texte(valeurs, "nom_naissance", "nom de naissance", 100)
    if nom_naissance:
        personne["nom_naissance"] = nom_naissance
    civilite = str(valeurs.get("civilite", "") or "").strip()
    if civilite:
        code = CIVILITES.get(normaliser(civilite).rstrip("."))
        if code is None:
            raise Rejet(f"civilité « {civilite} » inconnue (M. ou Mme)")
        personne["civilite"] = code
    sdd = str(valeurs.get("sdd", "") or "").strip()
    if sdd:
        personne["soumis_droits_devoirs"] = lire_booleen(sdd, "SDD")
    adresse = _texte(valeurs, "adresse", "adresse", 250)
    if adresse:
        personne["adresse"] = adresse
    telephone = str(valeurs.get("telephone", "") or "").strip()
    if telephone:
        personne["telephone"] = formater_telephone(telephone)
    email = str(valeurs.get("email", "") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise Rejet(f"e-mail « {email} » invalide") from exc
        personne["email"] = email[:254]
    orientation = str(valeurs.get("orientation", "") or "").strip()
    if orientation:
        code = ORIENTATIONS.get(normaliser_entete(orientation)) or ORIENTATIONS.get(normaliser(orientation))
        if code is None:
            raise Rejet(f"orientation « {orientation} » inconnue (professionnelle, socioprofessionnelle ou sociale)")
        personne["orientation"] = code
    brut = valeurs.get("date_orientation", "")
    if brut not in ("", None):
        personne["date_orientation"] = lire_date(brut, "date d'orientation")
    referent = str(valeurs.get("referent", "") or "").strip()
    if referent:
        utilisateur = referents.get(referent.lower())
        if utilisateur is None:
            raise Rejet(f"référent inconnu : aucun référent actif n'a l'e-mail « {referent} »")
        personne["referent"] = utilisateur

    etat = str(valeurs.get("etat_droit", "") or "").strip()
    if etat:
        if not re.fullmatch(r"[0-6]", etat):
            raise Rejet(f"état du droit « {etat} » invalide (0 à 6)")
        foyer["etat_droit"] = int(etat)
    brut = valeurs.get("date_ouverture_droit", "")
    if brut not in ("", None):
        foyer["date_ouverture_droit"] = lire_date(brut, "date d'ouverture du droit")
    foyer["commune"] = commune
    return LigneLue(numero, numero_allocataire, organisme, role, foyer, personne)


# --- Bilan -----------------------------------------------------------------------------------------------


@dataclass
class Bilan:
    essai: bool = False
    lignes: int = 0
    crees: int = 0
    modifies: int = 0
    inchanges: int = 0
    foyers_crees: int = 0
    foyers_modifies: int = 0
    rejets: list = field(default_factory=list)  # [(ligne, motif)]
    exemples: list = field(default_factory=list)  # [(ligne, action, personne, détail)]
    colonnes_ignorees: list = field(default_factory=list)
    duree: float = 0.0

    @property
    def rejetes(self):
        return len(self.rejets)

    def en_dict(self):
        return {**asdict(self), "rejetes": self.rejetes}

    def resume(self):
        prefixe = "Essai (rien n'est écrit) : " if self.essai else ""
        return (
            f"{prefixe}{self.lignes} ligne(s) lue(s) : {self.crees} personne(s) créée(s), {self.modifies} mise(s) "
            f"à jour, {self.inchanges} inchangée(s), {self.rejetes} ligne(s) rejetée(s) ; "
            f"{self.foyers_crees} foyer(s) créé(s), {self.foyers_modifies} mis à jour."
        )


MAX_EXEMPLES = 50


# --- Import ----------------------------------------------------------------------------------------------


def _par_paquets(valeurs, taille=TAILLE_PAQUET):
    valeurs = list(valeurs)
    for i in range(0, len(valeurs), taille):
        yield valeurs[i : i + taille]


def _referents():
    return {
        u.email.lower(): u
        for u in User.objects.filter(role=RoleUtilisateur.REFERENT, is_active=True)
        .exclude(email="")
        .only("pk", "email")
    }


def analyser(contenu, *, source="", correspondances=None):
    """Lit le fichier et reconnaît ses colonnes (sans contrôler les lignes)."""
    tableau = lire(contenu)
    if correspondances is None:
        correspondances = correspondances_de(source)
    return tableau, analyser_colonnes(tableau.entetes, correspondances)


def importer(contenu, *, source="", par=None, essai=False, correspondances=None):
    """Importe (ou, en essai, simule) une liste. Rend un Bilan. Lève ImportImpossible si rien n'est importable."""
    debut = time.perf_counter()
    tableau, analyse = analyser(contenu, source=source, correspondances=correspondances)
    if not analyse.complete:
        manquants = ", ".join(CHAMPS[c] for c in analyse.manquants)
        raise ColonnesARelier(f"Colonne(s) obligatoire(s) introuvable(s) : {manquants}.", analyse=analyse)
    bilan = Bilan(essai=essai, lignes=len(tableau.lignes))
    bilan.colonnes_ignorees = [*analyse.ignorees, *analyse.non_reconnues]

    communes, referents, aujourd_hui = Communes(), _referents(), timezone.localdate()
    lues, deja_vues = [], {}
    largeur = len(tableau.entetes)
    for numero, cellules in tableau.lignes:
        if len(cellules) > largeur and any(c != "" for c in cellules[largeur:]):
            bilan.rejets.append((numero, "plus de valeurs que de colonnes (séparateur dans une valeur ?)"))
            continue
        valeurs = {champ: cellules[i] for i, champ in analyse.colonnes.items() if i < len(cellules)}
        try:
            ligne = lire_ligne(numero, valeurs, communes, referents, aujourd_hui)
        except Rejet as exc:
            bilan.rejets.append((numero, str(exc)))
            continue
        cle = ligne.cle
        if cle in deja_vues:
            bilan.rejets.append((numero, f"ligne en double : même personne qu'à la ligne {deja_vues[cle]}"))
            continue
        deja_vues[cle] = numero
        lues.append(ligne)

    with transaction.atomic():
        _appliquer(lues, bilan, source=source, par=par, essai=essai)
        if essai:
            transaction.set_rollback(True)
    bilan.rejets.sort()
    bilan.duree = round(time.perf_counter() - debut, 2)
    return bilan


CHAMPS_FOYER_IMPORT = ("etat_droit", "date_ouverture_droit", "commune")
CHAMPS_PERSONNE_IMPORT = (
    "nom",
    "prenoms",
    "date_naissance",
    "commune",
    "nom_naissance",
    "civilite",
    "soumis_droits_devoirs",
    "adresse",
    "telephone",
    "email",
    "orientation",
    "date_orientation",
    "referent",
)
EXCLUS_VALIDATION = ["foyer", "commune", "referent", "evaluation_courante"]


def _libelle_changement(champ, avant, apres):
    def texte(v):
        if isinstance(v, date):
            return f"{v:%d/%m/%Y}"
        if isinstance(v, bool):
            return "oui" if v else "non"
        return str(v) if v not in (None, "") else "(vide)"

    noms = {f.name: f.verbose_name for f in Beneficiaire._meta.fields}
    return f"{noms.get(champ, champ)} : {texte(avant)} → {texte(apres)}"


def _appliquer(lues, bilan, *, source, par, essai):
    raison = f"Import de la liste « {source or 'sans source'} »"[:100]
    # Foyers : une ligne de référence par foyer (le demandeur s'il figure dans la liste, sinon la première).
    reference = {}
    for ligne in lues:
        cle = (ligne.numero_allocataire, ligne.organisme)
        if cle not in reference or (ligne.role == Role.DEM and reference[cle].role != Role.DEM):
            reference[cle] = ligne
    foyers = {}
    for paquet in _par_paquets({num for num, _ in reference}):
        for foyer in Foyer.objects.filter(numero_allocataire__in=paquet):
            foyers[(foyer.numero_allocataire, foyer.organisme)] = foyer
    foyers_crees, foyers_modifies, champs_foyer = [], [], set()
    for cle, ligne in reference.items():
        foyer = foyers.get(cle)
        if foyer is None:
            foyer = Foyer(numero_allocataire=cle[0], organisme=cle[1], **ligne.valeurs_foyer)
            foyer.date_creation = timezone.now()
            foyers[cle] = foyer
            foyers_crees.append(foyer)
            continue
        changes = [c for c, v in ligne.valeurs_foyer.items() if _valeur(foyer, c) != _cle_valeur(v)]
        if changes:
            for c in changes:
                setattr(foyer, c, ligne.valeurs_foyer[c])
            champs_foyer.update(changes)
            foyers_modifies.append(foyer)
    bilan.foyers_crees, bilan.foyers_modifies = len(foyers_crees), len(foyers_modifies)

    # Personnes déjà connues dans ces foyers, par clé normalisée.
    connus = {}
    foyer_par_id = {f.pk: f for f in foyers.values() if f.pk}
    for paquet in _par_paquets(foyer_par_id):
        for b in Beneficiaire.objects.filter(foyer_id__in=paquet).order_by("pk"):
            b.foyer = foyer_par_id[b.foyer_id]  # déjà lu : pas de requête pour la clé de recherche
            cle = (b.foyer_id, b.role, normaliser(b.nom), normaliser(b.prenoms), b.date_naissance)
            connus.setdefault(cle, b)

    if not essai:
        bulk_create_with_history(
            foyers_crees, Foyer, batch_size=TAILLE_PAQUET, default_user=par, default_change_reason=raison
        )
        if foyers_modifies:
            _mettre_a_jour(foyers_modifies, Foyer, sorted(champs_foyer), par=par, raison=raison)

    a_creer, a_modifier, champs_personne = [], [], set()
    nouveaux_foyers = {id(f) for f in foyers_crees}
    for ligne in lues:
        foyer = foyers[(ligne.numero_allocataire, ligne.organisme)]
        p = ligne.valeurs_personne
        existant = None
        if foyer.pk and id(foyer) not in nouveaux_foyers:
            existant = connus.get(
                (foyer.pk, ligne.role, normaliser(p["nom"]), normaliser(p["prenoms"]), p["date_naissance"])
            )
        if existant is None:
            beneficiaire = Beneficiaire(foyer=foyer, role=ligne.role, **p)
            beneficiaire.statut_parcours = beneficiaire.statut_initial(timezone.localdate())
            beneficiaire.date_creation = timezone.now()
            try:
                beneficiaire.clean_fields(exclude=EXCLUS_VALIDATION + ["recherche"])
            except ValidationError as exc:
                bilan.rejets.append((ligne.numero, _message(exc)))
                continue
            a_creer.append((ligne, beneficiaire))
            continue
        changes = [c for c, v in p.items() if _valeur(existant, c) != _cle_valeur(v)]
        if not changes:
            bilan.inchanges += 1
            continue
        avant = {c: getattr(existant, c) for c in changes}
        for c in changes:
            setattr(existant, c, p[c])
        try:
            existant.clean_fields(exclude=EXCLUS_VALIDATION + ["recherche"])
        except ValidationError as exc:
            for c, v in avant.items():
                setattr(existant, c, v)
            bilan.rejets.append((ligne.numero, _message(exc)))
            continue
        champs_personne.update(changes)
        statut = existant.statut_parcours
        existant.recalculer_statut_initial(timezone.localdate())
        if existant.statut_parcours != statut:  # devenu (ou plus) soumis aux droits et devoirs
            champs_personne.add("statut_parcours")
        a_modifier.append(existant)
        if len(bilan.exemples) < MAX_EXEMPLES * 2:
            detail = " ; ".join(_libelle_changement(c, avant[c], p[c]) for c in changes)
            bilan.exemples.append((ligne.numero, "mise à jour", str(existant), detail))

    for ligne, beneficiaire in a_creer[:MAX_EXEMPLES]:
        bilan.exemples.append((ligne.numero, "création", str(beneficiaire), f"foyer {ligne.numero_allocataire}"))
    bilan.exemples.sort()
    bilan.crees, bilan.modifies = len(a_creer), len(a_modifier)
    if essai:
        return
    nouveaux = []
    for _ligne, beneficiaire in a_creer:
        beneficiaire.foyer = beneficiaire.foyer  # rattache l'identifiant du foyer créé juste avant
        beneficiaire.calculer_recherche()
        nouveaux.append(beneficiaire)
    bulk_create_with_history(
        nouveaux, Beneficiaire, batch_size=TAILLE_PAQUET, default_user=par, default_change_reason=raison
    )
    if a_modifier:
        if champs_personne & CHAMPS_RECHERCHE:
            for b in a_modifier:
                b.calculer_recherche()
            champs_personne.add("recherche")
        _mettre_a_jour(a_modifier, Beneficiaire, sorted(champs_personne), par=par, raison=raison)
    ecritures_en_masse("beneficiaires")  # écritures sans signal : les versions des personnes et foyers changent


def _mettre_a_jour(objets, modele, champs, *, par, raison):
    """Met à jour `champs` des objets, historique compris. Sur PostgreSQL, un UPDATE ... FROM (VALUES ...) par
    paquet : le bulk_update de Django (un CASE par champ et par ligne) coûte plusieurs fois plus cher."""
    if connection.vendor != "postgresql":
        bulk_update_with_history(
            objets, modele, champs, batch_size=TAILLE_PAQUET_MAJ, default_user=par, default_change_reason=raison
        )
        return
    meta = modele._meta
    colonnes = [meta.get_field(c) for c in champs]
    qn = connection.ops.quote_name
    affectations = ", ".join(
        f"{qn(f.column)} = v.{qn(f.column)}::{f.cast_db_type(connection) or f.db_type(connection)}" for f in colonnes
    )
    noms = ", ".join(["id", *(qn(f.column) for f in colonnes)])
    with transaction.atomic(savepoint=False), connection.cursor() as curseur:
        for paquet in _par_paquets(objets):
            ligne = "(" + ", ".join(["%s::bigint", *(["%s"] * len(colonnes))]) + ")"
            parametres = []
            for objet in paquet:
                parametres.append(objet.pk)
                parametres.extend(f.get_db_prep_save(getattr(objet, f.attname), connection) for f in colonnes)
            curseur.execute(
                f"UPDATE {qn(meta.db_table)} SET {affectations} FROM (VALUES {', '.join([ligne] * len(paquet))}) "
                f"AS v({noms}) WHERE {qn(meta.db_table)}.{qn(meta.pk.column)} = v.id",
                parametres,
            )
        # Seulement l'historique (aucun champ à réécrire) : une ligne « ~ » par objet, attribuée.
        bulk_update_with_history(
            objets, modele, [], batch_size=TAILLE_PAQUET, default_user=par, default_change_reason=raison
        )


def _valeur(objet, champ):
    """Valeur comparable d'un champ (l'identifiant pour une clé étrangère : pas de requête)."""
    f = objet._meta.get_field(champ)
    if f.is_relation:
        return getattr(objet, f.attname)
    return getattr(objet, champ)


def _cle_valeur(valeur):
    return valeur.pk if hasattr(valeur, "pk") else valeur


def _message(exc):
    if hasattr(exc, "message_dict"):
        return " ; ".join(f"{champ} : {' '.join(m)}" for champ, m in exc.message_dict.items())
    return " ".join(exc.messages)

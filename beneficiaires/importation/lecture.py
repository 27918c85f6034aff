"""Lecture d'une liste (CSV ou XLSX) : limites contrôlées avant toute analyse, puis un tableau d'en-têtes et de
lignes numérotées comme dans le fichier.

Limites (réglages IMPORT_*) : taille du fichier, nombre de lignes et de colonnes, taille décompressée d'un
classeur (lue dans le répertoire central de l'archive, sans rien décompresser : une « bombe » de 5 Mo qui
s'étendrait à 1 Go est refusée aussitôt, en mémoire bornée), octet nul où qu'il soit.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError

from commun.francais import compte
from referentiel.fichiers import decoder_texte, detecter_separateur

from .erreurs import ImportImpossible

MAGIE_XLSX = b"PK\x03\x04"
MAGIE_XLS = b"\xd0\xcf\x11\xe0"
RE_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+:([A-Z]+)(\d+)"')


@dataclass
class Tableau:
    entetes: list
    lignes: list  # [(numéro de ligne dans le fichier, [valeurs])]


def _mo(octets):
    return f"{octets / (1024 * 1024):.0f} Mo"


def verifier_fichier(contenu):
    """Contrôle taille, type réel (d'après le contenu) et limites ; rend "xlsx" ou "csv". Ne lit aucune ligne."""
    if len(contenu) > settings.IMPORT_TAILLE_MAX:
        raise ImportImpossible(
            f"Le fichier dépasse la taille autorisée ({_mo(settings.IMPORT_TAILLE_MAX)}). "
            "Découpez la liste en plusieurs fichiers."
        )
    if not contenu.strip():
        raise ImportImpossible("Le fichier est vide.")
    if contenu.startswith(MAGIE_XLS):
        raise ImportImpossible(
            "Ce fichier est au format Excel 97-2003 (.xls) : enregistrez-le en classeur Excel (.xlsx) ou en CSV."
        )
    if contenu.startswith(MAGIE_XLSX):
        _verifier_xlsx(contenu)
        return "xlsx"
    _verifier_csv(contenu)
    return "csv"


def _verifier_xlsx(contenu):
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:  # ne lit que le répertoire central
            membres = archive.infolist()
            if "xl/workbook.xml" not in {m.filename for m in membres}:
                raise ImportImpossible("Cette archive n'est pas un classeur Excel (.xlsx).")
            total = sum(m.file_size for m in membres)
            if total > settings.IMPORT_XLSX_DECOMPRESSE_MAX:
                raise ImportImpossible(
                    f"Le classeur occuperait {_mo(total)} une fois décompressé (au plus "
                    f"{_mo(settings.IMPORT_XLSX_DECOMPRESSE_MAX)}) : il est refusé. Enregistrez la liste en CSV "
                    "ou découpez-la."
                )
            feuille = next((m for m in membres if m.filename.startswith("xl/worksheets/sheet")), None)
            if feuille is not None:
                with archive.open(feuille) as flux:
                    debut = flux.read(2048)
                m = RE_DIMENSION.search(debut)
                if m:
                    _verifier_dimensions(int(m[2]), _numero_colonne(m[1].decode()))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as exc:
        raise ImportImpossible("Le classeur Excel est endommagé et ne peut pas être lu.") from exc


def _numero_colonne(lettres):
    numero = 0
    for lettre in lettres:
        numero = numero * 26 + ord(lettre) - 64
    return numero


def _verifier_dimensions(lignes, colonnes):
    if lignes > settings.IMPORT_LIGNES_MAX + 1:
        raise ImportImpossible(
            f"Le fichier compte {compte(lignes, 'ligne')} (au plus {compte(settings.IMPORT_LIGNES_MAX, 'personne')} "
            "par fichier) : "
            "découpez la liste."
        )
    if colonnes > settings.IMPORT_COLONNES_MAX:
        raise ImportImpossible(
            f"Le fichier compte {colonnes} colonnes (au plus {settings.IMPORT_COLONNES_MAX}) : "
            "retirez les colonnes inutiles."
        )


def _verifier_csv(contenu):
    debut = contenu[:8192]
    controles = sum(1 for octet in debut if octet < 9 or 13 < octet < 32 or octet == 127)
    if contenu.startswith(b"%PDF") or controles > len(debut) // 200:
        raise ImportImpossible("Le fichier n'est ni un CSV ni un classeur Excel (.xlsx) : il ne peut pas être lu.")
    nul = contenu.find(b"\x00")
    if nul >= 0:
        ligne = contenu.count(b"\n", 0, nul) + 1
        raise ImportImpossible(
            f"Le fichier contient un caractère nul (ligne {ligne}) : ce n'est pas un CSV lisible. "
            "Enregistrez-le à nouveau en CSV depuis le tableur."
        )
    entete = contenu.lstrip(b"\r\n").split(b"\n", 1)[0]
    separateur = detecter_separateur(entete.decode("latin-1"))
    _verifier_dimensions(contenu.count(b"\n"), entete.count(separateur.encode()) + 1)


def decoder(contenu):
    try:
        return decoder_texte(contenu)
    except ValidationError as exc:
        raise ImportImpossible(exc.messages[0]) from exc


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


def _ajouter(tableau, numero, valeurs):
    if not any(v != "" for v in valeurs):
        return
    if tableau.entetes is None:
        tableau.entetes = [str(v) for v in valeurs]
    else:
        tableau.lignes.append((numero, valeurs))


def _lire_csv(contenu):
    texte = decoder(contenu)
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=detecter_separateur(texte))
    tableau, fin_precedente = Tableau(entetes=None, lignes=[]), 0
    try:
        for valeurs in lecteur:  # un enregistrement commence après la fin du précédent (cellules multilignes)
            _ajouter(tableau, fin_precedente + 1, [v.strip() for v in valeurs])
            fin_precedente = lecteur.line_num
    except csv.Error as exc:
        raise ImportImpossible(f"Le fichier CSV est mal formé (ligne {lecteur.line_num}) : {exc}.") from exc
    return tableau


def _lire_xlsx(contenu):
    from openpyxl import load_workbook

    try:
        classeur = load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl lève des erreurs variées sur un classeur abîmé
        raise ImportImpossible("Le classeur Excel ne peut pas être lu : enregistrez-le à nouveau en .xlsx.") from exc
    tableau = Tableau(entetes=None, lignes=[])
    try:
        feuille = classeur.worksheets[0]
        for numero, valeurs in enumerate(feuille.iter_rows(values_only=True), start=1):
            if numero > settings.IMPORT_LIGNES_MAX + 1:
                _verifier_dimensions(numero, 0)
            _ajouter(tableau, numero, [_cellule(v) for v in valeurs[: settings.IMPORT_COLONNES_MAX + 1]])
    except ImportImpossible:
        raise
    except Exception as exc:  # noqa: BLE001
        raise ImportImpossible("Le classeur Excel ne peut pas être lu : enregistrez-le à nouveau en .xlsx.") from exc
    finally:
        classeur.close()
    while tableau.entetes and tableau.entetes[-1] == "":
        tableau.entetes.pop()
    return tableau


def lire_entetes(contenu):
    """Les en-têtes seuls (page de correspondance) : sans lire les lignes."""
    genre = verifier_fichier(contenu)
    if genre == "csv":
        texte = decoder(contenu)
        lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=detecter_separateur(texte))
        entetes = next((v for v in lecteur if any(c.strip() for c in v)), [])
        return [v.strip() for v in entetes]
    from openpyxl import load_workbook

    try:
        classeur = load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
        try:
            for valeurs in classeur.worksheets[0].iter_rows(values_only=True):
                cellules = [str(_cellule(v)) for v in valeurs[: settings.IMPORT_COLONNES_MAX]]
                if any(cellules):
                    while cellules and not cellules[-1]:
                        cellules.pop()
                    return cellules
        finally:
            classeur.close()
    except Exception as exc:  # noqa: BLE001
        raise ImportImpossible("Le classeur Excel ne peut pas être lu : enregistrez-le à nouveau en .xlsx.") from exc
    return []


def lire(contenu):
    """Lit le fichier (CSV ou XLSX) ; lève ImportImpossible s'il est illisible ou hors limites."""
    genre = verifier_fichier(contenu)
    tableau = _lire_xlsx(contenu) if genre == "xlsx" else _lire_csv(contenu)
    if not tableau.entetes:
        raise ImportImpossible("Le fichier ne contient pas de ligne d'en-têtes.")
    if len(tableau.entetes) > settings.IMPORT_COLONNES_MAX:
        _verifier_dimensions(0, len(tableau.entetes))
    if not tableau.lignes:
        raise ImportImpossible("Le fichier ne contient aucune ligne de données.")
    return tableau

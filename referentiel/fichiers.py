"""Lecture des fichiers texte tabulaires (CSV) du projet : un seul décodeur et un seul détecteur de séparateur,
partagés par le chargement des communes et l'import des listes de bénéficiaires."""

import csv

from django.core.exceptions import ValidationError

SEPARATEURS = ";,\t|"


def decoder_texte(contenu: bytes) -> str:
    """UTF-8 (avec ou sans BOM), sinon Windows-1252 (le CSV d'Excel sous Windows)."""
    try:
        return contenu.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return contenu.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "Encodage du fichier non reconnu : enregistrez-le en CSV UTF-8 ou en CSV Windows (Excel)."
        ) from exc


def detecter_separateur(texte: str) -> str:
    """Le séparateur de la ligne d'en-têtes, d'après csv.Sniffer (repli : le plus fréquent de ; , tabulation)."""
    entete = texte.lstrip("\r\n").split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(entete, delimiters=SEPARATEURS).delimiter
    except csv.Error:
        return max(SEPARATEURS, key=entete.count)

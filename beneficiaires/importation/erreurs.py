from django.core.exceptions import ValidationError


class ImportImpossible(ValidationError):
    """Le fichier ne peut pas être importé du tout : rien n'est écrit."""


class ColonnesARelier(ImportImpossible):
    """Des colonnes obligatoires manquent : la page d'import demande la correspondance."""

    def __init__(self, message, *, analyse):
        super().__init__(message)
        self.analyse = analyse


class Rejet(Exception):
    """Une ligne ne peut pas être importée : ce qui identifie la personne manque ou est illisible."""

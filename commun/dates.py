"""Calcul sur les mois civils, écrit une seule fois pour tout le projet.

Durées de contrat (6, 24, 60 mois), échéances du suivi dans l'emploi (1, 3, 6 mois), durée maximale d'une
location (6 mois), durée de conservation des données (24 mois), périodes du tableau de bord : toutes comptent
en mois civils avec cette fonction.
"""

import calendar
from datetime import date


def ajouter_mois(jour: date, mois: int) -> date:
    """Le même jour `mois` mois plus tard (ou plus tôt si `mois` est négatif), ramené au dernier jour du mois
    si besoin : 31/01 + 1 mois = 28/02, 31/08 + 6 mois = 28/02, 31/03 - 1 mois = 28/02 ou 29/02."""
    total = jour.year * 12 + (jour.month - 1) + mois
    annee, mois_0 = divmod(total, 12)
    return date(annee, mois_0 + 1, min(jour.day, calendar.monthrange(annee, mois_0 + 1)[1]))


def soustraire_mois(jour: date, mois: int) -> date:
    """Le même jour `mois` mois plus tôt (voir `ajouter_mois`)."""
    return ajouter_mois(jour, -mois)

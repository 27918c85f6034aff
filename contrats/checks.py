"""`manage.py check` : avertit quand une valeur de référence du mois en cours peut être périmée."""

import os

from django.core import checks
from django.db import DatabaseError, connection


def _base_sqlite_absente():
    """Vrai pour un fichier SQLite qui n'existe pas encore : s'y connecter le créerait (vide) à chaque commande."""
    if connection.vendor != "sqlite":
        return False
    nom = str(connection.settings_dict["NAME"])
    return nom != ":memory:" and not nom.startswith("file:") and not os.path.exists(nom)


def valeurs_de_reference_a_jour(app_configs=None, **kwargs):
    from .bareme import valeurs_perimees

    if _base_sqlite_absente():
        return []
    try:
        perimees = valeurs_perimees()
    except DatabaseError:
        # Base absente ou pas encore migrée (premier `migrate`, construction d'une image) : rien à vérifier.
        return []
    return [
        checks.Warning(
            v.avertissement(),
            hint="Ajoutez la nouvelle valeur, avec sa source, dans l'administration (Contrats aidés > Paramètres "
            "financiers).",
            obj=f"contrats.ParametreFinancier({v.type}, {v.date_effet:%Y-%m-%d})",
            id="contrats.W001",
        )
        for v in perimees
    ]

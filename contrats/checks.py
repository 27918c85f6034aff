"""`manage.py check` : avertit quand une valeur de référence du mois en cours peut être périmée."""

from django.core import checks
from django.db import DatabaseError


def valeurs_de_reference_a_jour(app_configs=None, **kwargs):
    from .bareme import valeurs_perimees

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

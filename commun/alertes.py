"""Registre des alertes de l'accueil : chaque application déclare, dans son module `alertes.py`, ce qu'un rôle
doit voir en arrivant (par exemple des valeurs de référence peut-être périmées pour les administrateurs).

    from commun.alertes import alerte
    from comptes.models import Role

    @alerte(roles=(Role.ADMINISTRATEUR,))
    def valeurs_perimees(user):
        return [Alerte(titre="...", texte="...", lien="/admin/...")]

L'accueil de l'application et l'index de l'administration Django les affichent ; une alerte en échec n'empêche
pas l'accueil de s'afficher (elle est journalisée).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alerte:
    titre: str
    texte: str
    lien: str = ""
    libelle_lien: str = ""


@dataclass(frozen=True)
class Declaration:
    fonction: Callable
    roles: tuple


_declarations: dict[str, Declaration] = {}


def alerte(*, roles):
    def enregistrer(fonction):
        _declarations[f"{fonction.__module__}.{fonction.__qualname__}"] = Declaration(fonction, tuple(roles))
        return fonction

    return enregistrer


def alertes_pour(user) -> list[Alerte]:
    """Les alertes que l'utilisateur doit voir, dans l'ordre des déclarations."""
    if not getattr(user, "is_authenticated", False):
        return []
    resultat = []
    for cle, d in _declarations.items():
        if not user.a_role(*d.roles):
            continue
        try:
            resultat.extend(d.fonction(user))
        except Exception:  # noqa: BLE001 - une alerte en échec ne doit pas empêcher l'accueil de s'afficher
            logger.exception("Alerte %s en échec", cle)
    return resultat

"""Registre des actions proposées sur la fiche d'une personne (prescrire un contrat, orienter vers un
prestataire, réserver un véhicule, inviter à un forum...). Chaque application déclare les siennes dans son
module `timeline.py` (découvert au démarrage) :

    from beneficiaires.fiche import action

    action("Prescrire un contrat aidé", lambda b: reverse("contrats:creer") + f"?beneficiaire={b.pk}",
           roles=(Role.ADMINISTRATEUR, Role.REFERENT), ordre=20)

La fiche affiche, pour l'utilisateur qui la consulte, les actions permises à son rôle.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    libelle: str
    url: Callable  # beneficiaire -> str
    roles: tuple
    ordre: int


_actions: dict[str, Action] = {}


def action(libelle, url, *, roles, ordre=50):
    _actions[libelle] = Action(libelle=libelle, url=url, roles=tuple(roles), ordre=ordre)


def actions_pour(beneficiaire, user):
    return [
        {"libelle": a.libelle, "url": a.url(beneficiaire)}
        for a in sorted(_actions.values(), key=lambda a: (a.ordre, a.libelle))
        if user.a_role(*a.roles)
    ]

"""Registre de la navigation : chaque application déclare ses entrées dans son module `menu.py`.

    from commun.menu_registre import entree
    from comptes.models import Role

    entree("Contrats aidés", "contrats:liste", roles=(Role.ADMINISTRATEUR, Role.PILOTAGE, Role.REFERENT), ordre=30)

La barre de navigation montre à chaque rôle exactement les entrées qu'il peut utiliser.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch

from .liens import adresse_fixe, adresses_d_une_requete


@dataclass(frozen=True)
class Entree:
    libelle: str
    nom_url: str
    roles: tuple
    ordre: int

    @property
    def url(self):
        return adresse_fixe(self.nom_url)


_entrees: dict[str, Entree] = {}


def entree(libelle, nom_url, *, roles, ordre=50):
    _entrees[nom_url] = Entree(libelle=libelle, nom_url=nom_url, roles=tuple(roles), ordre=ordre)


def entrees_pour(user, chemin=None):
    if not user.is_authenticated:
        return []
    resultat = []
    with adresses_d_une_requete():
        for e in sorted(_entrees.values(), key=lambda e: (e.ordre, e.libelle)):
            if user.a_role(*e.roles):
                try:
                    url = e.url
                    actif = chemin == url or (url != "/" and chemin is not None and chemin.startswith(url))
                    resultat.append({"libelle": e.libelle, "url": url, "nom_url": e.nom_url, "actif": actif})
                except NoReverseMatch:
                    continue
    return resultat

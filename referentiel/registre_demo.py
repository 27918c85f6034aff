"""Registre des générateurs de données de démonstration (sur le modèle de admin.site.register).

Chaque application déclare dans son module `demo.py` :

    from referentiel.registre_demo import generateur

    @generateur(ordre=30)
    def contrats(*, echelle, graine, sortie):
        ...

`ordre` fixe la séquence (référentiel 10, comptes 20, bénéficiaires 30, axes 40 à 70).
`echelle` vaut "petite" ou "loiret" ; `graine` rend la génération reproductible ;
`sortie` est une fonction d'écriture (ligne de compte rendu). Chaque générateur est idempotent :
relancé, il ne duplique rien.
"""

from collections.abc import Callable
from dataclasses import dataclass

ECHELLES = ("petite", "loiret")


@dataclass(frozen=True)
class Generateur:
    nom: str
    ordre: int
    fonction: Callable


_generateurs: dict[str, Generateur] = {}


def generateur(*, ordre, nom=None):
    def enregistrer(fonction):
        cle = nom or f"{fonction.__module__.split('.')[0]}.{fonction.__name__}"
        _generateurs[cle] = Generateur(nom=cle, ordre=ordre, fonction=fonction)
        return fonction

    return enregistrer


def generateurs():
    return sorted(_generateurs.values(), key=lambda g: (g.ordre, g.nom))

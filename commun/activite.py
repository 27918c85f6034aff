"""Registre de « Mon activité » : la file de travail de chaque rôle, page d'accueil de l'application.

Chaque application déclare ses rubriques dans son module `activite.py` (découvert au démarrage) ; la lecture
elle-même vit dans le `selecteurs.py` de l'application :

    from commun.activite import rubrique, depuis_queryset

    @rubrique(roles=(Role.REFERENT,), ordre=10)
    def personnes_a_evaluer(user, jour):
        return depuis_queryset(selecteurs.personnes_a_evaluer(user, jour), libelle="Personnes à évaluer", ...)

Une rubrique coûte un nombre fixe de requêtes (le compte, puis les plus anciennes lignes), quel que soit le
volume : la page d'accueil reste rapide au Département entier.

Ordres fixés ici pour des rubriques que d'autres applications fournissent :
- 110 « Résultats déclarés en attente de validation » (pilotage, placement/activite.py) ;
- 120 « Personnes à rattacher à une commune » (pilotage, beneficiaires/activite.py).
"""

import datetime
from dataclasses import dataclass, field

LIGNES_MONTREES = 5

# Ordres fixés (voir la docstring) : l'application qui fournit la rubrique prend cet ordre.
ORDRE_RESULTATS_A_VALIDER = 110
ORDRE_PERSONNES_A_RATTACHER = 120


@dataclass(frozen=True)
class Ligne:
    texte: str
    url: str
    date: datetime.date | None = None
    urgent: bool = False
    precision: str = ""


@dataclass(frozen=True)
class Element:
    """Une rubrique de la file : combien, les plus anciennes d'abord, chacune avec le lien où la traiter ; `url`,
    facultative, mène à la liste complète (« Tout voir »)."""

    libelle: str
    nombre: int
    lignes: list[Ligne] = field(default_factory=list)
    aide: str = ""
    urgents: int = 0
    cle: str = ""
    url: str = ""

    @property
    def autres(self):
        return max(self.nombre - len(self.lignes), 0)


@dataclass(frozen=True)
class Rubrique:
    cle: str
    fonction: object
    roles: tuple
    ordre: int


_rubriques: dict[str, Rubrique] = {}


def rubrique(*, roles, ordre=50):
    def enregistrer(fonction):
        cle = f"{fonction.__module__}.{fonction.__qualname__}"
        _rubriques[cle] = Rubrique(cle=cle, fonction=fonction, roles=tuple(roles), ordre=ordre)
        return fonction

    return enregistrer


def rubriques():
    return sorted(_rubriques.values(), key=lambda r: (r.ordre, r.cle))


def depuis_queryset(qs, *, libelle, champ_date, ligne, aide="", urgent=None, limite=LIGNES_MONTREES, cle="", url=""):
    """Element d'une rubrique à partir d'un QuerySet déjà limité au périmètre : une requête pour le compte (et les
    urgents), une pour les `limite` plus anciennes lignes. `ligne(objet)` rend une Ligne ; `urgent` : un Q."""
    from django.db.models import Count

    if urgent is not None:
        comptes = qs.aggregate(nombre=Count("pk"), urgents=Count("pk", filter=urgent))
    else:
        comptes = {"nombre": qs.count(), "urgents": 0}
    lignes = [ligne(o) for o in qs.order_by(champ_date, "pk")[:limite]] if comptes["nombre"] else []
    return Element(
        libelle=libelle,
        nombre=comptes["nombre"],
        lignes=lignes,
        aide=aide,
        urgents=comptes["urgents"],
        cle=cle,
        url=url,
    )


ROLE_ADMINISTRATEUR = "administrateur"


def activite_pour(user, jour):
    """Les rubriques du rôle de l'utilisateur, dans l'ordre déclaré. Un administrateur (ou superutilisateur) voit
    les rubriques déclarées pour son rôle, pas celles de tous les rôles : sa file n'est pas celle de chacun."""
    if not user.is_authenticated:
        return []
    role = ROLE_ADMINISTRATEUR if user.est_administrateur else user.role
    resultat = []
    for r in rubriques():
        if role in r.roles:
            element = r.fonction(user, jour)
            if element is not None:
                resultat.append(element)
    return resultat

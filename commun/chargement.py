"""Instances lues d'une liste faites sans le détour de `Model.__init__` (`Model.from_db`, point d'extension documenté
de Django : « Customizing model loading »).

Une page de liste lit 50 personnes, contrats ou véhicules dont elle ne sélectionne qu'une partie des colonnes
(`only()`, annotations). Pour chaque ligne, `Model.from_db` de Django refait la liste de TOUTES les colonnes du
modèle (une valeur ou `DEFERRED` pour chacune, en cherchant chaque nom parmi ceux lus), puis `Model.__init__`
la parcourt pour poser les valeurs une à une : 8 à 10 % du CPU d'une page de liste, pour des modèles de 25 à 40
colonnes dont une douzaine est lue. `ChargementRapide.from_db` pose directement, dans l'instance, les valeurs lues
sous leurs noms d'attribut, dans l'état que donne Django (`_state.adding` faux, `_state.db` la base lue) : le
même objet, champs non lus différés comme avant.

Le chemin court ne sert que lorsqu'il donne exactement ce que donnerait `Model.__init__` : aucun récepteur des
signaux `pre_init` / `post_init` pour le modèle (un champ d'image à `width_field` ou `height_field` en pose un),
ni `__init__` ni `__setattr__` propres, et chaque nom lu est un attribut de champ ordinaire (valeur gardée dans le
dictionnaire de l'instance, ce que font les champs simples et la clé d'une relation pour une instance neuve).
Sinon, `Model.from_db` de Django. Le plan (les noms à poser) est fait une fois par suite de noms lus et gardé par
modèle ; les récepteurs sont vérifiés une fois par lecture : Django passe la même liste de noms pour toutes les
lignes d'une requête (une liste neuve par requête), reconnue par son identité."""

import inspect

from django.db.models import Model, signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute

# Suites de noms lues par modèle dont le plan est gardé (une par forme de lecture : liste, fiche, exports…).
PLANS_PAR_MODELE = 64

# Attributs de champ dont l'écriture dans une instance neuve ne fait que poser la valeur dans son dictionnaire.
_ATTRIBUTS_ORDINAIRES = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _sans_recepteurs(modele):
    """Aucun récepteur de `pre_init` / `post_init` pour ce modèle (vérifié à chaque lecture : un récepteur peut être
    branché ou retiré à tout moment)."""
    return not (signals.pre_init.has_listeners(modele) or signals.post_init.has_listeners(modele))


def _plan(modele, noms):
    """Les noms d'attribut à poser, dans l'ordre des valeurs lues, ou None (le chemin de Django) ; ne dépend que du
    modèle et des noms."""
    if modele.__setattr__ is not object.__setattr__ or modele.__init__ is not Model.__init__:
        return None  # un `__init__` propre au modèle : Django l'appelle pour chaque objet lu
    champs = {f.attname for f in modele._meta.concrete_fields}
    if len(set(noms)) != len(noms) or not set(noms) <= champs:
        return None
    for nom in noms:
        if type(inspect.getattr_static(modele, nom, None)) not in _ATTRIBUTS_ORDINAIRES:
            return None
    return tuple(noms)


class ChargementRapide:
    """À placer avant `models.Model` dans les bases d'un modèle lu en liste."""

    @classmethod
    def from_db(cls, db, field_names, values):
        garde = cls.__dict__.get("_plan_de_chargement")
        if garde is None or garde[0] is not field_names:
            # La liste des noms d'une lecture est gardée avec son plan : tant qu'elle est gardée, aucune autre ne
            # peut avoir son identité. Le plan lui-même est gardé par suite de noms (une lecture d'un seul objet,
            # comme celles d'une fiche, ne le refait pas : 50 µs).
            plans = cls.__dict__.get("_plans_par_noms")
            if plans is None or len(plans) >= PLANS_PAR_MODELE:
                plans = cls._plans_par_noms = {}
            cle = tuple(field_names)
            if cle not in plans:
                plans[cle] = _plan(cls, field_names)
            garde = (field_names, plans[cle] if _sans_recepteurs(cls) else None)
            cls._plan_de_chargement = garde
        noms = garde[1]
        if noms is None or len(values) != len(noms):
            return super().from_db(db, field_names, values)
        instance = cls.__new__(cls)
        etat = ModelState()
        etat.adding = False
        etat.db = db
        dictionnaire = instance.__dict__
        dictionnaire["_state"] = etat
        dictionnaire.update(zip(noms, values, strict=True))
        return instance

"""Versions des données, tenues EN BASE, qui périment tout ce qui est gardé en cache (corps de pages, tableau de bord).

Un résultat gardé en cache l'est sous une clé qui comprend la version de chaque **espace** dont il dépend ; un
espace est une application du projet (`beneficiaires`, `contrats`, `referentiel`…). Une écriture sur un modèle
d'une application incrémente la version de cette application seulement : une location écrite (`mobilite`) ne
périme pas la liste des bénéficiaires, qui ne dépend que de `beneficiaires`, `referentiel`, `comptes` et
`placement`.

Les versions sont des lignes d'une table (`VersionCache`), donc les mêmes pour tous les processus et tous les
serveurs, quel que soit le cache (local ou partagé). Elles sont incrémentées :

- par toute écriture (post_save, post_delete, m2m_changed) sur un modèle d'une application du projet, sauf les
  journaux écrits par les lectures (consultations, exports) et la date de dernière connexion ;
- par `ecritures_en_masse(...)`, que toute écriture sans signal (`QuerySet.update()`, `bulk_create`, SQL écrit à
  la main dans une commande) doit appeler. Rien ne le vérifie à l'exécution : une écriture en masse qui l'oublie
  laisse les pages et le tableau de bord gardés en cache périmés jusqu'à la fin de leur durée de vie
  (PAGES_CACHE_DUREE, TABLEAU_CACHE_DUREE). Les écritures en masse du projet (import, anonymisation, forums,
  démonstration, communes) l'appellent ; tests/commun/test_cache_pages.py en vérifie ;
- par `sauter()` après une restauration : chaque version passe au-delà de toute valeur déjà servie.

Une requête refusée, un POST anonyme ou une connexion n'écrivent sur aucun modèle surveillé : ils ne périment rien.

L'incrémentation a lieu **après la validation** de la transaction, hors transaction (une ligne verrouillée un
instant, jamais jusqu'à la fin d'une transaction d'écriture : deux écritures concurrentes ne s'attendent pas) ;
jusque-là, la transaction qui a écrit lit des versions suivies d'un jeton qui lui est propre (voir `versions`),
et les corps de pages ne sont pas gardés (`en_attente`). Un rendu commencé avant la validation par un autre
processus est gardé sous l'ancienne version, que plus personne ne demande.
"""

import contextlib
import contextvars
import functools
import secrets
import sys
import time
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import m2m_changed, post_delete, post_save

from referentiel.signaux import ecritures_en_masse as signal_ecritures_en_masse

from . import routage
from .models import VersionCache

# Le référentiel : communes, bassins, structures (`referentiel`) et comptes (référents, bassins d'un référent). Un
# fragment qui ne dépend que d'eux (formulaire de filtre d'une liste : commun/fragments.py) est gardé sous leur
# version : il survit aux écritures sur les personnes, les contrats, les orientations.
REFERENTIEL = ("comptes", "referentiel")

# Écrits par les lectures (la consultation d'une fiche, un export) ou par la connexion (sessions ouvertes), et jamais
# affichés dans un résultat en cache.
MODELES_IGNORES = {"comptes.JournalConsultation", "comptes.JournalExport", "comptes.SessionUtilisateur"}
# Champs écrits sans rien changer à ce qu'affiche une page (la connexion met à jour `last_login`).
CHAMPS_IGNORES = frozenset({"last_login"})


TABLE = VersionCache._meta.db_table


@functools.cache
def applications_du_projet():
    """Les applications du projet (leur code est sous BASE_DIR, hors de l'environnement Python, même quand
    .venv est dans le projet) : une application ajoutée est surveillée sans rien déclarer ; Django et les
    bibliothèques (sessions, axes, types de contenu) ne le sont pas."""
    racine, environnement = Path(settings.BASE_DIR).resolve(), Path(sys.prefix).resolve()
    chemins = {a.label: Path(a.path).resolve() for a in django_apps.get_app_configs()}
    return frozenset(
        label for label, c in chemins.items() if c.is_relative_to(racine) and not c.is_relative_to(environnement)
    )


def espace_de(cible):
    """L'espace d'un modèle (classe ou instance), d'un label « app.Modele » ou d'un label d'application."""
    if isinstance(cible, str):
        return cible.split(".", 1)[0]
    return cible._meta.app_label


# --- Lecture ------------------------------------------------------------------------------------------------


def _rappels(connexion=None):
    connexion = connexion or connections[DEFAULT_DB_ALIAS]
    if not connexion.in_atomic_block:
        return []
    return [rappel for _, rappel, *_ in connexion.run_on_commit if isinstance(rappel, _Incrementation)]


def en_attente(*espaces):
    """La transaction en cours a écrit dans l'un de ces espaces sans avoir encore validé."""
    voulus = {espace_de(e) for e in espaces}
    return any(rappel.espaces & voulus for rappel in _rappels())


_memoire = contextvars.ContextVar("versions_memoire", default=None)


@contextlib.contextmanager
def memoire():
    """Le temps d'un rendu (une page et ses fragments, son compte) : les versions sont lues une fois, toutes
    ensemble, au lieu d'une requête par résultat en cache. Une version lue plus tôt dans le rendu n'est jamais
    plus récente que les données lues ensuite : un résultat gardé sous elle n'est jamais périmé. Une incrémentation
    faite par ce processus pendant le rendu vide la mémoire. Dans une requête qui a déjà sa mémoire
    (`MemoireDesVersionsMiddleware`), c'est elle qui sert."""
    if _memoire.get() is not None:
        yield
        return
    jeton = _memoire.set({})
    try:
        yield
    finally:
        _memoire.reset(jeton)


class GardesSousVersion:
    """Des valeurs lues en base, gardées par processus sous la version de `espaces` (en base, la même pour tous les
    processus) : relues dès qu'une écriture validée dans ces espaces la change. La version est lue AVANT la valeur :
    ce qui est gardé n'est jamais plus ancien que sa version. Rien n'est gardé dans une transaction qui a écrit dans
    ces espaces sans valider (la version porte alors un jeton), ni une valeur None. Au-delà de `taille_max` clés,
    tout est oublié. Pour de petites valeurs lues à chaque page (choix du référentiel, compte de la session) : ni
    sérialisation ni aller-retour vers un cache partagé."""

    def __init__(self, espaces, taille_max):
        self.espaces, self.taille_max, self._gardes = tuple(espaces), taille_max, {}

    def lire(self, cle, lire):
        version = versions(*self.espaces)
        deja = self._gardes.get(cle)
        if deja is not None and deja[0] == version:
            return deja[1]
        valeur = lire()
        if valeur is not None and "+" not in version:
            if len(self._gardes) >= self.taille_max:
                self._gardes.clear()
            self._gardes[cle] = (version, valeur)
        return valeur

    def __contains__(self, cle):
        return cle in self._gardes

    def oublier(self):
        """Tout oublier (tests : la fin d'un test remet les versions à leurs valeurs d'avant, ce qui n'arrive jamais
        hors des tests, où elles ne font que croître)."""
        self._gardes.clear()


class MemoireDesVersionsMiddleware:
    """Les versions lues une fois pour toute la requête (`memoire`), du compte de la session (comptes.backends) au
    corps de la page en cache : une requête SQL au lieu d'une par lecture. Sûr pour la même raison que `memoire` :
    ce qui est lu ensuite n'est jamais plus ancien que la version lue, et une écriture validée par la requête vide
    la mémoire."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with memoire():
            return self.get_response(request)


def _lire(espaces):
    connexion = connections[DEFAULT_DB_ALIAS]
    memo = _memoire.get()
    if memo is not None and memo.get("__lues__"):
        return memo
    with connexion.cursor() as curseur:
        if memo is not None:
            curseur.execute(f"SELECT espace, valeur FROM {TABLE}")  # noqa: S608
        else:
            curseur.execute(
                f"SELECT espace, valeur FROM {TABLE} WHERE espace IN ({', '.join(['%s'] * len(espaces))})",  # noqa: S608
                espaces,
            )
        lues = dict(curseur.fetchall())
    if memo is not None:
        memo.update(lues)
        memo["__lues__"] = True
    return lues


def versions(*espaces):
    """Les versions des espaces donnés (une requête, sur la base principale), dans l'ordre, en une chaîne pour
    une clé de cache.

    Dans une transaction qui a écrit dans l'un d'eux sans avoir validé, la chaîne porte en plus un jeton propre
    à la transaction, renouvelé à chaque écriture : ce qu'elle garde en cache n'est relu que par elle (elle voit
    ses propres écritures), jamais par un autre processus, et devient introuvable quand elle valide (la version
    change) ou qu'elle est annulée (le jeton est perdu)."""
    espaces = [espace_de(e) for e in espaces]
    connexion = connections[DEFAULT_DB_ALIAS]
    lues = _lire(espaces)
    valeur = "-".join(str(lues.get(e, 0)) for e in espaces)
    jetons = [r.jetons[e] for r in _rappels(connexion) for e in espaces if e in r.jetons]
    return f"{valeur}+{'.'.join(jetons)}" if jetons else valeur


# --- Incrémentation -----------------------------------------------------------------------------------------


def _incrementer(espaces):
    espaces = sorted(espaces)
    if not espaces:
        return
    memo = _memoire.get()
    if memo is not None:
        memo.clear()
    connexion = connections[DEFAULT_DB_ALIAS]
    valeurs = ", ".join(["(%s, 1)"] * len(espaces))
    with connexion.cursor() as curseur:
        curseur.execute(
            f"INSERT INTO {TABLE} (espace, valeur) VALUES {valeurs} "  # noqa: S608
            f"ON CONFLICT (espace) DO UPDATE SET valeur = {TABLE}.valeur + 1",
            espaces,
        )


class _Incrementation:
    """Le rappel de fin de transaction : un par niveau de point de sauvegarde, qui accumule les espaces écrits."""

    def __init__(self):
        self.jetons = {}

    @property
    def espaces(self):
        return set(self.jetons)

    def ajouter(self, espaces):
        for espace in espaces:
            self.jetons[espace] = secrets.token_hex(6)

    def __call__(self):
        _incrementer(self.espaces)


def modifier(*cibles):
    """Les données de ces modèles ou applications ont changé : leurs versions sont incrémentées après la validation
    (tout de suite hors transaction)."""
    espaces = {espace_de(c) for c in cibles}
    routage.ecriture_faite()
    connexion = connections[DEFAULT_DB_ALIAS]
    if not connexion.in_atomic_block:
        _incrementer(espaces)
        return
    # Un seul rappel par transaction, quel que soit le point de sauvegarde où il a été inscrit : un rappel
    # inscrit dans un point de sauvegarde annulé a disparu avec lui (Django le retire), un rappel encore présent
    # sera exécuté à la validation, et une écriture faite pendant qu'un point de sauvegarde est ouvert est annulée
    # avec lui.
    for _, rappel, *_ in connexion.run_on_commit:
        if isinstance(rappel, _Incrementation):
            rappel.ajouter(espaces)
            return
    rappel = _Incrementation()
    rappel.ajouter(espaces)
    connexion.on_commit(rappel)


def ecritures_en_masse(*cibles):
    """À appeler après toute écriture qui n'envoie pas de signal (`QuerySet.update()`, `bulk_create`,
    `bulk_update`, SQL écrit à la main) sur ces modèles ou applications ; sans argument : toutes les applications
    du projet. Dans une transaction, l'incrémentation attend sa validation."""
    modifier(*(cibles or applications_du_projet()))


def tout_modifier():
    ecritures_en_masse()


def sauter():
    """Après une restauration : chaque version passe au-delà de toute valeur déjà servie (celles de la base
    sauvegardée ont pu continuer à croître après la sauvegarde). La nouvelle valeur est le temps présent en
    microsecondes (ou le maximum actuel s'il est plus grand) plus un : les incrémentations ordinaires (+1)
    n'approchent jamais de cette échelle entre deux restaurations."""
    connexion = connections[DEFAULT_DB_ALIAS]
    with connexion.cursor() as curseur:
        maintenant = time.time_ns() // 1000
        curseur.execute(SQL_SAUTER, [maintenant, maintenant])
    ecritures_en_masse()


# Aussi exécutée par scripts/sauvegarde.py (sans Django) après une restauration ; SQLite et PostgreSQL.
SQL_SAUTER = (
    f"UPDATE {TABLE} SET valeur = (SELECT CASE WHEN max(valeur) > %s THEN max(valeur) ELSE %s END "  # noqa: S608
    f"FROM {TABLE}) + 1"
)


# --- Signaux ------------------------------------------------------------------------------------------------


def _surveille(modele):
    meta = getattr(modele, "_meta", None)
    return meta is not None and meta.app_label in applications_du_projet() and meta.label not in MODELES_IGNORES


def _sur_ecriture(sender, **kwargs):
    if not kwargs.get("action", "post_").startswith("post_"):
        return
    champs = kwargs.get("update_fields")
    if champs and frozenset(champs) <= CHAMPS_IGNORES:
        return
    modeles = {sender, type(kwargs.get("instance")), kwargs.get("model")} - {None, type(None)}
    espaces = {m._meta.app_label for m in modeles if _surveille(m)}
    if espaces:
        modifier(*espaces)


def _sur_ecritures_en_masse(sender, **kwargs):
    if sender is None:
        ecritures_en_masse()
    else:
        ecritures_en_masse(sender)


def brancher():
    signal_ecritures_en_masse.connect(_sur_ecritures_en_masse, dispatch_uid="versions_ecritures_en_masse")
    post_save.connect(_sur_ecriture, dispatch_uid="versions_post_save")
    post_delete.connect(_sur_ecriture, dispatch_uid="versions_post_delete")
    m2m_changed.connect(_sur_ecriture, dispatch_uid="versions_m2m_changed")

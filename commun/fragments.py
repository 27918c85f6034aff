"""Fragments de page qui ne dépendent que des données de référence, gardés en cache sous la version du
référentiel.

Le formulaire de filtre d'une liste (listes de bassins, libellé de la commune et du référent choisis, listes de
choix du code) ne dépend que du référentiel (`referentiel` : communes, bassins, structures ; `comptes` : référents,
bassins d'un référent), des critères de l'adresse et de l'utilisateur : pas des personnes ni des contrats. Gardé
sous `versions.REFERENTIEL`, il survit aux écritures sur les personnes (la page, elle, est recalculée) et change dès
que le référentiel change (toute écriture validée sur un modèle de ces applications, ou `ecritures_en_masse`).

Clé : la version du référentiel, l'utilisateur, le gabarit (empreinte de son texte, ligne du bloc), l'empreinte du
code qui rend le fragment (`empreinte_code` : tous les modules Python et gabarits du projet, les versions des
bibliothèques de rendu, et `VERSION_DEPLOIEMENT` si le réglage est posé ; un déploiement qui change l'un d'eux
change la clé, même avec un cache partagé entre processus), les valeurs des critères du formulaire et les variables
nommées par le bloc (`{% fragment_referentiel filter var1 var2 %}`). Un bloc ne doit rien afficher d'autre.
"""

import functools
import hashlib
import importlib.metadata
import inspect
import os
import re
import sys
from pathlib import Path

from django.apps import apps
from django.conf import ENVIRONMENT_VARIABLE, settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.utils.safestring import mark_safe

from . import versions

_empreintes = {}


def _empreinte_fichier(chemin):
    if chemin not in _empreintes:
        try:
            with open(chemin, "rb") as f:
                _empreintes[chemin] = hashlib.sha1(f.read(), usedforsecurity=False).hexdigest()[:12]
        except (OSError, TypeError):
            _empreintes[chemin] = "?"
    return _empreintes[chemin]


BIBLIOTHEQUES_DE_RENDU = ("django", "django-bootstrap5", "django-filter")


def fichiers_du_code():
    """Les modules Python et gabarits du projet : applications installées sous la racine du projet, module des
    réglages, dossiers de gabarits. Tout ce qui rend un fragment (filtres, champs et widgets, sources
    d'autocomplétion, balises de gabarit, gabarits inclus) y est, sans liste à tenir à jour."""
    racine = Path(settings.BASE_DIR).resolve()
    dossiers = {Path(a.path).resolve() for a in apps.get_app_configs()}
    dossiers = {d for d in dossiers if d.is_relative_to(racine) and "site-packages" not in d.parts}
    # Réglages surchargés (override_settings) : SETTINGS_MODULE vaut None, la variable d'environnement le nomme.
    nom_reglages = settings.SETTINGS_MODULE or os.environ.get(ENVIRONMENT_VARIABLE, "")
    module_reglages = getattr(sys.modules.get(nom_reglages), "__file__", None)
    if module_reglages:
        dossiers.add(Path(module_reglages).resolve().parent)
    for moteur in settings.TEMPLATES:
        dossiers.update(Path(d).resolve() for d in moteur.get("DIRS", ()))
    fichiers = set()
    for dossier in dossiers:
        for motif in ("*.py", "*.html"):
            fichiers.update(f for f in dossier.rglob(motif) if f.is_file())
    return sorted(fichiers)


def empreinte_fichiers(fichiers, racine=None):
    """Empreinte du contenu de ces fichiers et de leurs chemins (relatifs à `racine` : la même d'un serveur à
    l'autre)."""
    somme = hashlib.sha1(usedforsecurity=False)
    for chemin in fichiers:
        nom = Path(chemin).relative_to(racine) if racine and Path(chemin).is_relative_to(racine) else chemin
        try:
            contenu = Path(chemin).read_bytes()
        except OSError:
            contenu = b"?"
        somme.update(f"{nom}\0{len(contenu)}\0".encode())
        somme.update(contenu)
    return somme.hexdigest()[:16]


def _version_bibliotheque(nom):
    try:
        return importlib.metadata.version(nom)
    except importlib.metadata.PackageNotFoundError:
        return "?"


@functools.cache
def empreinte_du_projet():
    """Le code du projet tel qu'il a été chargé par ce processus (lu une fois : un déploiement redémarre les
    processus), les versions des bibliothèques de rendu et la version de déploiement si elle est posée."""
    versions_bibliotheques = ",".join(f"{b}={_version_bibliotheque(b)}" for b in BIBLIOTHEQUES_DE_RENDU)
    deploiement = getattr(settings, "VERSION_DEPLOIEMENT", "") or ""
    racine = Path(settings.BASE_DIR).resolve()
    brut = f"{empreinte_fichiers(fichiers_du_code(), racine)}|{versions_bibliotheques}|{deploiement}"
    return hashlib.sha1(brut.encode(), usedforsecurity=False).hexdigest()[:16]


def empreinte_code(filterset):
    """Le code qui rend le formulaire : tout le projet, et la classe de filtres si elle est écrite ailleurs."""
    return f"{empreinte_du_projet()}-{_empreinte_fichier(inspect.getsourcefile(type(filterset)))}"


@functools.cache
def _tables_de_la_base():
    """{table: application} de tous les modèles (tables intermédiaires des relations plusieurs-à-plusieurs
    comprises)."""
    tables = {}
    for modele in apps.get_models(include_auto_created=True):
        tables[modele._meta.db_table] = modele._meta.app_label
    return tables


RE_IDENTIFIANT = re.compile(r'"([^"]+)"')


def cachable(filterset):
    """Le formulaire ne lit-il que le référentiel ? Chaque liste de choix tirée de la base (QuerySet d'un champ,
    sous-requêtes comprises) ne doit nommer que des tables des applications de `versions.REFERENTIEL` ; sinon
    (lots d'un marché, sites qui ont des véhicules…) le fragment n'est pas gardé."""
    tables = _tables_de_la_base()
    for champ in filterset.form.fields.values():
        queryset = getattr(champ, "queryset", None)
        if queryset is None:
            continue
        if queryset.model._meta.app_label not in versions.REFERENTIEL:
            return False
        try:
            sql = str(queryset.query)
        except EmptyResultSet:
            continue
        for nom in RE_IDENTIFIANT.findall(sql):
            if nom in tables and tables[nom] not in versions.REFERENTIEL:
                return False
    return True


def criteres(filterset):
    """Les valeurs reçues pour les champs du formulaire (pas la page ni le tri), dans un ordre stable ; un widget
    qui envoie plusieurs noms les déclare (`noms`, comme le champ caché du choix d'une autocomplétion)."""
    donnees = filterset.form.data
    noms = sorted(
        nom
        for nom_champ, champ in filterset.form.fields.items()
        for nom in getattr(champ.widget, "noms", lambda n: [n])(nom_champ)
    )
    lire = getattr(donnees, "getlist", None)
    return [(n, lire(n) if lire else donnees.get(n)) for n in noms if n in donnees]


def cle(request, filterset, gabarit, ligne, variables):
    lues = versions.versions(*versions.REFERENTIEL)
    brut = repr(
        (
            type(filterset).__module__,
            type(filterset).__qualname__,
            empreinte_code(filterset),
            gabarit,
            ligne,
            criteres(filterset),
            [str(v) for v in variables],
        )
    )
    empreinte = hashlib.sha1(brut.encode(), usedforsecurity=False).hexdigest()
    utilisateur = getattr(getattr(request, "user", None), "pk", None)
    return f"fragment:{empreinte}:{utilisateur}:{lues}"


def servir(cle_fragment, rendre, gardable):
    """Le fragment en cache, sinon `rendre()`, gardé si `gardable()` le permet (le formulaire ne lit que le
    référentiel : `cachable`), sauf écriture non validée dans le référentiel ou jeton CSRF.

    `gardable` n'est appelé qu'en l'absence du fragment (sa réponse compile les requêtes des listes de choix : 1 à
    2 ms par page) : une clé trouvée a été gardée parce qu'il l'était, et la clé couvre tout ce dont cette réponse
    dépend (la classe de filtres et le code, l'utilisateur, les critères, la version du référentiel)."""
    html = cache.get(cle_fragment)
    if html is None:
        html = rendre()
        if "csrfmiddlewaretoken" not in html and not versions.en_attente(*versions.REFERENTIEL) and gardable():
            cache.set(cle_fragment, html, 3600)
    return mark_safe(html)  # noqa: S308 - rendu par nos gabarits

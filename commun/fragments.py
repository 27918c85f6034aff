"""Fragments de page qui ne dépendent que des données de référence, gardés en cache sous la version du
référentiel.

Le formulaire de filtre d'une liste (listes de bassins, libellé de la commune et du référent choisis, listes de
choix du code) ne dépend que du référentiel (`referentiel` : communes, bassins, structures ; `comptes` : référents,
bassins d'un référent), des critères de l'adresse et de l'utilisateur : pas des personnes ni des contrats. Gardé
sous `versions.REFERENTIEL`, il survit aux écritures sur les personnes (la page, elle, est recalculée) et change dès
que le référentiel change (toute écriture validée sur un modèle de ces applications, ou `ecritures_en_masse`).

Clé : la version du référentiel, l'utilisateur, le gabarit (empreinte de son texte, ligne du bloc), l'empreinte du
code des filtres, les valeurs des critères du formulaire et les variables nommées par le bloc
(`{% fragment_referentiel filter var1 var2 %}`). Un bloc ne doit rien afficher d'autre.
"""

import functools
import hashlib
import inspect
import re

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.utils.safestring import mark_safe

from . import autocompletion, filtres, versions

_empreintes = {}


def _empreinte_fichier(chemin):
    if chemin not in _empreintes:
        try:
            with open(chemin, "rb") as f:
                _empreintes[chemin] = hashlib.sha1(f.read(), usedforsecurity=False).hexdigest()[:12]
        except (OSError, TypeError):
            _empreintes[chemin] = "?"
    return _empreintes[chemin]


def empreinte_code(filterset):
    """Le code qui rend le formulaire : la classe de filtres, les champs et widgets communs."""
    fichiers = [inspect.getsourcefile(type(filterset)), filtres.__file__, autocompletion.__file__]
    return "-".join(_empreinte_fichier(f) for f in fichiers)


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


def servir(cle_fragment, rendre):
    """Le fragment en cache, sinon `rendre()` (gardé sauf écriture non validée dans le référentiel, ou jeton CSRF)."""
    html = cache.get(cle_fragment)
    if html is None:
        html = rendre()
        if "csrfmiddlewaretoken" not in html and not versions.en_attente(*versions.REFERENTIEL):
            cache.set(cle_fragment, html, 3600)
    return mark_safe(html)  # noqa: S308 - rendu par nos gabarits

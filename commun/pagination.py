"""Compte de pagination gardé en cache sous les versions des données (commun/versions.py).

Une liste paginée compte ses lignes (`COUNT(*)` sur toute la sélection filtrée) à chaque page : ouvrir la page 2,
trier autrement, revenir à la page 1 refait le même compte. `paginateur(espaces, page)` rend un `Paginator` dont le
compte est gardé en cache sous une clé faite de ce qui choisit les lignes de la liste (`cle_de_la_page` :
l'utilisateur, les critères de son filtre, la date, le code) et des versions des applications dont elle dépend :
toute écriture validée dans l'une d'elles change la version, donc la clé, et le compte est refait. Un agrégat d'une
sélection hors d'une liste (`agregat_en_cache`) est gardé sous une clé faite du SQL exact de la sélection. Dans une
transaction qui a écrit sans valider, la version porte un jeton propre à la transaction (le compte n'est relu que
par elle) et rien n'est gardé.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import cached_property

from . import versions
from .fragments import empreinte_du_projet


def _selection(liste):
    """Le QuerySet derrière ce que pagine django-tables2 (BoundRows -> TableQuerysetData -> QuerySet) ou un
    QuerySet ; None sinon."""
    if isinstance(liste, QuerySet):
        return liste
    donnees = getattr(getattr(liste, "data", None), "data", None)
    return donnees if isinstance(donnees, QuerySet) else None


def _lignes(selection):
    """Ce qui fait les lignes de la sélection, sans l'ordre ni ce qu'elles montrent : pour une sélection simple de
    modèle (ni regroupement, ni `values()`, ni union, ni DISTINCT, qui porte sur toutes les colonnes : une colonne
    montrée par une jointure y change le nombre de lignes), ses clés seules. Le même ensemble de lignes donne le
    même SQL, deux ensembles différents un SQL différent (jointures, conditions, périmètre), et le compilateur ne
    compile plus les sous-requêtes des colonnes affichées (0,85 ms par page de contrats, au lieu de 0,2)."""
    selection = selection.order_by()  # un compte (un agrégat) ne dépend pas de l'ordre
    requete = selection.query
    simple = requete.group_by is None and not requete.combinator and not requete.values_select and not requete.distinct
    return selection.values("pk") if simple else selection


def cle_compte(selection, espaces, nom="compte", precisions=()):
    # Un autre tri, une autre page de la même sélection retrouve le même compte.
    sql, parametres = _lignes(selection).query.sql_with_params()
    lues = versions.versions(*espaces)
    brut = f"{selection.db}|{sql}|{parametres!r}|{precisions!r}"
    empreinte = hashlib.sha1(brut.encode(), usedforsecurity=False).hexdigest()
    return f"{nom}:{empreinte}:{lues}"


def _garde(cle, espaces, calculer):
    valeur = cache.get(cle)
    if valeur is None:
        valeur = calculer()
        if not versions.en_attente(*espaces):
            cache.set(cle, valeur, getattr(settings, "PAGES_CACHE_DUREE", 300))
    return valeur


def agregat_en_cache(selection, espaces, nom, calculer, precisions=()):
    """Un agrégat de la sélection (total, compte…) gardé sous les versions de `espaces`, comme le compte : la
    clé est faite du SQL de la sélection, de `precisions` (période…) et des versions ; `calculer()` sinon."""
    espaces = tuple(sorted(espaces or versions.applications_du_projet()))
    try:
        cle = cle_compte(selection, espaces, nom, precisions)
    except EmptyResultSet:
        return calculer()
    return _garde(cle, espaces, calculer)


def cle_de_la_page(request, criteres, espaces, nom, precisions=()):
    """La clé d'un agrégat des lignes d'une liste (son compte, un total) : ce qui choisit ses lignes, sans compiler
    leur SQL (0,3 à 0,5 ms par agrégat). Les lignes d'une liste sont la sélection de l'utilisateur (son périmètre)
    filtrée par ses critères (`criteres` : les valeurs reçues pour les champs de son filtre, `fragments.criteres`),
    à la date du jour, par le code du projet, sous les versions des données : la clé en est faite, sans le tri, la
    page, le nombre de lignes par page ni aucun autre paramètre de l'adresse, qui ne changent pas les lignes."""
    brut = repr((request.path, criteres, precisions))
    empreinte = hashlib.sha1(brut.encode(), usedforsecurity=False).hexdigest()
    return (
        f"{nom}-page:{empreinte_du_projet()}:{request.user.pk}:{versions.versions(*espaces)}:"
        f"{timezone.localdate().isoformat()}:{empreinte}"
    )


def agregat_de_la_page(page, selection, espaces, nom, calculer, precisions=()):
    """Un agrégat des lignes d'une liste, gardé sous `cle_de_la_page` (`page` : la requête et les critères du
    filtre) ; sous la clé de son SQL (`agregat_en_cache`) sans `page`."""
    espaces = tuple(sorted(espaces or versions.applications_du_projet()))
    if page is None:
        return agregat_en_cache(selection, espaces, nom, calculer, precisions)
    request, criteres = page
    return _garde(cle_de_la_page(request, criteres, espaces, nom, precisions), espaces, calculer)


class PaginateurCompteEnCache(Paginator):
    espaces = ()  # posés par paginateur()
    page_de_la_liste = None

    @cached_property
    def count(self):
        selection = _selection(self.object_list)
        if selection is None or not self.espaces:
            return super().count

        def compter():
            return Paginator.count.func(self)

        return agregat_de_la_page(self.page_de_la_liste, selection, self.espaces, "compte", compter)


def paginateur(espaces, page=None):
    """Une classe de `Paginator` pour une liste qui dépend de ces applications (toutes si vide) ; `page` : la
    requête et les critères du filtre de la liste (`cle_de_la_page`), sinon le compte est gardé sous son SQL."""
    espaces = tuple(sorted(espaces or versions.applications_du_projet()))
    attributs = {"espaces": espaces, "page_de_la_liste": page}
    return type("PaginateurCompteEnCache", (PaginateurCompteEnCache,), attributs)

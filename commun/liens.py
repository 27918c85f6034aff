"""L'adresse d'une vue qui ne prend que la clé d'un objet (`<int:pk>`), sans refaire `reverse` à chaque ligne ;
celle d'une vue sans paramètre (`adresse_fixe`), sans refaire `reverse` à chaque page.

Une liste de 50 lignes lie chaque ligne à la fiche de son objet, parfois à un second (l'employeur d'un contrat) :
une centaine de `reverse` par page, chacun parcourant le résolveur d'adresses. L'adresse d'une telle vue est
toujours la même à la clé près : elle est calculée une fois par vue (et par préfixe d'adresse, par configuration
d'adresses) avec une clé témoin, puis la clé y est placée. Le résultat est celui de `reverse(nom, args=[pk])` ;
une clé qui n'est pas un entier positif passe par `reverse` lui-même.

Le préfixe d'adresse et la configuration d'adresses de la requête sont gardés par Django dans des variables locales
d'asgiref, dont chaque lecture coûte plusieurs microsecondes (verrou, variable de contexte, exception quand la
configuration n'est pas changée) : deux lectures par adresse, deux cents par page pour la liste des contrats. Un
bloc d'écriture qui fait beaucoup d'adresses (corps d'un tableau, résultats d'une recherche, barre de navigation)
les lit une fois (`adresses_d_une_requete`) : ils ne changent pas pendant qu'une page s'écrit.
"""

import contextlib
import functools
from contextvars import ContextVar

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# Une clé témoin assez longue pour ne paraître nulle part ailleurs dans une adresse.
TEMOIN = 918273645546372819


def _sous_le_prefixe(adresse, prefixe):
    """`adresse` (de `reverse`, sous le préfixe courant) sous `prefixe`, celui de la clé du cache : la valeur gardée
    et sa clé ne peuvent pas se contredire."""
    courant = get_script_prefix()
    return prefixe + adresse[len(courant) :] if adresse.startswith(courant) else adresse


@functools.lru_cache(maxsize=512)
def _morceaux(nom, prefixe, urlconf):
    adresse = _sous_le_prefixe(reverse(nom, args=[TEMOIN], urlconf=urlconf), prefixe)
    if adresse.count(str(TEMOIN)) != 1:
        return None
    avant, _, apres = adresse.partition(str(TEMOIN))
    return avant, apres


@functools.lru_cache(maxsize=512)
def _adresse_fixe(nom, prefixe, urlconf):
    return _sous_le_prefixe(reverse(nom, urlconf=urlconf), prefixe)


# (préfixe d'adresse, configuration d'adresses) lus à l'entrée du bloc `adresses_d_une_requete` en cours, ou None.
_lus_pour_le_bloc = ContextVar("adresses_lues_pour_le_bloc", default=None)


def _prefixe_et_configuration():
    lus = _lus_pour_le_bloc.get()
    return lus if lus is not None else (get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@contextlib.contextmanager
def adresses_d_une_requete():
    """Bloc où `adresse_par_cle` et `adresse_fixe` lisent le préfixe d'adresse et la configuration d'adresses de la
    requête une fois, à l'entrée, au lieu de deux lectures de variables locales d'asgiref par adresse. À n'ouvrir
    qu'autour d'une écriture (rien n'y change le préfixe ni la configuration) ; les blocs s'emboîtent."""
    jeton = _lus_pour_le_bloc.set((get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF))
    try:
        yield
    finally:
        _lus_pour_le_bloc.reset(jeton)


def prefixe_et_configuration():
    """(préfixe d'adresse, configuration d'adresses) de la requête en cours, à passer à `adresse_fixe` par qui fait
    plusieurs adresses hors d'un bloc `adresses_d_une_requete` (la mise en page : une lecture par page)."""
    return _prefixe_et_configuration()


def adresse_fixe(nom, lus=None):
    """`reverse(nom)` d'une vue sans paramètre, calculée une fois par préfixe d'adresse et configuration d'adresses
    (la barre de navigation en demande une vingtaine par page) ; `lus` : ce que rend `prefixe_et_configuration()`,
    lu une fois pour plusieurs adresses."""
    return _adresse_fixe(nom, *(lus or _prefixe_et_configuration()))


def adresse_par_cle(nom, pk):
    """`reverse(nom, args=[pk])` pour une vue dont la clé entière est le seul paramètre."""
    morceaux = _morceaux(nom, *_prefixe_et_configuration())
    if morceaux is None or type(pk) is not int or pk < 0:  # `<int:pk>` ne reconnaît pas un entier négatif
        return reverse(nom, args=[pk])
    return f"{morceaux[0]}{pk}{morceaux[1]}"

"""L'adresse d'une vue qui ne prend que la clé d'un objet (`<int:pk>`), sans refaire `reverse` à chaque ligne ;
celle d'une vue sans paramètre (`adresse_fixe`), sans refaire `reverse` à chaque page.

Une liste de 50 lignes lie chaque ligne à la fiche de son objet, parfois à un second (l'employeur d'un contrat) :
une centaine de `reverse` par page, chacun parcourant le résolveur d'adresses. L'adresse d'une telle vue est
toujours la même à la clé près : elle est calculée une fois par vue (et par préfixe d'adresse, par configuration
d'adresses) avec une clé témoin, puis la clé y est placée. Le résultat est celui de `reverse(nom, args=[pk])` ;
une clé qui n'est pas un entier positif passe par `reverse` lui-même.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# Une clé témoin assez longue pour ne paraître nulle part ailleurs dans une adresse.
TEMOIN = 918273645546372819


@functools.lru_cache(maxsize=512)
def _morceaux(nom, prefixe, urlconf):
    adresse = reverse(nom, args=[TEMOIN], urlconf=urlconf)
    if adresse.count(str(TEMOIN)) != 1:
        return None
    avant, _, apres = adresse.partition(str(TEMOIN))
    return avant, apres


@functools.lru_cache(maxsize=512)
def _adresse_fixe(nom, prefixe, urlconf):
    return reverse(nom, urlconf=urlconf)


def adresse_fixe(nom):
    """`reverse(nom)` d'une vue sans paramètre, calculée une fois par préfixe d'adresse et configuration d'adresses
    (la barre de navigation en demande une vingtaine par page)."""
    return _adresse_fixe(nom, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


def adresse_par_cle(nom, pk):
    """`reverse(nom, args=[pk])` pour une vue dont la clé entière est le seul paramètre."""
    morceaux = _morceaux(nom, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    if morceaux is None or type(pk) is not int or pk < 0:  # `<int:pk>` ne reconnaît pas un entier négatif
        return reverse(nom, args=[pk])
    return f"{morceaux[0]}{pk}{morceaux[1]}"

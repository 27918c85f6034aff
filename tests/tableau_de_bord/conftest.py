import pytest
from django.core.cache import cache

from tableau_de_bord import registre


@pytest.fixture(autouse=True)
def _cache_vide():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def registre_isole():
    """Remplace les déclarations par celles du test (restaurées ensuite) ; rend la fonction d'enregistrement."""
    sauvegarde = dict(registre._declarations)
    registre._declarations.clear()

    def declarer(fonction, *, axe, ordre=50, modeles=(), periode=True):
        return registre.indicateur(axe=axe, ordre=ordre, modeles=modeles, periode=periode)(fonction)

    yield declarer
    registre._declarations.clear()
    registre._declarations.update(sauvegarde)

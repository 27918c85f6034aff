"""Concurrence réelle pour les tests PostgreSQL : n fils, chacun avec sa propre connexion, partent ensemble.

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_vingt_reservations_simultanees(postgresql_requis):
    resultats = en_parallele(lambda i: location_reserver(...), n=20)
    assert sum(1 for r in resultats if not isinstance(r, Exception)) == 1
"""

import threading

import pytest
from django.db import connection, connections


@pytest.fixture
def postgresql_requis():
    if connection.vendor != "postgresql":
        pytest.skip(
            "Garantie propre à PostgreSQL (verrous de ligne ou contrainte d'exclusion) : "
            "lancez la suite avec DATABASE_URL=postgres://..."
        )


def en_parallele(fonction, n=20):
    """Lance fonction(i) dans n fils synchronisés ; rend la liste des résultats ou des exceptions levées."""
    barriere = threading.Barrier(n)
    resultats = [None] * n

    def travail(i):
        try:
            barriere.wait(timeout=30)
            resultats[i] = fonction(i)
        except Exception as exc:  # noqa: BLE001 - on rend l'exception au test, qui la vérifie
            resultats[i] = exc
        finally:
            connections.close_all()

    fils = [threading.Thread(target=travail, args=(i,)) for i in range(n)]
    for f in fils:
        f.start()
    for f in fils:
        f.join(timeout=120)
    return resultats

"""La signature des rendus de django-tables2 est calculée une fois par fonction, pas à chaque cellule."""

import inspect
from unittest import mock

import django_tables2 as tables
from django_tables2 import utils

from comptes import tableaux


class Ligne:
    def __init__(self, nom):
        self.nom = nom


class Tableau(tables.Table):
    nom = tables.Column()
    double = tables.Column(accessor="nom", verbose_name="Double")

    def render_double(self, value, record):
        return f"{value}-{record.nom}"


def test_signature_installee_au_demarrage():
    assert utils.signature is tableaux.signature_memorisee


def test_meme_resultat_que_la_fonction_d_origine():
    def libre(value, record, **kwargs):
        return value

    table = Tableau([])
    for fn in (libre, table.render_double, Tableau.render_double, len):
        assert tableaux.signature_memorisee(fn) == tableaux._signature_origine(fn)
    # Méthode liée et fonction nue ne se confondent pas (self retiré de la première seulement).
    assert tableaux.signature_memorisee(table.render_double) == (("value", "record"), None)
    assert tableaux.signature_memorisee(Tableau.render_double) == (("self", "value", "record"), None)


def test_une_introspection_par_fonction_pour_toute_la_page():
    tableaux._memo.clear()
    table = Tableau([Ligne(f"n{i}") for i in range(50)])
    with mock.patch.object(inspect, "signature", wraps=inspect.signature) as espion:
        cellules = [cellule for ligne in table.rows for cellule in ligne]
    assert cellules[:2] == ["n0", "n0-n0"]
    assert len(cellules) == 100
    # Sans la mémorisation : une introspection par cellule rendue par render_double (50).
    assert espion.call_count <= 2


def test_le_cache_est_borne():
    tableaux._memo.clear()
    with mock.patch.object(tableaux, "TAILLE_MAX", 3):
        for i in range(10):
            exec(f"def f{i}(value): return value", ns := {})
            tableaux.signature_memorisee(ns[f"f{i}"])
            assert len(tableaux._memo) <= 3

"""Réglages communs des listes : signature des rendus mémorisée, colonnes de date, corps des tableaux écrit en
Python, choix des filtres de modèle lus sans curseur côté serveur."""

import inspect
from unittest import mock

import django_tables2 as tables
import pytest
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


class Contrat:
    def __init__(self, debut):
        self.debut = debut


class TableauDates(tables.Table):
    debut = tableaux.ColonneDate(verbose_name="Début", default="non signée")


def test_colonne_date_jour_mois_annee_a_l_ecran_iso_a_l_export():
    import datetime

    table = TableauDates([Contrat(datetime.date(2017, 3, 9)), Contrat(None)])
    assert [ligne.get_cell("debut") for ligne in table.rows] == ["09/03/2017", "non signée"]
    assert list(table.as_values()) == [["Début"], ["2017-03-09"], [None]]


class Mesure:
    def __init__(self, nom, montant, heures, pk):
        self.nom, self.montant, self.heures, self.pk = nom, montant, heures, pk


class TableauMesures(tables.Table):
    nom = tables.Column(attrs={"td": {"class": "text-uppercase", "data-nom": lambda record: record.nom}})
    montant = tables.Column(attrs={"td": {"class": "text-end"}})
    heures = tables.Column(localize=False)
    pk = tables.Column(localize=True, verbose_name="N°")

    class Meta:
        empty_text = "Aucune mesure."
        row_attrs = {"data-id": lambda record: record.pk}


def _corps(table, gabarit):
    """Le contenu du <tbody> rendu par `gabarit`, espaces normalisés."""
    import re

    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    table.paginate(per_page=50)
    html = Template("{% load django_tables2 %}{% render_table table '" + gabarit + "' %}").render(
        Context({"table": table, "request": request})
    )
    corps = re.search(r"<tbody[^>]*>(.*?)</tbody>", html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", corps)).strip()


def test_corps_ecrit_en_python_identique_au_gabarit_de_django_tables2(settings):
    from decimal import Decimal

    settings.USE_THOUSAND_SEPARATOR = True
    lignes = [
        Mesure("<b>dupont</b>", Decimal("1234.5"), Decimal("20.5"), 12345),
        Mesure("martin", Decimal("0.25"), None, 7),
    ]
    attendu = _corps(TableauMesures(lignes), "django_tables2/bootstrap5.html")
    obtenu = _corps(TableauMesures(lignes), "django_tables2/plan_emploi.html")
    assert obtenu == attendu
    # Ce qui est vérifié : échappement, attributs calculés par ligne, localisation française (virgule).
    assert "&lt;b&gt;dupont&lt;/b&gt;" in obtenu
    assert 'data-nom="martin"' in obtenu and 'data-id="7"' in obtenu
    assert "1 234,5" in obtenu.replace("\xa0", " ") and ">20.5<" in obtenu and "12 345" in obtenu.replace("\xa0", " ")


def test_tableau_vide_meme_ligne_que_le_gabarit():
    attendu = _corps(TableauMesures([]), "django_tables2/bootstrap5.html")
    assert _corps(TableauMesures([]), "django_tables2/plan_emploi.html") == attendu
    assert "Aucune mesure." in attendu and 'colspan="4"' in attendu


@pytest.mark.django_db
def test_filtre_de_modele_lit_ses_choix_sans_curseur_serveur(bassins, django_assert_num_queries):
    import django_filters

    from comptes.filtres import ModelChoiceFilter
    from referentiel.models import BassinEmploi

    class Filtre(django_filters.FilterSet):
        bassin = ModelChoiceFilter(queryset=BassinEmploi.objects.order_by("nom"), empty_label="Tous")

        class Meta:
            model = BassinEmploi
            fields = []

    champ = Filtre({}).form["bassin"]
    with django_assert_num_queries(1) as requetes:
        html = str(champ)
    assert not requetes.captured_queries[0]["sql"].upper().startswith("DECLARE")
    assert html.index(">Tous<") < html.index(">Gien<") < html.index(">Orléans<")

"""Un seul format des montants en euros à l'écran : « 1 234,50 € » (espace fine insécable U+202F pour les
milliers, virgule décimale, deux décimales, espace insécable U+00A0 avant « € ») ; « — » si absent."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from commun.francais import euros, millions_euros, montant

F, N = "\u202f", "\u00a0"  # espace fine insécable (milliers), espace insécable (avant « € »)


@pytest.mark.parametrize(
    "valeur,attendu",
    [(Decimal("1234.5"), f"1{F}234,50{N}€"), (Decimal("87900000"), f"87{F}900{F}000,00{N}€"),
     (Decimal("0"), f"0,00{N}€"), (Decimal("646.52"), f"646,52{N}€"), (Decimal("999.99"), f"999,99{N}€"),
     (Decimal("568.9376"), f"568,94{N}€"), (Decimal("2.345"), f"2,35{N}€"), (Decimal("2.344"), f"2,34{N}€"),
     (Decimal("999.995"), f"1{F}000,00{N}€"), (Decimal("-1234.5"), f"-1{F}234,50{N}€"),
     (Decimal("-0.001"), f"0,00{N}€"), (1250, f"1{F}250,00{N}€"), (-3, f"-3,00{N}€"), (1234.5, f"1{F}234,50{N}€"),
     (0.1 + 0.2, f"0,30{N}€"), ("1234.5", f"1{F}234,50{N}€"), (" 12 ", f"12,00{N}€"), ("-7.005", f"-7,01{N}€")],
)  # fmt: skip
def test_montant_en_euros(valeur, attendu):
    assert euros(valeur) == attendu


@pytest.mark.parametrize(
    "valeur", [None, "", "   ", "abc", "12,5", "1 234", [], object(), True, float("nan"), float("inf"), Decimal("1e40")]
)
def test_valeur_absente_ou_pas_un_nombre(valeur):
    """Jamais d'erreur : le marqueur du vide (« — » par défaut, ou celui demandé)."""
    assert euros(valeur) == "—"
    assert euros(valeur, vide="") == ""
    assert montant(valeur) is None


def test_montant_sans_symbole_et_millions():
    assert montant(Decimal("186500")) == f"186{F}500,00" and montant(Decimal("1234.56"), decimales=1) == f"1{F}234,6"
    assert millions_euros(Decimal("87900000")) == f"87,9{N}M€"
    assert millions_euros(Decimal("1234560000")) == f"1{F}234,6{N}M€"
    assert millions_euros(None) == "—" and millions_euros("x") == "—"


def test_filtre_de_gabarit():
    gabarit = Template('{% load francais %}{{ a|euros }}|{{ b|euros }}|{{ b|euros:"" }}|{{ c|euros }}')
    rendu = gabarit.render(Context({"a": Decimal("1234.5"), "b": None, "c": "pas un nombre"}))
    assert rendu == f"1{F}234,50{N}€|—||—"


def test_memes_filtres_dans_chaque_application():
    """Les filtres `euros` des applications sont celui de commun : une même somme s'écrit partout pareil."""
    from mobilite.templatetags import mobilite
    from placement.templatetags import placement_format
    from tableau_de_bord.templatetags import tableau_de_bord

    for module in (mobilite, placement_format, tableau_de_bord):
        assert module.register.filters["euros"](Decimal("1234.5")) == f"1{F}234,50{N}€"
        assert module.register.filters["euros"](None) == "—"

"""Élision : « Commune d'Amilly », « bassin d'Orléans », « consacré à l'hôtellerie », « de Gien »."""

import pytest
from django.template import Context, Template

from commun.francais import de, le


@pytest.mark.parametrize(
    "mot,attendu",
    [("Amilly", "d'Amilly"), ("Orléans", "d'Orléans"), ("Gien", "de Gien"), ("Yèvre-la-Ville", "d'Yèvre-la-Ville"),
     ("Hérouville", "d'Hérouville"), ("Hautefeuille", "de Hautefeuille"), ("", "de ")],
)  # fmt: skip
def test_de(mot, attendu):
    assert de(mot) == attendu


def test_le():
    assert le("hôtellerie", feminin=True) == "l'hôtellerie" and le("propreté", feminin=True) == "la propreté"
    assert le("bâtiment") == "le bâtiment"


def test_filtre_de_gabarit():
    rendu = Template("{% load francais %}Commune {{ a|de }}, bassin {{ b|de }}, consacré à {{ c|le:'f' }}").render(
        Context({"a": "Amilly", "b": "Orléans", "c": "hôtellerie"})
    )
    assert rendu == "Commune d&#x27;Amilly, bassin d&#x27;Orléans, consacré à l&#x27;hôtellerie"


def test_pluriel_a_la_francaise():
    gabarit = Template(
        "{% load francais %}{{ n }} place{{ n|pluriel }} libre{{ n|pluriel }}, {{ n|pluriel:'figure,figurent' }}"
    )
    assert [gabarit.render(Context({"n": n})) for n in (0, 1, 2)] == [
        "0 place libre, figure",
        "1 place libre, figure",
        "2 places libres, figurent",
    ]


def test_nombre_de_jours_accorde():
    from commun.francais import jours

    assert [jours(0), jours(1), jours(2), jours(15)] == ["0 jour", "1 jour", "2 jours", "15 jours"]

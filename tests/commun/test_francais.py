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


def test_nombre_avec_separateur_de_milliers():
    from commun.francais import nombre

    assert nombre(23239) == "23\xa0239" and nombre(1_250_000) == "1\xa0250\xa0000" and nombre(999) == "999"
    assert nombre(-1200) == "-1\xa0200" and nombre("—") == "—"


@pytest.mark.parametrize(
    "n,singulier,pluriel,attendu",
    [(0, "commune créée", None, "0 commune créée"), (1, "commune créée", None, "1 commune créée"),
     (325, "commune créée", None, "325 communes créées"), (23239, "personne", None, "23\xa0239 personnes"),
     (2, "doublon probable", None, "2 doublons probables"), (3, "refus", None, "3 refus"),
     (2, "mise à jour", "mises à jour", "2 mises à jour"), (1, "mise à jour", "mises à jour", "1 mise à jour"),
     (4, "autre session terminée", None, "4 autres sessions terminées")],
)  # fmt: skip
def test_compte_accorde_et_groupe(n, singulier, pluriel, attendu):
    from commun.francais import compte

    assert compte(n, singulier, pluriel) == attendu


def test_filtres_nombre_compte_et_accorde():
    gabarit = Template(
        '{% load francais %}{{ n|nombre }}|{{ n|compte:"forum" }}|{{ n|compte:"mise à jour,mises à jour" }}|'
        '{{ "contrats"|accorde:n }}|{{ "%"|accorde:n }}|{{ "pour 100 présents"|accorde:n }}'
    )
    rendus = [gabarit.render(Context({"n": n})) for n in (0, 1, 23239)]
    assert rendus == [
        "0|0 forum|0 mise à jour|contrat|%|pour 100 présents",
        "1|1 forum|1 mise à jour|contrat|%|pour 100 présents",
        "23\xa0239|23\xa0239 forums|23\xa0239 mises à jour|contrats|%|pour 100 présents",
    ]


def test_accord_en_genre_selon_la_civilite():
    from commun.francais import genre

    assert [genre("inscrit", c) for c in ("MME", "M", "", None)] == ["inscrite", "inscrit", "inscrit(e)", "inscrit(e)"]
    rendu = Template('{% load francais %}{{ "né"|genre:"MME" }} / {{ "né"|genre:"M" }} / {{ "né"|genre:"" }}')
    assert rendu.render(Context()) == "née / né / né(e)"

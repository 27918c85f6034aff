"""L'arithmétique propre au tableau de bord, sur des données construites à la main (réponses connues)."""

from datetime import date
from decimal import Decimal

import pytest

from tableau_de_bord.registre import Indicateur, Ventilation, taux, taux_par_cle
from tableau_de_bord.selecteurs import cibles, completer, mois_de, periode_precedente
from tableau_de_bord.svg import echelle_max, histogramme


@pytest.mark.parametrize(
    ("debut", "fin", "attendu"),
    [
        # Une année entière : l'année d'avant.
        (date(2018, 1, 1), date(2018, 12, 31), (date(2017, 1, 1), date(2017, 12, 31))),
        # Un mois : le mois d'avant (même s'il est plus court).
        (date(2017, 12, 1), date(2017, 12, 31), (date(2017, 11, 1), date(2017, 11, 30))),
        (date(2018, 3, 1), date(2018, 3, 31), (date(2018, 2, 1), date(2018, 2, 28))),
        # Un trimestre à cheval sur deux années.
        (date(2018, 1, 1), date(2018, 3, 31), (date(2017, 10, 1), date(2017, 12, 31))),
        # Une période quelconque : même nombre de jours, juste avant.
        (date(2018, 3, 10), date(2018, 3, 19), (date(2018, 2, 28), date(2018, 3, 9))),
        (date(2018, 1, 1), date(2018, 1, 1), (date(2017, 12, 31), date(2017, 12, 31))),
    ],
)
def test_periode_precedente_de_meme_longueur(debut, fin, attendu):
    assert periode_precedente(debut, fin) == attendu


def test_mois_de_la_periode():
    assert mois_de(date(2017, 11, 15), date(2018, 2, 3)) == [
        date(2017, 11, 1),
        date(2017, 12, 1),
        date(2018, 1, 1),
        date(2018, 2, 1),
    ]
    assert len(mois_de(date(2018, 1, 1), date(2018, 12, 31))) == 12


def _o(annee, code, bassin_id, valeur):
    return {"annee": annee, "code": code, "bassin_id": bassin_id, "valeur": Decimal(valeur)}


OBJECTIFS = [
    # Placement 2018 : cibles par bassin (somme 600) et aucune cible départementale.
    _o(2018, "entrees", 1, 270),
    _o(2018, "entrees", 2, 150),
    _o(2018, "entrees", 3, 90),
    _o(2018, "entrees", 4, 90),
    # Contrats 2017 : seulement une cible départementale.
    _o(2017, "contrats", None, 60),
    # Forums 2018 : cible départementale (100) qui prime sur la somme des bassins (80).
    _o(2018, "forums", None, 100),
    _o(2018, "forums", 1, 50),
    _o(2018, "forums", 2, 30),
]


def test_cible_totale_somme_des_bassins_sans_cible_departementale():
    resultat = cibles(OBJECTIFS, annees={2018}, bassin_ids={1, 2, 3, 4}, restreint=False)
    total, par_bassin = resultat["entrees"]
    assert total == 600
    assert par_bassin == {1: 270, 2: 150, 3: 90, 4: 90}


def test_cible_departementale_prime_sur_la_somme_des_bassins():
    total, par_bassin = cibles(OBJECTIFS, annees={2018}, bassin_ids={1, 2, 3, 4}, restreint=False)["forums"]
    assert total == 100
    assert par_bassin == {1: 50, 2: 30}


def test_vue_restreinte_cible_des_seuls_bassins_visibles():
    resultat = cibles(OBJECTIFS, annees={2018}, bassin_ids={1, 3}, restreint=True)
    assert resultat["entrees"] == (360, {1: 270, 3: 90})
    # La cible départementale ne vaut pas pour une partie du territoire.
    assert resultat["forums"] == (50, {1: 50})
    assert cibles(OBJECTIFS, annees={2017}, bassin_ids={1}, restreint=True)["contrats"] == (None, {})


def test_cibles_de_plusieurs_annees_additionnees_et_autres_annees_ignorees():
    objectifs = [*OBJECTIFS, _o(2017, "entrees", None, 100)]
    assert cibles(objectifs, annees={2017, 2018}, bassin_ids={1, 2, 3, 4}, restreint=False)["entrees"][0] == 700
    assert cibles(objectifs, annees={2019}, bassin_ids={1, 2, 3, 4}, restreint=False) == {}


def test_progression_et_evolution():
    ind = completer(
        Indicateur(code="x", libelle="x", valeur=150),
        cible=Decimal(600),
        cibles_bassin={1: Decimal(270)},
        precedent=120,
    )
    assert ind.cible == 600 and isinstance(ind.cible, int)
    assert ind.cibles_bassin == {1: 270}
    assert ind.progression == Decimal("25.0")
    assert ind.evolution == 30
    assert ind.evolution_pct == Decimal("25.0")


def test_progression_arrondie_au_dixieme_et_au_dela_de_100():
    def progression(valeur, cible):
        ind = Indicateur(code="x", libelle="x", valeur=valeur)
        return completer(ind, cible=cible, cibles_bassin={}, precedent=0).progression

    assert progression(52, 60) == Decimal("86.7")
    assert progression(90, 60) == Decimal("150.0")


def test_evolution_sans_base_ou_sans_cible():
    ind = completer(Indicateur(code="x", libelle="x", valeur=52), cible=None, cibles_bassin={}, precedent=0)
    assert ind.progression is None
    assert ind.evolution == 52
    assert ind.evolution_pct is None  # pas de pourcentage depuis zéro
    baisse = completer(Indicateur(code="x", libelle="x", valeur=30), cible=None, cibles_bassin={}, precedent=40)
    assert baisse.evolution == -10 and baisse.evolution_pct == Decimal("-25.0")
    inconnu = completer(Indicateur(code="x", libelle="x", valeur=30), cible=None, cibles_bassin={}, precedent=None)
    assert inconnu.evolution is None and inconnu.evolution_pct is None


def test_taux():
    assert taux(9, 52) == Decimal("17.3")
    assert taux(1, 0) is None


def test_echelle_ronde_des_graphiques():
    assert [echelle_max(v) for v in (0, 1, 3, 7, 12, 52, 270, 1000)] == [1, 1, 5, 10, 20, 100, 500, 1000]


def test_histogramme_sans_style_en_ligne_et_textes_echappes():
    svg = histogramme(
        ident="g",
        titre="<Contrats> & signés",
        serie=[(date(2017, 11, 1), 0), (date(2017, 12, 1), 52)],
        unite="contrats",
    )
    assert "style=" not in svg
    assert "<script" not in svg
    assert "&lt;Contrats&gt; &amp; signés" in svg
    assert svg.count("<rect") == 2
    assert 'role="img"' in svg and 'aria-labelledby="g-titre"' in svg
    assert "déc. 17 : 52 contrats" in svg


def test_bassin_ou_mois_absent_vaut_zero_pour_un_compte_et_rien_pour_un_taux():
    compte = Indicateur(code="c", libelle="c", valeur=3, par_bassin={1: 3}, ventile=True)
    assert compte.additif and compte.valeur_bassin(2) == 0 and compte.valeur_mois(date(2018, 2, 1)) == 0
    assert compte.valeur_bassin_mois(2, date(2018, 2, 1)) == 0
    stock = Indicateur(code="s", libelle="s", valeur=14, par_bassin={1: 14})  # un stock : pas de mois
    assert stock.valeur_bassin(2) == 0 and stock.valeur_mois(date(2018, 2, 1)) is None
    assert stock.valeur_bassin_mois(1, date(2018, 2, 1)) is None
    taux_ = Indicateur(code="t", libelle="t", valeur=Decimal("50.0"), unite="%", par_bassin={1: Decimal("50.0")})
    assert not taux_.additif
    assert taux_.valeur_bassin(1) == Decimal("50.0") and taux_.valeur_bassin(2) is None
    assert taux_.valeur_mois(date(2018, 1, 1)) is None


def test_mise_en_forme_francaise():
    from django.utils import translation

    from tableau_de_bord.templatetags.tableau_de_bord import chiffre, euros, millions_euros, nombre, signe

    with translation.override("fr"):
        assert nombre(14293) == "14\u202f293" or nombre(14293).replace("\xa0", " ") == "14 293"
        assert nombre(None) == "—"
        assert nombre(Decimal("86.7")) == "86,7"
        assert chiffre(Decimal("186500"), "€") == "186\u202f500,00"
        assert euros(Decimal("87900000")) == "87\u202f900\u202f000,00\xa0€"
        assert millions_euros(Decimal("87900000")) == "87,9\xa0M€"
        assert signe(Decimal("-1234.5"), "€") == "−1\u202f234,50"
        assert signe(5) == "+5" and signe(-3) == "−3" and signe(0) == "0" and signe(None) == "—"


def test_ventilation_cumule_des_lignes_groupees_comme_ctx_compter():
    mars, janvier = date(2018, 3, 1), date(2018, 1, 1)
    cumul = Ventilation()
    for bassin, mois, valeur in [(1, mars, 2), (2, janvier, 3), (1, janvier, 5)]:
        cumul.ajouter(bassin, mois, valeur)
    ind = cumul.indicateur(code="x", libelle="X", unite="personnes", lien=("/liste", {1: "/liste?bassin=1"}))
    assert ind.valeur == 10
    assert ind.par_bassin == {1: 7, 2: 3}
    assert list(ind.par_mois.items()) == [(janvier, 8), (mars, 2)]  # mois dans l'ordre
    assert ind.par_bassin_mois == {(1, mars): 2, (2, janvier): 3, (1, janvier): 5}
    assert ind.ventile and ind.valeur_bassin(3) == 0
    assert (ind.lien, ind.liens_bassin) == ("/liste", {1: "/liste?bassin=1"})


def test_indicateur_avec_lien_sans_lien():
    ind = Indicateur.avec_lien(None, code="x", libelle="X", valeur=1)
    assert ind.lien is None and ind.liens_bassin == {}


def test_taux_par_cle_numerateur_absent_vaut_zero():
    assert taux_par_cle({1: 1}, {1: 4, 2: 5, 3: 0}) == {1: Decimal("25.0"), 2: Decimal("0.0"), 3: None}

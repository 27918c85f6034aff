"""tableau_calculer sur des données construites à la main : totaux par bassin et par mois, période précédente,
cibles, cache et invalidation, nombre de requêtes constant."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referentiel.models import BassinEmploi
from tableau_de_bord import cache as cache_tableau
from tableau_de_bord import registre
from tableau_de_bord.selecteurs import tableau_calculer
from tableau_de_bord.services import objectif_enregistrer, tableau_invalider
from tests.beneficiaires.factories import BeneficiaireFactory, EvaluationFactory
from tests.comptes.factories import UserFactory

from .indicateurs_test import declarer_tous

ANNEE_2018 = {"debut": date(2018, 1, 1), "fin": date(2018, 12, 31)}


def evaluation(bassin, jour, *, permis=True, evaluateur=None, **kwargs):
    personne = BeneficiaireFactory(commune=bassin.commune_test)
    if evaluateur is not None:
        kwargs["evaluateur"] = evaluateur
    return EvaluationFactory(beneficiaire=personne, date=jour, permis_b=permis, **kwargs)


@pytest.fixture
def jeu(bassins, registre_isole):
    """Orléans : 3 évaluations réalisées en 2018 (janv., janv., mars), Gien : 1 (mars), 1 prévue (non comptée),
    2017 : 2 à Orléans (période précédente), 2019 : 1 (hors période)."""
    declarer_tous(registre_isole)
    evaluateur = UserFactory(referent=True)
    o, g = bassins["Orléans"], bassins["Gien"]
    evaluation(o, date(2018, 1, 5), evaluateur=evaluateur)
    evaluation(o, date(2018, 1, 31), permis=False, evaluateur=evaluateur)
    evaluation(o, date(2018, 3, 1), evaluateur=evaluateur)
    evaluation(g, date(2018, 3, 15), permis=False, evaluateur=evaluateur)
    evaluation(g, date(2018, 6, 1), evaluateur=evaluateur, prevue=True)
    evaluation(o, date(2017, 12, 31), evaluateur=evaluateur)
    evaluation(o, date(2017, 2, 1), evaluateur=evaluateur)
    evaluation(o, date(2019, 1, 1), evaluateur=evaluateur)
    return bassins


def tous(bassins):
    return list(BassinEmploi.objects.order_by("nom"))


def test_totaux_par_bassin_par_mois_et_croises(jeu):
    t = tableau_calculer(**ANNEE_2018, bassins=tous(jeu), restreint=False, utiliser_cache=False)
    o, g = jeu["Orléans"].pk, jeu["Gien"].pk
    ind = t.indicateur("test_evaluations")
    assert ind.valeur == 4
    assert ind.par_bassin == {o: 3, g: 1}
    assert ind.par_mois == {date(2018, 1, 1): 2, date(2018, 3, 1): 2}
    assert ind.par_bassin_mois == {(o, date(2018, 1, 1)): 2, (o, date(2018, 3, 1)): 1, (g, date(2018, 3, 1)): 1}
    # Le total est la somme des bassins et la somme des mois.
    assert sum(ind.par_bassin.values()) == sum(ind.par_mois.values()) == ind.valeur
    # Mesure conditionnelle (Count filter=) : la prévue de juin compte (permis B) mais pas les sans permis.
    permis = t.indicateur("test_permis")
    assert permis.valeur == 3
    assert permis.par_bassin == {o: 2, g: 1}
    # Série mensuelle complète (12 mois, zéros compris).
    serie = t.serie(ind)
    assert len(serie) == 12 and serie[0] == (date(2018, 1, 1), 2) and serie[1] == (date(2018, 2, 1), 0)
    assert [c["valeur"] for c in t.cellules(ind)] == [1, 0, 3, 0]  # Gien, Montargis, Orléans, Pithiviers


def test_evolution_par_rapport_a_la_periode_precedente(jeu):
    t = tableau_calculer(**ANNEE_2018, bassins=tous(jeu), restreint=False, utiliser_cache=False)
    ind = t.indicateur("test_evaluations")
    assert (t.precedent_debut, t.precedent_fin) == (date(2017, 1, 1), date(2017, 12, 31))
    assert ind.precedent == 2
    assert ind.evolution == 2
    assert ind.evolution_pct == Decimal("100.0")
    # Les chiffres clés (stocks) ne sont pas recalculés sur la période précédente.
    assert t.indicateur("test_foyers").precedent is None and t.indicateur("test_foyers").evolution is None
    # Décembre 2017 contre novembre 2017 : 1 contre 0.
    dec = tableau_calculer(
        debut=date(2017, 12, 1), fin=date(2017, 12, 31), bassins=tous(jeu), restreint=False, utiliser_cache=False
    ).indicateur("test_evaluations")
    assert (dec.valeur, dec.precedent, dec.evolution, dec.evolution_pct) == (1, 0, 1, None)


def test_cibles_par_bassin_et_totale(jeu):
    o, g = jeu["Orléans"], jeu["Gien"]
    objectif_enregistrer(annee=2018, code="test_evaluations", valeur=Decimal(8))
    objectif_enregistrer(annee=2018, code="test_evaluations", bassin=o, valeur=Decimal(6))
    objectif_enregistrer(annee=2018, code="test_evaluations", bassin=g, valeur=Decimal(2))
    objectif_enregistrer(annee=2017, code="test_evaluations", valeur=Decimal(1000))  # autre année : ignorée
    t = tableau_calculer(**ANNEE_2018, bassins=tous(jeu), restreint=False, utiliser_cache=False)
    ind = t.indicateur("test_evaluations")
    assert ind.cible == 8
    assert ind.progression == Decimal("50.0")
    assert ind.cibles_bassin == {o.pk: 6, g.pk: 2}
    cellules = {c["bassin"]: c for c in t.cellules(ind)}
    assert cellules["Orléans"]["cible"] == 6 and cellules["Montargis"]["cible"] is None
    assert t.indicateur("test_permis").cible is None
    # Vue restreinte à Orléans : cible 6, valeur 3, progression 50 %.
    r = tableau_calculer(**ANNEE_2018, bassins=[o], restreint=True, utiliser_cache=False).indicateur("test_evaluations")
    assert (r.valeur, r.cible, r.progression) == (3, 6, Decimal("50.0"))


def test_vue_restreinte_ne_compte_que_ses_bassins(jeu):
    o = jeu["Orléans"]
    t = tableau_calculer(**ANNEE_2018, bassins=[o], restreint=True, utiliser_cache=False)
    ind = t.indicateur("test_evaluations")
    assert ind.valeur == 3
    assert ind.par_bassin == {o.pk: 3}
    assert t.bassins == [(o.pk, "Orléans")]
    assert ind.precedent == 2
    assert set(ind.liens_bassin) == {o.pk}
    assert f"bassin={o.pk}" in ind.lien


def test_chiffres_cles_dates(bassins, registre_isole):
    from tableau_de_bord.models import ChiffreCle
    from tableau_de_bord.services import chiffre_cle_enregistrer

    chiffre_cle_enregistrer(nature=ChiffreCle.Nature.BUDGET_RSA, date=date(2017, 1, 1), valeur=Decimal("87900000"))
    chiffre_cle_enregistrer(nature=ChiffreCle.Nature.BUDGET_RSA, date=date(2018, 1, 1), valeur=Decimal("89000000"))
    chiffre_cle_enregistrer(nature=ChiffreCle.Nature.FOYERS_RSA, date=date(2017, 9, 30), valeur=14293)
    chiffre_cle_enregistrer(nature=ChiffreCle.Nature.PERSONNES_RSA, date=date(2017, 9, 30), valeur=28485)
    t = tableau_calculer(
        debut=date(2017, 1, 1), fin=date(2017, 12, 31), bassins=tous(bassins), restreint=False, utiliser_cache=False
    )
    assert t.budget["valeur"] == Decimal("87900000") and t.budget["annee"] == 2017
    assert [(r["libelle"], r["valeur"]) for r in t.reperes] == [
        ("Foyers au RSA (repère)", 14293),
        ("Personnes couvertes par le RSA (repère)", 28485),
    ]
    t2018 = tableau_calculer(**ANNEE_2018, bassins=tous(bassins), restreint=False, utiliser_cache=False)
    assert t2018.budget["annee"] == 2018
    t2016 = tableau_calculer(
        debut=date(2016, 1, 1), fin=date(2016, 12, 31), bassins=tous(bassins), restreint=False, utiliser_cache=False
    )
    assert t2016.budget is None and t2016.reperes == []


# --- Cache ---------------------------------------------------------------------------------------------


def test_cache_sert_le_meme_resultat_sans_requete(jeu, django_assert_num_queries):
    bassins = tous(jeu)
    premier = tableau_calculer(**ANNEE_2018, bassins=bassins, restreint=False)
    with django_assert_num_queries(1):  # les versions des données, en base
        second = tableau_calculer(**ANNEE_2018, bassins=bassins, restreint=False)
    assert second.indicateur("test_evaluations").valeur == premier.indicateur("test_evaluations").valeur == 4
    # Une autre période ou d'autres bassins : une autre clé.
    with CaptureQueriesContext(connection) as requetes:
        tableau_calculer(**ANNEE_2018, bassins=bassins[:1], restreint=True)
    assert len(requetes) > 0


def test_page_de_la_periode_precedente(jeu, django_assert_num_queries):
    """La page 2017 après la page 2018 : le chiffre clé de 2017, les deux comptages qui couvrent 2017 et 2016 en
    une requête chacun, les objectifs et les chiffres clés ; les versions des données lues pour les clés du
    tableau et de ses trois groupes d'indicateurs (les stocks « à ce jour » viennent du cache)."""
    bassins = tous(jeu)
    tableau_calculer(**ANNEE_2018, bassins=bassins, restreint=False)
    with django_assert_num_queries(3 + 2 + 3):
        t2017 = tableau_calculer(debut=date(2017, 1, 1), fin=date(2017, 12, 31), bassins=bassins, restreint=False)
    ind = t2017.indicateur("test_evaluations")
    assert (ind.valeur, ind.precedent) == (2, 0)
    assert ind.cible is None and ind.progression is None


def test_ecriture_sur_un_modele_surveille_invalide_le_cache(jeu):
    bassins = tous(jeu)
    assert tableau_calculer(**ANNEE_2018, bassins=bassins, restreint=False).indicateur("test_evaluations").valeur == 4
    version = cache_tableau.version()
    nouvelle = evaluation(jeu["Pithiviers"], date(2018, 5, 5))  # post_save sur Evaluation (surveillé)
    assert cache_tableau.version() != version
    t = tableau_calculer(**ANNEE_2018, bassins=bassins, restreint=False)
    assert t.indicateur("test_evaluations").valeur == 5
    # Modification puis suppression : invalidées aussi.
    nouvelle.statut = "annulee"
    nouvelle.save()
    assert tableau_calculer(**ANNEE_2018, bassins=bassins, restreint=False).indicateur("test_evaluations").valeur == 4
    nouvelle.delete()
    assert tableau_calculer(**ANNEE_2018, bassins=bassins, restreint=False).indicateur("test_permis").valeur == 3


def test_ecriture_sur_un_modele_non_surveille_garde_le_cache(jeu):
    tableau_calculer(**ANNEE_2018, bassins=tous(jeu), restreint=False)
    version = cache_tableau.version()
    UserFactory(pilotage=True)  # comptes.User n'est nommé par aucune déclaration
    assert cache_tableau.version() == version


def test_relation_plusieurs_a_plusieurs_vers_un_modele_surveille_invalide(jeu, registre_isole):
    """m2m_changed : le modèle d'en face (ici BassinEmploi, toujours surveillé) suffit à invalider."""
    version = cache_tableau.version()
    UserFactory(referent=True).bassins.add(jeu["Gien"])
    assert cache_tableau.version() != version


def test_objectif_modifie_invalide_le_cache(jeu):
    bassins = tous(jeu)
    assert tableau_calculer(**ANNEE_2018, bassins=bassins, restreint=False).indicateur("test_evaluations").cible is None
    objectif_enregistrer(annee=2018, code="test_evaluations", valeur=Decimal(10))
    assert tableau_calculer(**ANNEE_2018, bassins=bassins, restreint=False).indicateur("test_evaluations").cible == 10


def test_invalidation_apres_validation_de_la_transaction(jeu):
    """La version en base est incrémentée après COMMIT, par un seul rappel par transaction ; d'ici là, la
    transaction lit une version suivie d'un jeton qui lui est propre (ce qu'elle met en cache n'est relu que par
    elle), renouvelé à chaque écriture."""
    from commun import versions

    evaluation(jeu["Gien"], date(2018, 2, 2))
    premiere = cache_tableau.version()
    evaluation(jeu["Gien"], date(2018, 2, 3))
    assert cache_tableau.version() != premiere and "+" in premiere
    en_attente = [r[1] for r in connection.run_on_commit if isinstance(r[1], versions._Incrementation)]
    assert len(en_attente) == 1 and "beneficiaires" in en_attente[0].espaces
    en_base = versions.versions("beneficiaires").split("+")[0]
    en_attente[0]()  # ce que fait COMMIT
    assert versions.versions("beneficiaires").split("+")[0] == str(int(en_base) + 1)


def test_resultat_pose_par_un_autre_processus_lu_puis_perime_par_la_version(jeu):
    """Dans un seul processus : un résultat posé sous la clé de la version courante (comme l'aurait fait un autre
    processus qui partage le cache) est servi tel quel, puis une écriture en masse signalée le périme. Le vrai
    test à deux processus est dans test_cache_partage.py (PostgreSQL)."""
    bassins = tous(jeu)
    cle = cache_tableau.cle(**ANNEE_2018, bassin_ids=[b.pk for b in bassins], restreint=False)
    cache.set(cle, "résultat d'un autre processus")
    assert tableau_calculer(**ANNEE_2018, bassins=bassins, restreint=False) == "résultat d'un autre processus"
    tableau_invalider()  # écriture en masse signalée
    assert tableau_calculer(**ANNEE_2018, bassins=bassins, restreint=False).indicateur("test_evaluations").valeur == 4


def test_version_tenue_en_base_survit_au_cache_vide(jeu):
    version = cache_tableau.version()
    cache.clear()
    assert cache_tableau.version() == version
    cache_tableau.invalider()
    assert cache_tableau.version() != version


def test_nouvelle_declaration_change_la_cle(jeu, registre_isole):
    bassins = tous(jeu)
    avant = tableau_calculer(**ANNEE_2018, bassins=bassins, restreint=False)

    def nouveau(ctx):
        return registre.Indicateur(code="test_nouveau", libelle="Nouveau", valeur=7)

    registre_isole(nouveau, axe="forums", ordre=1)
    apres = tableau_calculer(**ANNEE_2018, bassins=bassins, restreint=False)
    assert avant.indicateur("test_nouveau") is None
    assert apres.indicateur("test_nouveau").valeur == 7


# --- Nombre de requêtes ------------------------------------------------------------------------------


def _ajouter(bassins, n):
    evaluateur = UserFactory(referent=True)
    noms = list(bassins)
    for i in range(n):
        evaluation(bassins[noms[i % 4]], date(2018, 1 + i % 12, 1 + i % 28), evaluateur=evaluateur)


@pytest.mark.parametrize("lignes", [3, 30])
def test_requetes_constantes_indicateurs_de_test(jeu, lignes, django_assert_max_num_queries):
    _ajouter(jeu, lignes)
    bassins = tous(jeu)
    # 3 indicateurs (dont 1 chiffre clé, non comparé), période précédente comptée dans la même requête :
    # 3 + objectifs + chiffres clés = 5.
    with django_assert_max_num_queries(5):
        t = tableau_calculer(**ANNEE_2018, bassins=bassins, restreint=False, utiliser_cache=False)
    assert t.indicateur("test_evaluations").valeur == 4 + lignes


def _compter_requetes_reelles(bassins):
    with CaptureQueriesContext(connection) as requetes:
        tableau_calculer(**ANNEE_2018, bassins=bassins, restreint=False, utiliser_cache=False)
    return len(requetes)


def test_requetes_constantes_indicateurs_reels(bassins):
    """Les indicateurs réellement déclarés par les applications : même nombre de requêtes à 3 et à 30 lignes."""
    liste = tous(bassins)
    vide = _compter_requetes_reelles(liste)
    _ajouter(bassins, 3)
    trois = _compter_requetes_reelles(liste)
    _ajouter(bassins, 27)
    trente = _compter_requetes_reelles(liste)
    assert vide == trois == trente
    assert trente <= 2 * len(registre.declarations()) * 3 + 2  # borné par le nombre de déclarations


def test_stock_a_ce_jour_garde_pour_toutes_les_periodes(bassins, registre_isole):
    """Un chiffre clé déclaré periode=False n'est pas recompté pour une autre période (même version des
    données) ; une écriture sur ses modèles le périme."""
    from tests.beneficiaires.factories import FoyerFactory

    from .indicateurs_test import foyers_ouverts

    appels = []

    def stock_foyers(ctx):
        appels.append((ctx.debut, ctx.fin))
        ind = foyers_ouverts(ctx)
        ind.code = "test_stock"
        return ind

    registre_isole(stock_foyers, axe="contexte", ordre=1, modeles=("beneficiaires.Foyer",), periode=False)
    liste = tous(bassins)
    FoyerFactory(commune=bassins["Gien"].commune_test, etat_droit=2)
    for annee in (2016, 2017, 2018):
        t = tableau_calculer(debut=date(annee, 1, 1), fin=date(annee, 12, 31), bassins=liste, restreint=False)
        assert t.indicateur("test_stock").precedent is None
    assert len(appels) == 1
    FoyerFactory(commune=bassins["Gien"].commune_test, etat_droit=2)  # écriture surveillée : nouvelle version
    tableau_calculer(**ANNEE_2018, bassins=liste, restreint=False)
    assert len(appels) == 2

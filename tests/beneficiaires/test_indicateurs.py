import datetime
from decimal import Decimal

import pytest

from beneficiaires import indicateurs
from beneficiaires.models import Beneficiaire, StatutParcours
from beneficiaires.services import evaluation_realiser
from tableau_de_bord.registre import Contexte
from tests.beneficiaires.factories import BeneficiaireFactory, FoyerFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def donnees(bassins, referent, referent_gien):
    orleans, gien = bassins["Orléans"].commune_test, bassins["Gien"].commune_test

    def personne(commune, orientee, *, sdd=True, **kw):
        return BeneficiaireFactory(
            commune=commune, soumis_droits_devoirs=sdd, orientation="pro", date_orientation=orientee, **kw
        )

    def evaluer(b, jour, qui, **freins):
        evaluation_realiser(beneficiaire=b, evaluateur=qui, par=qui, date=jour, **freins)

    p1 = personne(orleans, D(2017, 10, 1))
    evaluer(p1, D(2017, 10, 20), referent, frein_mobilite=2, frein_logement=1)
    p2 = personne(orleans, D(2017, 10, 5))
    evaluer(p2, D(2017, 12, 1), referent, frein_mobilite=1)
    personne(orleans, D(2017, 11, 1))  # orientée, pas encore évaluée
    personne(orleans, D(2017, 10, 1), sdd=False)  # hors droits et devoirs : hors du plan
    personne(orleans, D(2016, 1, 1))  # orientée hors période
    g1 = personne(gien, D(2017, 11, 10))
    evaluer(g1, D(2017, 11, 30), referent_gien)  # 20 jours, aucun frein
    personne(gien, D(2017, 11, 10), statut_parcours=StatutParcours.ARCHIVE)  # archivée : hors du plan
    # Le premier entretien compte pour le délai, même si une évaluation plus récente existe.
    p3 = personne(gien, D(2017, 9, 1))
    evaluer(p3, D(2017, 9, 10), referent_gien)
    evaluer(p3, D(2018, 3, 1), referent_gien, frein_sante=2)
    return bassins


@pytest.fixture
def ctx(donnees):
    return Contexte(debut=D(2017, 9, 1), fin=D(2017, 12, 31), bassins=tuple(donnees.values()))


def test_personnes_entrees_dans_le_plan(ctx, donnees):
    ind = indicateurs.personnes_dans_le_plan(ctx)
    assert ind.valeur == 5
    assert ind.par_bassin == {donnees["Orléans"].pk: 3, donnees["Gien"].pk: 2}
    assert ind.par_mois == {D(2017, 9, 1): 1, D(2017, 10, 1): 2, D(2017, 11, 1): 2}


def test_personnes_evaluees(ctx, donnees):
    ind = indicateurs.personnes_evaluees(ctx)
    # p1, p2, g1 ; p3 a une évaluation en vigueur datée de 2018 (hors période).
    assert ind.valeur == 3
    assert ind.par_bassin == {donnees["Orléans"].pk: 2, donnees["Gien"].pk: 1}


def test_part_evaluee_sous_30_jours(ctx, donnees):
    ind = indicateurs.evaluees_sous_30_jours(ctx)
    # Numérateur : p1 (19 j), g1 (20 j), p3 (9 j) ; dénominateur : 5 personnes orientées dans la période.
    assert ind.valeur == Decimal("60.0")
    assert ind.par_bassin == {donnees["Orléans"].pk: Decimal("33.3"), donnees["Gien"].pk: Decimal("100.0")}


def test_freins_par_frequence(ctx):
    resultat = indicateurs.freins_par_frequence(ctx)
    valeurs = {i.code: i.valeur for i in resultat}
    assert valeurs["frein_mobilite"] == 2 and valeurs["frein_logement"] == 1 and valeurs["frein_sante"] == 0
    assert resultat[0].code == "frein_mobilite" and resultat[1].code == "frein_logement"
    assert len(resultat) == 8


def test_chiffres_cles_droit_ouvert(bassins):
    orleans = bassins["Orléans"].commune_test
    for etat, membres in [(2, 3), (3, 1), (4, 1), (5, 2), (0, 1)]:
        foyer = FoyerFactory(etat_droit=etat, commune=orleans)
        for i in range(membres):
            BeneficiaireFactory(foyer=foyer, commune=orleans, role="DEM" if i == 0 else "ENF")
    archive = Beneficiaire.objects.filter(foyer__etat_droit=2, role="ENF").first()
    Beneficiaire.objects.filter(pk=archive.pk).update(statut_parcours=StatutParcours.ARCHIVE)
    ctx = Contexte(debut=D(2017, 1, 1), fin=D(2017, 12, 31), bassins=tuple(bassins.values()))
    assert indicateurs.foyers_droit_ouvert(ctx).valeur == 3
    assert indicateurs.personnes_couvertes(ctx).valeur == 4  # 3 + 1 + 1 moins l'archivée


def test_bassins_restreints(donnees):
    ctx = Contexte(debut=D(2017, 9, 1), fin=D(2017, 12, 31), bassins=(donnees["Gien"],), restreint=True)
    ind = indicateurs.personnes_dans_le_plan(ctx)
    assert ind.valeur == 2 and f"bassin={donnees['Gien'].pk}" in ind.lien


def nombre_de_lignes(client, url):
    reponse = client.get(url)
    assert reponse.status_code == 200
    return reponse.context["table"].paginator.count


def test_le_lien_de_chaque_indicateur_liste_le_chiffre(client, ctx, donnees, pilotage):
    client.force_login(pilotage)
    chiffres = [
        indicateurs.personnes_dans_le_plan(ctx),
        indicateurs.personnes_evaluees(ctx),
        indicateurs.personnes_couvertes(ctx),
        *indicateurs.freins_par_frequence(ctx),
    ]
    for ind in chiffres:
        assert nombre_de_lignes(client, ind.lien) == ind.valeur, ind.code
        for bassin_id, url in ind.liens_bassin.items():
            assert nombre_de_lignes(client, url) == ind.par_bassin.get(bassin_id, 0), (ind.code, bassin_id)
    taux = indicateurs.evaluees_sous_30_jours(ctx)
    assert nombre_de_lignes(client, taux.lien) == 3


def test_freins_une_seule_requete_et_ventilation(ctx, donnees, django_assert_num_queries):
    with django_assert_num_queries(1):
        resultat = indicateurs.freins_par_frequence(ctx)
    mobilite = next(i for i in resultat if i.code == "frein_mobilite")
    assert mobilite.par_bassin == {donnees["Orléans"].pk: 2}
    assert mobilite.par_mois == {D(2017, 10, 1): 1, D(2017, 12, 1): 1}


def test_evaluees_et_freins_une_requete_partagee_avec_la_periode_precedente(donnees, django_assert_num_queries):
    """Personnes évaluées et freins lisent une seule requête (période précédente comprise) ; leurs valeurs
    précédentes sont celles d'un calcul à part sur la période précédente."""
    bassins = tuple(donnees.values())
    ctx = Contexte(debut=D(2018, 1, 1), fin=D(2018, 12, 31), bassins=bassins, debut_precedent=D(2017, 1, 1))
    with django_assert_num_queries(1):
        evaluees = indicateurs.personnes_evaluees(ctx)
        freins = {i.code: i for i in indicateurs.freins_par_frequence(ctx)}
    precedente = Contexte(debut=D(2017, 1, 1), fin=D(2017, 12, 31), bassins=bassins)
    assert evaluees.valeur == 1 and evaluees.precedent == indicateurs.personnes_evaluees(precedente).valeur == 3
    for ind in indicateurs.freins_par_frequence(precedente):
        assert freins[ind.code].precedent == ind.valeur, ind.code
    assert freins["frein_sante"].valeur == 1 and freins["frein_mobilite"].precedent == 2


def test_plan_et_delai_une_requete_partagee_avec_la_periode_precedente(donnees, django_assert_num_queries):
    bassins = tuple(donnees.values())
    ctx = Contexte(debut=D(2017, 10, 1), fin=D(2017, 12, 31), bassins=bassins, debut_precedent=D(2017, 7, 1))
    with django_assert_num_queries(1):
        plan = indicateurs.personnes_dans_le_plan(ctx)
        delai = indicateurs.evaluees_sous_30_jours(ctx)
    precedente = Contexte(debut=D(2017, 7, 1), fin=D(2017, 9, 30), bassins=bassins)
    assert (plan.valeur, plan.precedent) == (4, indicateurs.personnes_dans_le_plan(precedente).valeur) == (4, 1)
    assert delai.precedent == indicateurs.evaluees_sous_30_jours(precedente).valeur == Decimal("100.0")
    assert delai.valeur == Decimal("50.0")  # p1 (19 j) et g1 (20 j) sur p1, p2, la non évaluée et g1

"""Le montant dû (total et par prestataire) coûte un nombre de requêtes constant : ni une requête par
prestataire, ni une par mois de la période. Données et valeurs : celles de test_indicateurs.py."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from placement import indicateurs
from tests.placement.factories import LotFactory
from tests.placement.test_indicateurs import contexte, donnees  # noqa: F401 (donnees : fixture réutilisée)
from tests.referentiel.factories import BassinFactory

pytestmark = pytest.mark.django_db


def requetes(ctx):
    with CaptureQueriesContext(connection) as capture:
        resultat = indicateurs.montants_dus(ctx)
    return len(capture), resultat


def test_meme_nombre_de_requetes_pour_un_mois_et_pour_un_an(donnees, prestataire_a, prestataire_b):  # noqa: F811
    n_mois, (total_mois, *_) = requetes(
        contexte(donnees, debut=datetime.date(2018, 3, 1), fin=datetime.date(2018, 3, 31))
    )
    n_annee, (total, *par_prestataire) = requetes(contexte(donnees))
    assert n_mois == n_annee == 2  # les prestataires titulaires d'un lot ; les montants groupés
    assert total.valeur == Decimal("4700.00")
    assert {i.code: i.valeur for i in par_prestataire} == {
        f"placement_montant_du_{prestataire_a.pk}": Decimal("4400.00"),
        f"placement_montant_du_{prestataire_b.pk}": Decimal("300.00"),
    }
    assert total_mois.valeur == total.par_mois.get(datetime.date(2018, 3, 1), 0)


def test_meme_nombre_de_requetes_quel_que_soit_le_nombre_de_prestataires(donnees, marche):  # noqa: F811
    n_avant, avant = requetes(contexte(donnees))
    for numero in range(10, 16):
        # Un bassin par lot : un bassin n'est couvert que par un lot à la fois (contrainte en base sur PostgreSQL).
        LotFactory(marche=marche, numero=numero, bassins=[BassinFactory()])
    n_apres, apres = requetes(contexte(donnees))
    assert n_avant == n_apres == 2
    assert len(apres) == len(avant) + 6
    # Un prestataire sans résultat payé vaut 0, ventilé comme les autres ; le total ne change pas.
    anciens = {i.code: i.valeur for i in avant}
    nouveaux = {i.code: i.valeur for i in apres if i.code not in anciens}
    assert list(nouveaux.values()) == [0] * 6
    assert {i.code: i.valeur for i in apres if i.code in anciens} == anciens
    assert apres[0].valeur == avant[0].valeur


def test_chaque_prestataire_egale_la_somme_par_bassin_et_par_mois(donnees):  # noqa: F811
    total, *par_prestataire = indicateurs.montants_dus(contexte(donnees))
    assert sum(i.valeur for i in par_prestataire) == total.valeur
    for ind in [total, *par_prestataire]:
        assert ind.ventile
        assert sum(ind.par_bassin.values(), 0) == ind.valeur
        assert sum(ind.par_mois.values(), 0) == ind.valeur
        assert sum(ind.par_bassin_mois.values(), 0) == ind.valeur


def test_taux_de_sorties_positives_en_une_requete(donnees):  # noqa: F811
    ctx = contexte(donnees)
    with CaptureQueriesContext(connection) as capture:
        t = indicateurs.taux_sorties_positives(ctx)
    assert len(capture) == 1
    assert t.valeur == Decimal("50.0")  # 2 positives (CDI, formation) sur 4 sorties
    assert t.par_bassin == {donnees["Orléans"].pk: Decimal("66.7"), donnees["Gien"].pk: Decimal("0.0")}

"""Le nombre de requêtes des indicateurs de jours (jours loués, taux d'occupation) ne dépend ni de la longueur
de la période (un agrégat conditionnel par mois dans une seule requête) ni du volume de la flotte ; les valeurs
sont celles des tests à réponse connue (test_indicateurs.py)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mobilite import indicateurs
from mobilite.models import StatutVehicule
from tableau_de_bord.registre import Contexte
from tests.mobilite.factories import LocationFactory, MaintenanceFactory, VehiculeFactory

pytestmark = pytest.mark.django_db


def d(jour, mois=6):
    return datetime.date(2026, mois, jour)


JUIN = (d(1), d(30))
ANNEE = (d(1, 1), d(31, 12))


def ctx_tout(bassins, debut, fin):
    return Contexte(debut=debut, fin=fin, bassins=tuple(bassins.values()))


def requetes(fonction, ctx):
    with CaptureQueriesContext(connection) as capture:
        resultat = fonction(ctx)
    return len(capture), resultat


@pytest.fixture
def flotte(bassins):
    """Les données de TestOccupation (juin 2026 : 26 jours loués sur 75 disponibles, 34,7 %)."""
    orleans, gien = bassins["Orléans"].commune_test, bassins["Gien"].commune_test
    a = VehiculeFactory(commune=orleans, date_entree_flotte=d(1, 1))
    MaintenanceFactory(vehicule=a, debut=d(10), fin=d(14))
    LocationFactory(vehicule=a, debut=d(1), fin=d(5), restituee=True)
    LocationFactory(vehicule=a, debut=d(28), fin=d(3, 7), en_cours=True)
    LocationFactory(vehicule=a, debut=d(20), fin=d(22))
    LocationFactory(vehicule=a, debut=d(23), fin=d(25), annulee=True)
    VehiculeFactory(commune=orleans, date_entree_flotte=d(21))
    c = VehiculeFactory(
        commune=orleans, date_entree_flotte=d(1, 1), statut=StatutVehicule.DECLASSE, date_declassement=d(11)
    )
    LocationFactory(vehicule=c, debut=d(8), fin=d(10), restituee=True)
    VehiculeFactory(commune=orleans, date_entree_flotte=d(1, 1), statut=StatutVehicule.CEDE, date_declassement=d(1, 5))
    e = VehiculeFactory(commune=gien, date_entree_flotte=d(1, 1))
    LocationFactory(vehicule=e, debut=d(1), fin=d(15), restituee=True)
    return bassins


def agrandir_la_flotte(bassins, nombre=8):
    """Des véhicules, maintenances et locations de plus, répartis sur l'année et sur les deux bassins."""
    communes = [bassins["Orléans"].commune_test, bassins["Gien"].commune_test]
    for i in range(nombre):
        v = VehiculeFactory(commune=communes[i % 2], date_entree_flotte=d(1 + i, 2))
        MaintenanceFactory(vehicule=v, debut=d(1 + i, 8), fin=d(3 + i, 8))
        LocationFactory(vehicule=v, debut=d(10 + i, 3), fin=d(5 + i, 4), restituee=True)
        LocationFactory(vehicule=v, debut=d(25, 11), fin=d(4, 12), en_cours=True)


class TestJoursLoues:
    def test_meme_nombre_de_requetes_pour_un_mois_et_pour_un_an(self, flotte):
        n_mois, juin = requetes(indicateurs.jours_loues, ctx_tout(flotte, *JUIN))
        n_annee, annee = requetes(indicateurs.jours_loues, ctx_tout(flotte, *ANNEE))
        assert n_mois == n_annee == 1
        assert juin.valeur == 26 and juin.par_mois == {d(1): 26}
        assert annee.valeur == 29 and annee.par_mois == {d(1): 26, d(1, 7): 3}

    def test_meme_nombre_de_requetes_quel_que_soit_le_volume(self, flotte):
        n_avant, _ = requetes(indicateurs.jours_loues, ctx_tout(flotte, *ANNEE))
        agrandir_la_flotte(flotte)
        n_apres, annee = requetes(indicateurs.jours_loues, ctx_tout(flotte, *ANNEE))
        assert n_avant == n_apres == 1
        # Par location ajoutée : du (10+i)/03 au (5+i)/04 = 27 jours, puis du 25/11 au 04/12 = 10 jours.
        assert annee.valeur == 29 + 8 * (27 + 10)
        assert annee.par_mois[d(1, 12)] == 8 * 4

    def test_chaque_mois_egale_le_calcul_mois_par_mois(self, flotte):
        agrandir_la_flotte(flotte)
        ind = indicateurs.jours_loues(ctx_tout(flotte, *ANNEE))
        for mois, valeur in ind.par_mois.items():
            fin = (mois + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            seul = indicateurs.jours_loues(ctx_tout(flotte, mois, fin))
            assert seul.valeur == valeur
        assert sum(ind.par_mois.values()) == ind.valeur


class TestTauxOccupation:
    def test_meme_nombre_de_requetes_pour_un_mois_et_pour_un_an(self, flotte):
        n_mois, juin = requetes(indicateurs.taux_occupation, ctx_tout(flotte, *JUIN))
        n_annee, annee = requetes(indicateurs.taux_occupation, ctx_tout(flotte, *ANNEE))
        assert n_mois == n_annee == 3  # présence en flotte, maintenance, locations
        assert juin.valeur == Decimal("34.7")
        assert juin.par_bassin == {flotte["Orléans"].pk: Decimal("24.4"), flotte["Gien"].pk: Decimal("50.0")}
        assert annee.par_mois[d(1)] == Decimal("34.7")
        assert len(annee.par_mois) == 12

    def test_meme_nombre_de_requetes_quel_que_soit_le_volume(self, flotte):
        n_avant, _ = requetes(indicateurs.taux_occupation, ctx_tout(flotte, *ANNEE))
        agrandir_la_flotte(flotte)
        n_apres, _ = requetes(indicateurs.taux_occupation, ctx_tout(flotte, *ANNEE))
        assert n_avant == n_apres == 3

    def test_chaque_mois_egale_le_calcul_mois_par_mois(self, flotte):
        agrandir_la_flotte(flotte)
        ind = indicateurs.taux_occupation(ctx_tout(flotte, *ANNEE))
        for mois, valeur in ind.par_mois.items():
            fin = (mois + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            assert indicateurs.taux_occupation(ctx_tout(flotte, mois, fin)).valeur == valeur

    def test_bassin_restreint_meme_nombre_de_requetes(self, flotte):
        ctx = Contexte(debut=ANNEE[0], fin=ANNEE[1], bassins=(flotte["Gien"],), restreint=True)
        n, ind = requetes(indicateurs.taux_occupation, ctx)
        assert n == 3
        assert ind.par_mois[d(1)] == Decimal("50.0")

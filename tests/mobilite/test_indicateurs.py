import datetime
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from mobilite import indicateurs, services
from mobilite.models import StatutVehicule
from tableau_de_bord.registre import Contexte
from tests.mobilite.factories import ConventionFactory, LocationFactory, MaintenanceFactory, VehiculeFactory, personne

pytestmark = pytest.mark.django_db

JUIN = (datetime.date(2026, 6, 1), datetime.date(2026, 6, 30))


def d(jour, mois=6):
    return datetime.date(2026, mois, jour)


def ctx_tout(bassins, debut=JUIN[0], fin=JUIN[1]):
    return Contexte(debut=debut, fin=fin, bassins=tuple(bassins.values()))


class TestOccupation:
    """Juin 2026 (30 jours), bassin d'Orléans :

    - A : en flotte tout le mois, maintenance du 10 au 14 (5 j), locations du 1er au 5 (5 j, restituée) et du
      28/06 au 03/07 (3 j en juin, en cours) ; une réservation non remise et une annulée ne comptent pas.
    - B : entré en flotte le 21/06 → 10 jours disponibles.
    - C : déclassé le 11/06 → disponible du 1er au 10 → 10 jours ; loué du 8 au 10 (3 j).
    - D : déclassé en mai → 0 jour.
    Disponibles : 25 + 10 + 10 = 45 ; loués : 5 + 3 + 3 = 11 → 24,4 %.
    Gien : E en flotte tout le mois, loué du 1er au 15 → 15 / 30 = 50 %.
    """

    @pytest.fixture
    def flotte(self, bassins):
        orleans, gien = bassins["Orléans"].commune_test, bassins["Gien"].commune_test
        a = VehiculeFactory(commune=orleans, date_entree_flotte=d(1, 1))
        MaintenanceFactory(vehicule=a, debut=d(10), fin=d(14))
        LocationFactory(vehicule=a, debut=d(1), fin=d(5), restituee=True)
        LocationFactory(vehicule=a, debut=d(28), fin=d(3, 7), en_cours=True)
        LocationFactory(vehicule=a, debut=d(20), fin=d(22))  # réservée, jamais remise
        LocationFactory(vehicule=a, debut=d(23), fin=d(25), annulee=True)
        VehiculeFactory(commune=orleans, date_entree_flotte=d(21))
        c = VehiculeFactory(
            commune=orleans, date_entree_flotte=d(1, 1), statut=StatutVehicule.DECLASSE, date_declassement=d(11)
        )
        LocationFactory(vehicule=c, debut=d(8), fin=d(10), restituee=True)
        VehiculeFactory(
            commune=orleans, date_entree_flotte=d(1, 1), statut=StatutVehicule.CEDE, date_declassement=d(1, 5)
        )
        e = VehiculeFactory(commune=gien, date_entree_flotte=d(1, 1))
        LocationFactory(vehicule=e, debut=d(1), fin=d(15), restituee=True)
        return bassins

    def test_arithmetique(self, flotte):
        loues, disponibles = indicateurs.occupation(ctx_tout(flotte), *JUIN)
        orleans, gien = flotte["Orléans"].pk, flotte["Gien"].pk
        assert loues == {orleans: 11, gien: 15}
        assert disponibles == {orleans: 45, gien: 30}
        ind = indicateurs.taux_occupation(ctx_tout(flotte))
        assert ind.valeur == Decimal("34.7")  # 26 / 75
        assert ind.par_bassin == {orleans: Decimal("24.4"), gien: Decimal("50.0")}
        assert ind.par_mois == {d(1): Decimal("34.7")}

    def test_par_mois_decoupe_les_locations_a_cheval(self, flotte):
        ctx = ctx_tout(flotte, debut=d(1), fin=d(31, 7))
        jours = indicateurs.jours_loues(ctx)
        # Juin : 5 + 3 + 3 + 15 = 26 ; juillet : 3 (du 1er au 3).
        assert jours.par_mois == {d(1): 26, d(1, 7): 3}
        assert jours.valeur == 29

    def test_bassin_restreint(self, flotte):
        ctx = Contexte(debut=JUIN[0], fin=JUIN[1], bassins=(flotte["Gien"],), restreint=True)
        assert indicateurs.taux_occupation(ctx).valeur == Decimal("50.0")

    def test_flotte_vide_taux_indefini(self, bassins):
        assert indicateurs.taux_occupation(ctx_tout(bassins)).valeur is None


def _nombre_dans_la_liste(client, url):
    reponse = client.get(url)
    assert reponse.status_code == 200
    return reponse.context["table"].paginator.count


class TestIndicateursEtListes:
    @pytest.fixture
    def donnees(self, bassins):
        orleans, gien = bassins["Orléans"].commune_test, bassins["Gien"].commune_test
        p1, p2, p3 = personne(commune=orleans), personne(commune=orleans), personne(commune=gien)
        LocationFactory(beneficiaire=p1, debut=d(2), fin=d(3), restituee=True, motif="nouvel_emploi")
        LocationFactory(beneficiaire=p1, debut=d(12), fin=d(13), restituee=True, motif="formation")
        LocationFactory(beneficiaire=p2, debut=d(20), fin=d(22), restituee=True, motif="contrat_aide")
        LocationFactory(beneficiaire=p3, debut=d(5), fin=d(6), restituee=True, motif="entretien")
        # En retard : rendue après la fin prévue.
        LocationFactory(beneficiaire=p3, debut=d(8), fin=d(9), restituee=True, date_retour=d(11), motif="forum")
        LocationFactory(beneficiaire=p2, debut=d(25), fin=d(26))  # réservée : pas démarrée
        LocationFactory(beneficiaire=p2, debut=d(15), fin=d(16), annulee=True)
        LocationFactory(beneficiaire=p1, debut=d(2, 7), fin=d(3, 7), restituee=True)  # hors période
        convention = ConventionFactory()
        for jour_cession in (d(10), d(20)):
            v = VehiculeFactory(commune=gien)
            services.vehicule_declasser(vehicule=v, date=d(1))
            services.vehicule_ceder(
                vehicule=v, convention=convention, date=jour_cession, kilometrage=v.kilometrage, valeur_comptable=0
            )
        return bassins

    def test_valeurs(self, donnees):
        ctx = ctx_tout(donnees)
        orleans, gien = donnees["Orléans"].pk, donnees["Gien"].pk
        demarrees = indicateurs.locations_demarrees(ctx)
        assert demarrees.valeur == 5 and demarrees.par_bassin == {orleans: 3, gien: 2}
        assert indicateurs.personnes_aidees(ctx).valeur == 3
        assert indicateurs.personnes_aidees(ctx).par_bassin == {orleans: 2, gien: 1}
        assert indicateurs.locations_emploi(ctx).valeur == 2
        assert indicateurs.retours_en_retard(ctx).valeur == 1
        assert indicateurs.vehicules_cedes(ctx).valeur == 2
        assert indicateurs.jours_loues(ctx).valeur == 2 + 2 + 3 + 2 + 2

    def test_en_cours_au_dela_de_la_fin_compte_comme_retard(self, bassins):
        hier = timezone.localdate() - datetime.timedelta(days=1)
        LocationFactory(
            beneficiaire=personne(commune=bassins["Orléans"].commune_test),
            en_cours=True,
            debut=hier - datetime.timedelta(days=3),
            fin=hier,
        )
        ctx = ctx_tout(bassins, debut=hier - datetime.timedelta(days=10), fin=hier)
        assert indicateurs.retours_en_retard(ctx).valeur == 1

    @pytest.mark.parametrize(
        "fonction",
        ["locations_demarrees", "locations_emploi", "retours_en_retard", "vehicules_cedes"],
    )
    def test_le_lien_mene_a_une_liste_de_meme_effectif(self, client, donnees, admin_user, fonction):
        client.force_login(admin_user)
        ind = getattr(indicateurs, fonction)(ctx_tout(donnees))
        assert ind.lien and urlparse(ind.lien).path.startswith("/mobilite/")
        assert _nombre_dans_la_liste(client, ind.lien) == ind.valeur
        for bassin_id, url in ind.liens_bassin.items():
            assert _nombre_dans_la_liste(client, url) == ind.par_bassin.get(bassin_id, 0)

    def test_referent_restreint_meme_effectif(self, client, donnees, referent):
        ctx = Contexte(debut=JUIN[0], fin=JUIN[1], bassins=(donnees["Orléans"],), restreint=True)
        ind = indicateurs.locations_demarrees(ctx)
        client.force_login(referent)
        assert ind.valeur == 3 and _nombre_dans_la_liste(client, ind.lien) == 3


def test_tranches_total_seul_sans_les_mois():
    d, f = datetime.date(2018, 1, 1), datetime.date(2018, 12, 31)
    assert indicateurs.tranches(d, f, total_seul=True) == [(None, d, f)]
    assert len(indicateurs.tranches(d, f)) == 13

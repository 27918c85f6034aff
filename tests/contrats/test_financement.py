"""Part mensuelle du Département : 88 % du RSA personne seule du mois (45 % à 7 heures), proratisée,
plafonnée par l'aide due ; arrondi au centime."""

import datetime
from decimal import Decimal

import pytest

from contrats import financement
from contrats.financement import Bareme, echeancier, echeancier_valeurs, total_echeancier, total_engage_annee
from contrats.models import ParametreFinancier, Statut

from .factories import ContratAideFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def lignes(debut, fin, heures="20", taux="90"):
    return {
        ligne.mois: ligne
        for ligne in echeancier_valeurs(
            debut=debut, fin=fin, heures=Decimal(heures), taux_etat=Decimal(taux), bareme=Bareme()
        )
    }


def test_valeurs_de_reference_chargees_par_la_migration():
    b = Bareme()
    assert b.rsa(D(2017, 8, 31)) == Decimal("536.78")
    assert b.rsa(D(2017, 9, 1)) == Decimal("545.48")
    assert b.rsa(D(2023, 4, 1)) == Decimal("607.75")
    assert b.rsa(D(2025, 4, 1)) == Decimal("646.52")
    assert b.smic(D(2017, 6, 1)) == Decimal("9.76")
    assert b.smic(D(2018, 1, 1)) == Decimal("9.88")
    assert b.smic(D(2019, 12, 31)) == Decimal("10.03")
    assert b.smic(D(2020, 1, 1)) == Decimal("10.15")
    assert b.rsa(D(2017, 3, 31)) is None


def test_exemple_du_domaine_480_02_a_partir_de_septembre_2017():
    m = lignes(D(2017, 8, 1), D(2018, 1, 31))
    assert m[D(2017, 9, 1)].part_departement == Decimal("480.02")
    assert m[D(2017, 10, 1)].part_departement == Decimal("480.02")
    # Août 2017 : l'ancien montant (536,78 €) : 0,88 x 536,78 = 472,3664.
    assert m[D(2017, 8, 1)].part_departement == Decimal("472.37")


def test_mois_du_changement_de_rsa_proratise():
    # Début le 11/09/2017 : 20 jours sur 30, au nouveau montant : 480,0224 x 20 / 30 = 320,0149.
    m = lignes(D(2017, 9, 11), D(2018, 3, 10))
    assert m[D(2017, 9, 1)].jours == 20
    assert m[D(2017, 9, 1)].partiel
    assert m[D(2017, 9, 1)].part_departement == Decimal("320.01")
    # Dernier mois partiel : 10 jours sur 31.
    assert m[D(2018, 3, 1)].part_departement == Decimal("154.85")


def test_premier_mois_partiel_avant_le_changement():
    # Du 16/08/2017 : 16 jours sur 31 à 536,78 € : 472,3664 x 16 / 31 = 243,802.
    m = lignes(D(2017, 8, 16), D(2018, 2, 15))
    assert m[D(2017, 8, 1)].part_departement == Decimal("243.80")
    # Février 2018 : 15 jours sur 28 : 480,0224 x 15 / 28 = 257,1548.
    assert m[D(2018, 2, 1)].part_departement == Decimal("257.15")


def test_arrondi_au_centime_superieur_a_partir_du_demi():
    assert financement.arrondir(Decimal("257.155")) == Decimal("257.16")
    assert financement.arrondir(Decimal("257.1549")) == Decimal("257.15")


def test_convention_de_7_heures_45_pour_cent():
    m = lignes(D(2018, 1, 1), D(2018, 6, 30), heures="7", taux="95")
    # 0,45 x 545,48 = 245,466 ; aide due 0,95 x 9,88 x 7 x 52/12 = 284,71 : pas de plafond.
    assert m[D(2018, 1, 1)].part_departement == Decimal("245.47")
    m8 = lignes(D(2018, 1, 1), D(2018, 6, 30), heures="8", taux="95")
    assert m8[D(2018, 1, 1)].part_rsa == Decimal("480.02")


def test_plafond_de_l_aide_effectivement_due():
    # 20 h à 50 % du SMIC 2018 : 0,5 x 9,88 x 20 x 52 / 12 = 428,13 < 480,02.
    m = lignes(D(2018, 1, 1), D(2018, 6, 30), heures="20", taux="50")
    ligne = m[D(2018, 1, 1)]
    assert ligne.aide_due == Decimal("428.13")
    assert ligne.plafonnee
    assert ligne.part_departement == Decimal("428.13")


def test_valeur_du_1er_avril_2018_puis_modifiee_dans_l_admin_prise_en_compte():
    m = lignes(D(2018, 1, 1), D(2018, 6, 30))
    assert m[D(2018, 3, 1)].part_departement == Decimal("480.02")
    assert m[D(2018, 4, 1)].part_departement == Decimal("484.82")  # 0,88 x 550,93
    ParametreFinancier.objects.filter(type="rsa_personne_seule", date_effet=D(2018, 4, 1)).update(
        montant=Decimal("560.00")
    )
    assert lignes(D(2018, 1, 1), D(2018, 6, 30))[D(2018, 4, 1)].part_departement == Decimal("492.80")


def test_l_aide_s_arrete_a_la_rupture():
    c = ContratAideFactory(
        signe=True,
        date_debut=D(2018, 1, 1),
        date_fin=D(2018, 12, 31),
        statut=Statut.ROMPU,
        date_rupture=D(2018, 3, 15),
        motif_rupture="cdi",
    )
    e = echeancier(c)
    assert [ligne.mois for ligne in e] == [D(2018, 1, 1), D(2018, 2, 1), D(2018, 3, 1)]
    assert e[-1].jours == 15
    # 480,0224 x 15 / 31 = 232,27
    assert total_echeancier(e) == Decimal("480.02") * 2 + Decimal("232.27")


def test_total_engage_par_annee_sur_les_conventions_signees():
    ContratAideFactory(signe=True, date_debut=D(2017, 12, 1), date_fin=D(2018, 11, 30))
    ContratAideFactory(date_debut=D(2017, 12, 1), date_fin=D(2018, 11, 30))  # brouillon : non engagé
    assert total_engage_annee(2017) == Decimal("480.02")
    # RSA 545,48 € jusqu'en mars 2018, 550,93 € à partir d'avril : 0,88 x 550,93 = 484,82.
    assert total_engage_annee(2018) == Decimal("480.02") * 3 + Decimal("484.82") * 8
    assert total_engage_annee(2019) == Decimal("0.00")


def test_total_engage_nombre_de_requetes_borne(django_assert_max_num_queries):
    for _ in range(15):
        ContratAideFactory(signe=True, date_debut=D(2018, 1, 1), date_fin=D(2018, 12, 31))
    with django_assert_max_num_queries(2):
        assert total_engage_annee(2018) == (Decimal("480.02") * 3 + Decimal("484.82") * 9) * 15


def _reference(contrats, debut, fin):
    """L'ancien calcul, contrat par contrat : l'échéancier de chacun, mois de la période gardés."""
    bareme, premier = Bareme(), D(debut.year, debut.month, 1)
    total, par_mois = Decimal("0.00"), {}
    for c in contrats:
        if c.statut not in (Statut.SIGNE, Statut.EN_COURS, Statut.TERMINE, Statut.ROMPU):
            continue
        fin_aide = c.date_rupture or c.date_fin
        if c.date_debut > fin or fin_aide < debut:
            continue
        for ligne in echeancier_valeurs(
            debut=c.date_debut, fin=fin_aide, heures=c.heures_hebdomadaires, taux_etat=c.taux_aide_etat, bareme=bareme
        ):
            if premier <= ligne.mois <= fin:
                total += ligne.part_departement
                par_mois[ligne.mois] = par_mois.get(ligne.mois, Decimal("0.00")) + ligne.part_departement
    return total, par_mois


def test_engagements_agreges_en_sql_egaux_aux_echeanciers_contrat_par_contrat(bassins, django_assert_max_num_queries):
    """Mois partiels, ruptures, conventions de 7 heures, taux différents, changement du RSA en septembre 2017,
    périodes commençant en cours de mois : l'agrégat groupé donne au centime la somme des échéanciers."""
    import random

    from contrats.models import ContratAide

    alea = random.Random(45)
    noms = list(bassins)
    for i in range(40):
        debut = D(2017, 1, 1) + datetime.timedelta(days=alea.randint(0, 600))
        fin_prevue = debut + datetime.timedelta(days=alea.choice([90, 180, 364, 400]))
        rompu = i % 5 == 0
        heures = Decimal(alea.choice(["7", "20", "26", "35"]))
        ContratAideFactory(
            signe=True,
            beneficiaire__commune=bassins[noms[i % 4]].commune_test,
            date_debut=debut,
            date_fin=fin_prevue,
            heures_hebdomadaires=heures,
            motif_heures_reduites="Reprise progressive (santé)" if heures < 20 else "",
            taux_aide_etat=Decimal(alea.choice(["60", "75", "90"])),
            statut=Statut.ROMPU if rompu else Statut.SIGNE,
            date_rupture=debut + datetime.timedelta(days=alea.randint(10, 80)) if rompu else None,
            motif_rupture="cdi" if rompu else "",
        )
    ContratAideFactory(date_debut=D(2017, 6, 1), date_fin=D(2018, 5, 31))  # brouillon : jamais engagé
    contrats = list(ContratAide.objects.all())
    for debut, fin in [
        (D(2017, 1, 1), D(2017, 12, 31)),
        (D(2018, 1, 1), D(2018, 12, 31)),
        (D(2017, 9, 15), D(2018, 2, 10)),
        (D(2016, 1, 1), D(2019, 12, 31)),
    ]:
        with django_assert_max_num_queries(2) as requetes:
            total, par_bassin, par_mois, croise = financement.engagements(
                ContratAide.objects.all(), debut, fin, champ_bassin="beneficiaire__commune__bassin_emploi"
            )
        # Agrégé en SQL : les contrats arrivent comptés par groupe, pas un par un.
        requete_contrats = next(q["sql"] for q in requetes.captured_queries if "contrats_contrataide" in q["sql"])
        assert "GROUP BY" in requete_contrats and "COUNT(" in requete_contrats
        attendu_total, attendu_mois = _reference(contrats, debut, fin)
        assert total == attendu_total and total > 0
        assert par_mois == dict(sorted(attendu_mois.items()))
        assert sum(par_bassin.values()) == total == sum(croise.values())

"""Les indicateurs réellement déclarés par les applications, vus par le tableau de bord : chiffres du lancement
(52 contrats dont 9 avec des communes ; cible de 600 entrées en placement), liste filtrée = chiffre pour au moins
un indicateur par axe, nombre de requêtes constant sur des données croissantes.

Ces tests construisent les données avec les fabriques et services des applications, sans modifier leur code."""

import datetime
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from placement import services as placement_services
from referentiel.models import BassinEmploi
from tableau_de_bord.selecteurs import tableau_calculer
from tableau_de_bord.services import objectif_enregistrer
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.contrats import factories as contrats_factories
from tests.forums import factories as forums_factories
from tests.mobilite import factories as mobilite_factories
from tests.placement import factories as placement_factories
from tests.referentiel.factories import StructureFactory

DECEMBRE_2017 = {"debut": date(2017, 12, 1), "fin": date(2017, 12, 31)}
PERIODE = {"debut": date(2017, 12, 1), "fin": date(2018, 12, 31)}


def tous():
    return list(BassinEmploi.objects.order_by("nom"))


def contrats_du_lancement(bassins):
    """52 contrats signés en décembre 2017, dont 9 avec des communes, répartis sur les 4 bassins."""
    noms = list(bassins)
    referent = UserFactory(referent=True)
    communes_employeurs = [StructureFactory(commune_employeur=True) for _ in range(3)]
    associations = [StructureFactory() for _ in range(3)]
    for i in range(52):
        bassin = bassins[noms[i % 4]]
        employeur = communes_employeurs[i % 3] if i < 9 else associations[i % 3]
        debut = date(2017, 12, 1 + i % 28)
        contrats_factories.ContratAideFactory(
            signe=True,
            beneficiaire=BeneficiaireFactory(commune=bassin.commune_test),
            employeur=employeur,
            date_debut=debut,
            date_fin=debut + datetime.timedelta(days=200),
            referent=referent,
        )


@pytest.fixture
def lots(bassins):
    marche = placement_factories.MarcheFactory(reference="2017-PLACEMENT-TDB")
    prestataire = StructureFactory(prestataire=True, nom="Insertion Emploi Centre")
    return {
        nom: placement_factories.LotFactory(
            marche=marche, numero=i + 1, prestataire=prestataire, bassins=[b], capacite=500
        )
        for i, (nom, b) in enumerate(bassins.items())
    }


def entrer_en_placement(bassin, jour, par):
    personne = BeneficiaireFactory(commune=bassin.commune_test)
    o = placement_services.orientation_proposer(beneficiaire=personne, par=par, date=jour)
    placement_services.orientation_accepter(orientation=o, par=par, date=jour + datetime.timedelta(days=2))
    return placement_services.orientation_demarrer_accompagnement(
        orientation=o, par=par, date=jour + datetime.timedelta(days=5)
    )


def semer(bassins, n, *, par):
    """n enregistrements de chaque sorte par bassin, en 2018 : entrées dans le plan, entrées en placement,
    locations démarrées, forums tenus (plus les foyers des personnes créées)."""
    for i in range(n):
        for bassin in bassins.values():
            BeneficiaireFactory(
                commune=bassin.commune_test,
                soumis_droits_devoirs=True,
                orientation="pro",
                date_orientation=date(2018, 2, 1 + i),
            )
            entrer_en_placement(bassin, date(2018, 3, 1 + i), par)
            vehicule = mobilite_factories.VehiculeFactory(commune=bassin.commune_test)
            mobilite_factories.LocationFactory(
                restituee=True,
                vehicule=vehicule,
                beneficiaire=BeneficiaireFactory(commune=bassin.commune_test),
                debut=date(2018, 4, 2 + i),
                fin=date(2018, 4, 6 + i),
            )
            forums_factories.ForumFactory(tenu=True, commune=bassin.commune_test, date=date(2018, 5, 3 + i))


def test_lancement_52_contrats_dont_9_avec_des_communes_contre_la_caom(bassins):
    contrats_du_lancement(bassins)
    objectif_enregistrer(annee=2017, code="contrats_signes", valeur=Decimal(60))
    t = tableau_calculer(**DECEMBRE_2017, bassins=tous(), restreint=False, utiliser_cache=False)
    signes, communes = t.indicateur("contrats_signes"), t.indicateur("contrats_signes_communes")
    assert signes.valeur == 52
    assert communes.valeur == 9
    assert signes.par_bassin == {bassins[n].pk: 13 for n in bassins}
    assert signes.par_mois == {date(2017, 12, 1): 52}
    assert signes.cible == 60
    assert signes.progression == Decimal("86.7")
    assert (signes.precedent, signes.evolution) == (0, 52)


def test_lancement_affiche_sur_la_page(client, bassins, pilotage):
    contrats_du_lancement(bassins)
    objectif_enregistrer(annee=2017, code="contrats_signes", valeur=Decimal(60))
    client.force_login(pilotage)
    html = client.get("/tableau-de-bord/", {"debut": "2017-12-01", "fin": "2017-12-31"}).content.decode()
    carte = html[html.index('id="indicateur-contrats_signes"') :][:1500]
    assert ">52</a>" in carte and "Cible : 60" in carte and "86,7 %" in carte
    carte_communes = html[html.index('id="indicateur-contrats_signes_communes"') :][:800]
    assert ">9</a>" in carte_communes


def test_cible_de_600_entrees_en_placement_contre_les_entrees(bassins, lots, admin_user):
    from tableau_de_bord.demo import tableau_de_bord as generer_demo

    generer_demo(echelle="petite", graine=1, sortie=lambda *_: None)  # 600 réparties : 270, 150, 90, 90
    for jour in (date(2018, 1, 8), date(2018, 2, 5), date(2018, 2, 6)):
        entrer_en_placement(bassins["Orléans"], jour, admin_user)
    entrer_en_placement(bassins["Gien"], date(2018, 3, 5), admin_user)
    t = tableau_calculer(debut=date(2018, 1, 1), fin=date(2018, 12, 31), bassins=tous(), restreint=False)
    entrees = t.indicateur("placement_entrees")
    assert entrees.valeur == 4
    assert entrees.cible == 600
    assert entrees.progression == Decimal("0.7")
    cellules = {c["bassin"]: c for c in t.cellules(entrees)}
    assert (cellules["Orléans"]["valeur"], cellules["Orléans"]["cible"]) == (3, 270)
    assert (cellules["Gien"]["valeur"], cellules["Gien"]["cible"]) == (1, 90)
    assert cellules["Montargis"]["cible"] == 150 and cellules["Pithiviers"]["cible"] == 90
    # Référent de Gien : sa cible est celle de son bassin.
    gien = tableau_calculer(
        debut=date(2018, 1, 1), fin=date(2018, 12, 31), bassins=[bassins["Gien"]], restreint=True
    ).indicateur("placement_entrees")
    assert (gien.valeur, gien.cible, gien.progression) == (1, 90, Decimal("1.1"))


def compte_liste(client, url):
    reponse = client.get(url)
    assert reponse.status_code == 200, url
    contexte = reponse.context
    table = contexte.get("table")
    if table is not None:
        return table.paginator.count if getattr(table, "paginator", None) else len(table.rows)
    if contexte.get("paginator") is not None:
        return contexte["paginator"].count
    return len(contexte["object_list"])


# Au moins un indicateur par axe, dont la liste filtrée doit compter exactement le chiffre.
CODES_PAR_AXE = [
    "foyers_droit_ouvert",  # contexte
    "personnes_plan",  # évaluation
    "contrats_signes",  # contrats
    "contrats_signes_communes",
    "placement_entrees",  # placement
    "mobilite_locations",  # mobilité
    "forums_tenus",  # forums
]


def test_liste_filtree_egale_au_chiffre_un_indicateur_par_axe(client, bassins, lots, admin_user):
    contrats_du_lancement(bassins)
    semer(bassins, 2, par=admin_user)
    entrer_en_placement(bassins["Gien"], date(2018, 6, 1), admin_user)  # des bassins inégaux
    t = tableau_calculer(**PERIODE, bassins=tous(), restreint=False, utiliser_cache=False)
    client.force_login(admin_user)
    axes = set()
    for code in CODES_PAR_AXE:
        ind = t.indicateur(code)
        assert ind is not None, f"indicateur {code} non déclaré"
        assert ind.valeur > 0, code
        assert compte_liste(client, ind.lien) == ind.valeur, code
        for bassin in bassins.values():
            assert compte_liste(client, ind.liens_bassin[bassin.pk]) == ind.valeur_bassin(bassin.pk), (
                code,
                bassin.nom,
            )
        axes.add(ind.axe)
    assert axes == {"contexte", "evaluation", "contrats", "placement", "mobilite", "forums"}
    assert t.indicateur("contrats_signes").valeur == 52
    assert t.indicateur("placement_entrees").valeur == 4 * 2 + 1


def total_liste(client, url):
    """Le montant total que la liste derrière un chiffre en euros affiche (même période, même périmètre)."""
    reponse = client.get(url)
    assert reponse.status_code == 200, url
    contexte = reponse.context
    if "engagement" in contexte:  # liste des contrats : part du Département engagée sur la période du lien
        assert contexte["engagement"] is not None, contexte.get("engagement_erreur")
        return contexte["engagement"].total
    return contexte["total"]  # état des résultats du placement


def test_liste_filtree_egale_au_chiffre_pour_chaque_montant(client, bassins, lots, admin_user):
    """Chaque chiffre en euros du tableau (total et par bassin) mène à une liste dont le total, sur la même
    période et le même périmètre, est ce chiffre : sur 2018 (pas l'année en cours), le cofinancement engagé
    affiché par la liste des contrats est celui de 2018."""
    contrats_du_lancement(bassins)
    semer(bassins, 2, par=admin_user)
    t = tableau_calculer(**PERIODE, bassins=tous(), restreint=False, utiliser_cache=False)
    client.force_login(admin_user)
    montants = [i for i in t.indicateurs if i.unite == "€" and i.lien]
    assert "contrats_cofinancement_engage" in {i.code for i in montants}
    cofinancement = t.indicateur("contrats_cofinancement_engage")
    assert cofinancement.valeur > 0
    for ind in montants:
        assert total_liste(client, ind.lien) == ind.valeur, ind.code
        for bassin in bassins.values():
            if bassin.pk in ind.liens_bassin:
                assert total_liste(client, ind.liens_bassin[bassin.pk]) == ind.valeur_bassin(bassin.pk), (
                    ind.code,
                    bassin.nom,
                )
    html = client.get(cofinancement.lien).content.decode()
    assert "Part du Département engagée du 01/12/2017 au 31/12/2018" in html
    # Le même périmètre vu par un référent de Gien : son chiffre, sa liste.
    referent = UserFactory(referent=True, bassins=[bassins["Gien"]])
    gien = tableau_calculer(**PERIODE, bassins=[bassins["Gien"]], restreint=True, utiliser_cache=False)
    client.force_login(referent)
    ind = gien.indicateur("contrats_cofinancement_engage")
    assert 0 < ind.valeur < cofinancement.valeur
    assert total_liste(client, ind.lien) == ind.valeur


def test_referent_ne_voit_que_ses_bassins_avec_les_vrais_indicateurs(client, bassins, lots, admin_user):
    contrats_du_lancement(bassins)
    referent = UserFactory(referent=True, bassins=[bassins["Gien"]])
    client.force_login(referent)
    reponse = client.get("/tableau-de-bord/", {"debut": "2017-12-01", "fin": "2017-12-31"})
    t = reponse.context["tableau"]
    assert t.bassins == [(bassins["Gien"].pk, "Gien")]
    assert t.indicateur("contrats_signes").valeur == 13
    assert set(t.indicateur("contrats_signes").par_bassin) <= {bassins["Gien"].pk}


def _requetes(**kwargs):
    with CaptureQueriesContext(connection) as requetes:
        tableau_calculer(**kwargs, utiliser_cache=False)
    return len(requetes)


def test_requetes_constantes_sur_des_donnees_croissantes(bassins, lots, admin_user):
    liste = tous()
    semer(bassins, 1, par=admin_user)
    petit = _requetes(**PERIODE, bassins=liste, restreint=False)
    semer(bassins, 3, par=admin_user)
    contrats_du_lancement(bassins)
    grand = _requetes(**PERIODE, bassins=liste, restreint=False)
    assert petit == grand
    # Même chose pour un référent (vue restreinte).
    assert _requetes(**PERIODE, bassins=liste[:1], restreint=True) == grand


def test_periode_precedente_comptee_dans_la_meme_requete_egale_au_calcul_separe(bassins, lots, admin_user):
    """2018 contre 2017 : les comptages couvrent les deux années en une requête (mois entiers) ; chaque
    valeur précédente est celle du tableau de 2017 calculé seul, pour tous les indicateurs des axes."""
    semer(bassins, 2, par=admin_user)
    contrats_du_lancement(bassins)  # décembre 2017 : la période précédente n'est pas vide
    liste = tous()
    annee_2018 = tableau_calculer(
        debut=date(2018, 1, 1), fin=date(2018, 12, 31), bassins=liste, restreint=False, utiliser_cache=False
    )
    annee_2017 = tableau_calculer(
        debut=date(2017, 1, 1), fin=date(2017, 12, 31), bassins=liste, restreint=False, utiliser_cache=False
    )
    compares = [i for i in annee_2018.indicateurs if i.axe != "contexte"]
    assert compares
    for ind in compares:
        assert ind.precedent == annee_2017.indicateur(ind.code).valeur, ind.code
    assert annee_2018.indicateur("contrats_signes").precedent == 52
    # Moins de requêtes qu'en calculant la période précédente à part.
    separe = _requetes(debut=date(2018, 1, 15), fin=date(2019, 1, 14), bassins=liste, restreint=False)
    fusionne = _requetes(debut=date(2018, 1, 1), fin=date(2018, 12, 31), bassins=liste, restreint=False)
    assert fusionne < separe


def test_periode_hors_mois_entiers_precedent_calcule_a_part(bassins, lots, admin_user):
    contrats_du_lancement(bassins)
    liste = tous()
    t = tableau_calculer(
        debut=date(2018, 1, 15), fin=date(2018, 2, 14), bassins=liste, restreint=False, utiliser_cache=False
    )
    precedente = tableau_calculer(
        debut=date(2017, 12, 15), fin=date(2018, 1, 14), bassins=liste, restreint=False, utiliser_cache=False
    )
    assert t.indicateur("contrats_signes").precedent == precedente.indicateur("contrats_signes").valeur > 0

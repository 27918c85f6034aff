"""Indicateurs de l'axe 3 sur des données construites à la main (réponse connue), et liens vers les listes."""

import datetime
from decimal import Decimal

import pytest

from placement import indicateurs, services
from placement.models import TypeSortie
from referentiel.models import BassinEmploi
from tableau_de_bord.registre import Contexte, calculer
from tests.placement.outils import J0, constater_resultats, declarer, orienter, personne_de

pytestmark = pytest.mark.django_db

J = datetime.timedelta(days=1)
SORTIE = J0 + 40 * J
CONSTAT = datetime.date(2018, 10, 15)


def _entrer(personne, referent, agent, delai):
    o = orienter(personne, referent)
    services.orientation_accepter(orientation=o, par=agent, date=J0 + delai * J)
    return services.orientation_demarrer_accompagnement(orientation=o, par=agent, date=J0 + 14 * J)


@pytest.fixture
def donnees(bassins, referent, referent_gien, lot_orleans, lot_gien, agent_a, agent_b, pilotage):
    """Orléans : 3 entrées (réponse en 3, 3 et 6 jours), sorties CDI, formation, abandon, 1 maintien à 6 mois.
    Gien : 1 entrée (réponse en 12 jours), 1 abandon ; 1 orientation proposée sans réponse (non comptée)."""
    lot_gien.prix_entree = Decimal("300.00")
    lot_gien.save()
    o1, o2, o3 = (_entrer(personne_de(bassins["Orléans"]), referent, agent_a, d) for d in (3, 3, 6))
    s1 = services.sortie_enregistrer(orientation=o1, par=agent_a, type=TypeSortie.CDI, date=SORTIE, employeur_nom="X")
    services.sortie_enregistrer(orientation=o2, par=agent_a, type=TypeSortie.FORMATION, date=SORTIE)
    services.sortie_enregistrer(orientation=o3, par=agent_a, type=TypeSortie.ABANDON, date=SORTIE)
    services.maintien_en_emploi_enregistrer(sortie=s1, par=agent_a, echeance=6, en_emploi=True, date_constat=CONSTAT)
    g = _entrer(personne_de(bassins["Gien"]), referent_gien, agent_b, 12)
    services.sortie_enregistrer(orientation=g, par=agent_b, type=TypeSortie.ABANDON, date=SORTIE)
    orienter(personne_de(bassins["Gien"]), referent_gien)
    for o, agent in ((o1, agent_a), (o2, agent_a), (o3, agent_a), (g, agent_b)):
        constater_resultats(o, agent, pilotage)  # déclarés avec justificatif, validés par le pilotage
    return bassins


def contexte(bassins, debut=datetime.date(2018, 1, 1), fin=datetime.date(2018, 12, 31)):
    return Contexte(debut=debut, fin=fin, bassins=tuple(BassinEmploi.objects.order_by("nom")))


def test_entrees_par_bassin_et_par_mois(donnees):
    ind = indicateurs.entrees(contexte(donnees))
    assert ind.code == "placement_entrees"
    assert ind.valeur == 4
    assert ind.par_bassin == {donnees["Orléans"].pk: 3, donnees["Gien"].pk: 1}
    assert ind.par_mois == {datetime.date(2018, 3, 1): 4}


def test_entrees_hors_periode_non_comptees(donnees):
    ind = indicateurs.entrees(contexte(donnees, debut=datetime.date(2018, 4, 1)))
    assert ind.valeur == 0


def test_delai_moyen_d_acceptation(donnees):
    ind = indicateurs.delai_acceptation(contexte(donnees))
    assert ind.valeur == 6.0  # (3 + 3 + 6 + 12) / 4
    assert ind.par_bassin == {donnees["Orléans"].pk: 4.0, donnees["Gien"].pk: 12.0}
    assert ind.unite == "jours"


def test_sorties_positives_et_taux(donnees):
    ctx = contexte(donnees)
    positives = indicateurs.sorties_positives(ctx)
    assert positives.valeur == 2
    assert positives.par_bassin == {donnees["Orléans"].pk: 2}
    t = indicateurs.taux_sorties_positives(ctx)
    assert t.valeur == Decimal("50.0")
    assert t.par_bassin == {donnees["Orléans"].pk: Decimal("66.7"), donnees["Gien"].pk: Decimal("0.0")}


def test_maintien_a_6_mois(donnees):
    ind = indicateurs.maintien_6_mois(contexte(donnees))
    assert (ind.valeur, ind.par_bassin, ind.par_mois) == (
        1,
        {donnees["Orléans"].pk: 1},
        {datetime.date(2018, 10, 1): 1},
    )


def test_montants_dus(donnees, prestataire_a, prestataire_b, referent, agent_a, pilotage):
    # Déclarés mais pas validés, ou rejetés : rien n'est dû.
    attente = _entrer(personne_de(donnees["Orléans"]), referent, agent_a, 2)
    declarer(attente, agent_a, "entree")
    rejete = _entrer(personne_de(donnees["Orléans"]), referent, agent_a, 2)
    services.resultat_rejeter(resultat=declarer(rejete, agent_a, "entree"), par=pilotage, motif="Illisible.")
    total, *par_prestataire = indicateurs.montants_dus(contexte(donnees))
    assert total.valeur == Decimal("4700.00")  # 3 x 400 + 2 x 1 200 + 800 (A) + 300 (B)
    assert total.par_bassin == {donnees["Orléans"].pk: Decimal("4400.00"), donnees["Gien"].pk: Decimal("300.00")}
    valeurs = {i.code: i.valeur for i in par_prestataire}
    assert valeurs == {
        f"placement_montant_du_{prestataire_a.pk}": Decimal("4400.00"),
        f"placement_montant_du_{prestataire_b.pk}": Decimal("300.00"),
    }


def test_indicateurs_declares_sur_l_axe_placement(donnees):
    codes = {i.code for i in calculer(contexte(donnees)) if i.axe == "placement"}
    assert {
        "placement_entrees",
        "placement_delai_acceptation",
        "placement_sorties_positives",
        "placement_taux_sorties_positives",
        "placement_maintien_6_mois",
        "placement_montant_du",
    } <= codes


COMPTAGES = [
    indicateurs.orientations_proposees,
    indicateurs.entrees,
    indicateurs.sorties_positives,
    indicateurs.maintien_6_mois,
]


@pytest.mark.parametrize("fonction", COMPTAGES, ids=lambda f: f.__name__)
def test_le_lien_mene_a_une_liste_de_meme_compte(client, admin_user, donnees, fonction):
    client.force_login(admin_user)
    ind = fonction(contexte(donnees))
    assert ind.valeur > 0
    assert client.get(ind.lien).context["nb_resultats"] == ind.valeur
    for bassin_id, url in ind.liens_bassin.items():
        assert client.get(url).context["nb_resultats"] == ind.par_bassin.get(bassin_id, 0), url


def test_liens_du_delai_et_du_taux_comptent_le_denominateur(client, admin_user, donnees):
    client.force_login(admin_user)
    ctx = contexte(donnees)
    delai = indicateurs.delai_acceptation(ctx)
    assert client.get(delai.lien).context["nb_resultats"] == 4
    taux = indicateurs.taux_sorties_positives(ctx)
    assert client.get(taux.lien).context["nb_resultats"] == 4
    assert client.get(taux.liens_bassin[donnees["Orléans"].pk]).context["nb_resultats"] == 3


def test_le_lien_du_montant_mene_a_l_etat_de_meme_total(client, admin_user, donnees):
    client.force_login(admin_user)
    total, *par_prestataire = indicateurs.montants_dus(contexte(donnees))
    assert client.get(total.lien).context["total"] == total.valeur
    for bassin_id, url in total.liens_bassin.items():
        assert client.get(url).context["total"] == total.par_bassin.get(bassin_id, 0)
    for ind in par_prestataire:
        assert client.get(ind.lien).context["total"] == ind.valeur

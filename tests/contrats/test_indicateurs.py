"""Indicateurs de l'axe 2 sur des données construites à la main, et liens dont la liste compte le chiffre."""

import datetime
from decimal import Decimal

import pytest

from contrats import indicateurs
from contrats.models import Statut
from referentiel.models import BassinEmploi
from tableau_de_bord.registre import Contexte
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.referentiel.factories import StructureFactory

from .factories import ContratAideFactory, EnveloppeFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def contexte(debut, fin, bassins_visibles=None):
    tous = tuple(BassinEmploi.objects.order_by("nom"))
    if bassins_visibles is None:
        return Contexte(debut=debut, fin=fin, bassins=tous, restreint=False)
    return Contexte(debut=debut, fin=fin, bassins=tuple(bassins_visibles), restreint=True)


@pytest.fixture
def lancement(bassins):
    """Le lancement : 52 conventions signées en décembre 2017, dont 9 avec des communes ; 1 brouillon."""
    communes = [StructureFactory(commune_employeur=True) for _ in range(3)]
    associations = [StructureFactory() for _ in range(4)]
    noms = ["Orléans", "Montargis", "Gien", "Pithiviers"]
    for i in range(52):
        commune = bassins[noms[i % 4]].commune_test
        ContratAideFactory(
            beneficiaire=BeneficiaireFactory(commune=commune),
            employeur=communes[i % 3] if i < 9 else associations[i % 4],
            signe=True,
            type="cui_cae",
            date_signature=D(2017, 12, 1 + i % 28),
            date_debut=D(2018, 1, 2),
            date_fin=D(2018, 12, 31),
            heures_hebdomadaires=Decimal("20") if i % 2 else Decimal("26"),
        )
    ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=bassins["Gien"].commune_test))
    EnveloppeFactory(annee=2017, nombre_contrats=60)
    return bassins


def par_code(resultats):
    resultats = resultats if isinstance(resultats, list) else [resultats]
    return {i.code: i for i in resultats}


def compte_liste(client, url):
    r = client.get(url)
    assert r.status_code == 200
    return r.context["nb_resultats"]


def test_52_signes_dont_9_avec_des_communes(client, pilotage, lancement):
    ctx = contexte(D(2017, 12, 1), D(2017, 12, 31))
    signes = indicateurs.contrats_signes(ctx)
    communes = indicateurs.contrats_signes_communes(ctx)
    assert signes.valeur == 52
    assert communes.valeur == 9
    assert signes.par_mois == {D(2017, 12, 1): 52}
    assert signes.par_bassin[lancement["Orléans"].pk] == 13
    client.force_login(pilotage)
    assert compte_liste(client, signes.lien) == 52
    assert compte_liste(client, communes.lien) == 9
    for bassin_id, url in signes.liens_bassin.items():
        assert compte_liste(client, url) == signes.par_bassin.get(bassin_id, 0)
    for bassin_id, url in communes.liens_bassin.items():
        assert compte_liste(client, url) == communes.par_bassin.get(bassin_id, 0)


def test_periode_sans_signature(lancement):
    assert indicateurs.contrats_signes(contexte(D(2018, 1, 1), D(2018, 12, 31))).valeur == 0


def test_restreint_aux_bassins_du_referent(lancement):
    ctx = contexte(D(2017, 12, 1), D(2017, 12, 31), [lancement["Gien"]])
    assert indicateurs.contrats_signes(ctx).valeur == 13


def test_heures_moyennes(client, pilotage, lancement):
    ind = indicateurs.heures_moyennes(contexte(D(2017, 12, 1), D(2017, 12, 31)))
    # 26 contrats à 26 h et 26 à 20 h : 23 h.
    assert ind.valeur == Decimal("23.0")
    client.force_login(pilotage)
    assert compte_liste(client, ind.lien) == 52


def test_enveloppe_utilisee_et_prevue(client, pilotage, lancement):
    ind = par_code(indicateurs.enveloppe(contexte(D(2017, 12, 1), D(2017, 12, 31))))
    assert ind["contrats_enveloppe_prevue"].valeur == 60
    assert ind["contrats_enveloppe_utilisee"].valeur == 52
    assert "52 sur 60" in ind["contrats_enveloppe_utilisee"].description
    client.force_login(pilotage)
    assert compte_liste(client, ind["contrats_enveloppe_utilisee"].lien) == 52


def test_en_cours_ruptures_et_sorties_positives(client, pilotage, bassins):
    orleans = bassins["Orléans"].commune_test
    gien = bassins["Gien"].commune_test

    def contrat(commune, **kw):
        return ContratAideFactory(
            beneficiaire=BeneficiaireFactory(commune=commune),
            signe=True,
            date_debut=D(2018, 1, 1),
            date_fin=D(2018, 12, 31),
            **kw,
        )

    contrat(orleans, statut=Statut.EN_COURS)
    contrat(gien)
    contrat(orleans, statut=Statut.ROMPU, date_rupture=D(2018, 3, 10), motif_rupture="cdi", sortie_positive=True)
    contrat(gien, statut=Statut.ROMPU, date_rupture=D(2018, 4, 10), motif_rupture="faute_grave")
    contrat(gien, statut=Statut.ROMPU, date_rupture=D(2018, 7, 10), motif_rupture="faute_grave")
    ctx = contexte(D(2018, 1, 1), D(2018, 6, 30))
    client.force_login(pilotage)

    en_cours = indicateurs.contrats_en_cours(ctx)
    # Au 30/06/2018 : les deux contrats non rompus et celui rompu le 10/07.
    assert en_cours.valeur == 3
    assert en_cours.par_bassin == {bassins["Orléans"].pk: 1, bassins["Gien"].pk: 2}
    assert compte_liste(client, en_cours.lien) == 3

    ruptures = par_code(indicateurs.ruptures(ctx))
    assert ruptures["contrats_ruptures"].valeur == 2
    assert ruptures["contrats_ruptures_cdi"].valeur == 1
    assert ruptures["contrats_ruptures_faute_grave"].valeur == 1
    assert ruptures["contrats_ruptures_inaptitude"].valeur == 0
    for ind in ruptures.values():
        assert compte_liste(client, ind.lien) == ind.valeur

    sorties = indicateurs.sorties_positives(ctx)
    assert sorties.valeur == 1
    assert sorties.par_bassin == {bassins["Orléans"].pk: 1}
    assert compte_liste(client, sorties.lien) == 1


def test_cofinancement_engage(client, pilotage, bassins, django_assert_max_num_queries):
    orleans = bassins["Orléans"].commune_test
    for _ in range(2):
        ContratAideFactory(
            beneficiaire=BeneficiaireFactory(commune=orleans),
            signe=True,
            date_debut=D(2017, 12, 1),
            date_fin=D(2018, 11, 30),
        )
    ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=orleans), date_debut=D(2017, 12, 1))  # brouillon
    ctx = contexte(D(2018, 1, 1), D(2018, 3, 31))
    with django_assert_max_num_queries(2):
        ind = indicateurs.cofinancement_engage(ctx)
    assert ind.valeur == Decimal("480.02") * 3 * 2
    assert ind.par_mois[D(2018, 2, 1)] == Decimal("960.04")
    assert ind.par_bassin == {bassins["Orléans"].pk: Decimal("2880.12")}
    client.force_login(pilotage)
    assert compte_liste(client, ind.lien) == 2


def test_une_requete_groupee_par_indicateur(lancement, django_assert_max_num_queries):
    ctx = contexte(D(2017, 1, 1), D(2018, 12, 31))
    with django_assert_max_num_queries(1):
        indicateurs.contrats_signes(ctx)
    with django_assert_max_num_queries(1):
        indicateurs.ruptures(ctx)
    with django_assert_max_num_queries(1):
        indicateurs.heures_moyennes(ctx)
    with django_assert_max_num_queries(2):
        indicateurs.enveloppe(ctx)


def test_indicateurs_ventiles_pour_les_series_et_l_export(bassins):
    orleans = bassins["Orléans"].commune_test
    ContratAideFactory(
        beneficiaire=BeneficiaireFactory(commune=orleans),
        signe=True,
        statut=Statut.ROMPU,
        date_rupture=D(2018, 2, 10),
        motif_rupture="cdi",
    )
    ctx = contexte(D(2018, 1, 1), D(2018, 3, 31))
    ruptures = par_code(indicateurs.ruptures(ctx))["contrats_ruptures"]
    assert ruptures.ventile
    assert ruptures.par_bassin_mois == {(bassins["Orléans"].pk, D(2018, 2, 1)): 1}
    assert ruptures.valeur_mois(D(2018, 3, 1)) == 0
    cofinancement = indicateurs.cofinancement_engage(ctx)
    assert cofinancement.ventile
    assert cofinancement.par_bassin_mois[(bassins["Orléans"].pk, D(2018, 1, 1))] == Decimal("480.02")
    assert cofinancement.valeur_mois(D(2018, 3, 1)) == 0
    assert not indicateurs.heures_moyennes(ctx).additif


def test_signatures_une_requete_partagee_avec_la_periode_precedente(lancement, django_assert_num_queries):
    """Contrats signés, dont avec des communes et durée moyenne : une requête, période précédente comprise, et les
    mêmes valeurs précédentes qu'un calcul à part."""
    tous = tuple(BassinEmploi.objects.order_by("nom"))
    ctx = Contexte(debut=D(2018, 1, 1), fin=D(2018, 12, 31), bassins=tous, debut_precedent=D(2017, 1, 1))
    with django_assert_num_queries(1):
        signes = indicateurs.contrats_signes(ctx)
        communes = indicateurs.contrats_signes_communes(ctx)
        heures = indicateurs.heures_moyennes(ctx)
    assert (signes.valeur, signes.precedent) == (0, 52)
    assert (communes.valeur, communes.precedent) == (0, 9)
    assert communes.par_bassin == {} and communes.par_mois == {}
    precedente = contexte(D(2017, 1, 1), D(2017, 12, 31))
    assert heures.valeur is None
    assert heures.precedent == indicateurs.heures_moyennes(precedente).valeur is not None

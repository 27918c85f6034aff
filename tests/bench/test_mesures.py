"""Mesure du tableau de bord sur la réplique (bench/mesures.py) : les requêtes sont comptées par base, et la mesure
est nulle si le tableau a lu ses données sur la base principale. Le test « réplique réelle » tourne quand
DATABASE_REPLICA_URL désigne une réplique en streaming de la base de DATABASE_URL (CI : .ci/replique.sh)."""

import pytest
from django.db import DEFAULT_DB_ALIAS

from bench import mesures
from beneficiaires.models import Beneficiaire
from commun import routage, versions
from tests.commun.test_replique import BASES, replique_reelle  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_les_requetes_sont_comptees_par_base_et_par_nature():
    with mesures.requetes_par_base(DEFAULT_DB_ALIAS) as comptes:
        Beneficiaire.objects.count()
        versions.versions("beneficiaires")
    assert comptes == {DEFAULT_DB_ALIAS: {"donnees": 1, "versions": 1, "controle": 0}}
    assert mesures.nature_requete("SELECT pg_current_wal_lsn()::text") == "controle"


def _comptes(principale, replique):
    return {
        phase: {
            DEFAULT_DB_ALIAS: {"donnees": principale, "versions": 1, "controle": 1},
            routage.ALIAS: {"donnees": replique, "versions": 0, "controle": 1},
        }
        for phase in ("sans_cache", "remplissage_du_cache", "nouvelle_periode")
    }


def test_une_lecture_de_donnees_sur_la_principale_annule_la_mesure():
    assert mesures.lu_sur_la_replique(_comptes(principale=0, replique=40))
    assert not mesures.lu_sur_la_replique(_comptes(principale=1, replique=40))
    assert not mesures.lu_sur_la_replique(_comptes(principale=0, replique=0))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=BASES)
def test_le_tableau_mesure_sur_la_replique_reelle_y_lit_ses_donnees(replique_reelle, bassins):  # noqa: F811
    resultat = mesures.mesurer_tableau(repetitions=1, replique=True)
    assert resultat["sur_la_replique"], resultat["requetes_par_base"]
    assert resultat["base_lue"] == routage.ALIAS
    sans_cache = resultat["requetes_par_base"]["sans_cache"]
    assert sans_cache[routage.ALIAS]["donnees"] > 0
    assert sans_cache[DEFAULT_DB_ALIAS]["donnees"] == 0
    assert resultat["replique"]["attente_rejeu_s"] >= 0


def test_les_adresses_de_la_charge_mixte_ne_portent_que_des_criteres_lus_par_la_liste(bassins):
    """La charge mixte compare la liste à l'administration « avec les mêmes filtres » : chaque paramètre de ses
    adresses doit être un critère que la liste lit (un nom inconnu serait ignoré en silence, et la liste mesurée
    montrerait d'autres lignes que l'administration)."""
    from urllib.parse import parse_qsl, urlsplit

    from beneficiaires.filters import BeneficiaireFilter
    from contrats.filters import ContratFilter
    from tests.beneficiaires.factories import BeneficiaireFactory
    from tests.comptes.factories import UserFactory

    referent = UserFactory(username="referent", referent=True, bassins=[bassins["Orléans"]])
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test, referent=referent)
    pages = {p.code: p for p in mesures.pages_mixtes()}
    lus_par_la_vue = {"sort", "page", "vue"}  # tri et page (django-tables2), `vue` : rendre l'adresse unique
    for code, filtres in (("mixte_beneficiaires", BeneficiaireFilter), ("mixte_contrats", ContratFilter)):
        statuts = set()
        for chemin in pages[code].chemins:
            criteres = dict(parse_qsl(urlsplit(chemin).query))
            assert set(criteres) <= set(filtres.base_filters) | lus_par_la_vue, chemin
            statuts.add(criteres.get("statut"))
        if code == "mixte_beneficiaires":  # les trois cas de l'administration : tous, en parcours, à évaluer
            assert statuts == {None, "en_parcours", "a_evaluer"}

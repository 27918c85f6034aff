"""Ordre de la liste des bénéficiaires : chaque tri se départage (nom, prénoms, clé), les pages d'une liste
triée se suivent sans se recouvrir, et les personnes jamais évaluées restent à la fin du tri par évaluation."""

import datetime
import re

import pytest
from django.urls import reverse

from beneficiaires.models import Beneficiaire
from beneficiaires.tables import BeneficiaireTable
from tests.beneficiaires.factories import BeneficiaireFactory, EvaluationFactory, en_vigueur
from tests.beneficiaires.test_vues import client_de
from tests.comptes.factories import UserFactory

TRIS = [c.name for c in BeneficiaireTable(Beneficiaire.objects.none()).columns if c.orderable]


def _cles(client, sort, per_page=2, pages=3):
    """Les clés des personnes, page après page, dans l'ordre de la liste (les cases à cocher portent la clé)."""
    cles = []
    for page in range(1, pages + 1):
        reponse = client.get(reverse("beneficiaires:liste"), {"sort": sort, "per_page": per_page, "page": page})
        assert reponse.status_code == 200
        cles += [int(v) for v in re.findall(r'name="beneficiaires" value="(\d+)"', reponse.content.decode())]
    return cles


@pytest.fixture
def homonymes(bassins):
    """Six personnes que seul l'ordre de leur clé départage : même nom, mêmes prénoms, même commune, même
    référent, même date de naissance, rien d'évalué."""
    referent = UserFactory(referent=True, bassins=[bassins["Orléans"]], first_name="Ana", last_name="Roy")
    return [
        BeneficiaireFactory(commune=bassins["Orléans"].commune_test, nom="MARTIN", prenoms="Jean", referent=referent).pk
        for _ in range(6)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("sort", TRIS)
def test_chaque_tri_se_departage_par_la_cle(client, admin_user, homonymes, sort):
    """Sans départage, la base rend les ex aequo dans l'ordre qui lui plaît (PostgreSQL : tri partiel d'une page
    avec LIMIT / OFFSET) : une personne peut paraître sur deux pages et une autre sur aucune."""
    client = client_de(client, admin_user)
    assert _cles(client, sort) == sorted(homonymes)
    assert _cles(client, f"-{sort}") == sorted(homonymes, reverse=True)


@pytest.mark.django_db
def test_les_personnes_jamais_evaluees_restent_a_la_fin(client, admin_user, bassins):
    commune = bassins["Gien"].commune_test
    jamais = BeneficiaireFactory(commune=commune, nom="AUBERT").pk
    dates = {}
    for nom, date in (("BRUN", datetime.date(2026, 3, 2)), ("CARON", datetime.date(2025, 9, 14))):
        personne = BeneficiaireFactory(commune=commune, nom=nom)
        evaluation = EvaluationFactory(beneficiaire=personne, date=date)
        en_vigueur(evaluation)
        dates[nom] = personne.pk
    client = client_de(client, admin_user)
    assert _cles(client, "evaluation", per_page=50, pages=1) == [dates["CARON"], dates["BRUN"], jamais]
    assert _cles(client, "-evaluation", per_page=50, pages=1) == [dates["BRUN"], dates["CARON"], jamais]


@pytest.mark.django_db
def test_le_referent_sans_nom_complet_s_affiche_par_son_identifiant(client, admin_user, bassins):
    """Comme `User.__str__` : le nom complet, à défaut l'identifiant de connexion."""
    sans_nom = UserFactory(referent=True, username="ref.sans.nom", first_name="", last_name="")
    BeneficiaireFactory(commune=bassins["Gien"].commune_test, referent=sans_nom)
    contenu = client_de(client, admin_user).get(reverse("beneficiaires:liste")).content.decode()
    assert "<td >ref.sans.nom</td>" in contenu

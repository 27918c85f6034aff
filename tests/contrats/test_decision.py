"""La décision de cofinancement du Département, imprimable : parties, personne, employeur, dates, heures, taux de
l'État, échéancier mensuel de la part du Département avec les valeurs utilisées, signatures."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.beneficiaires.factories import BeneficiaireFactory

from .factories import ContratAideFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def contrat(bassins, referent):
    return ContratAideFactory(
        beneficiaire=BeneficiaireFactory(commune=bassins["Orléans"].commune_test, nom="Bègue", prenoms="Anne"),
        referent=referent,
        date_debut=D(2017, 9, 1),
        date_fin=D(2018, 2, 28),
        heures_hebdomadaires=Decimal("20"),
        taux_aide_etat=Decimal("60"),
        signe=True,
    )


def test_la_decision_dit_tout_ce_qui_est_signe(client, referent, contrat):
    client.force_login(referent)
    page = client.get(contrat.get_absolute_url()).content.decode()
    url = reverse("contrats:decision", args=[contrat.pk])
    assert url in page
    r = client.get(url)
    assert r.status_code == 200
    html = r.content.decode()
    assert f"n° {contrat.numero_convention}" in html
    assert "BÈGUE" in html.upper() and contrat.employeur.nom in html
    assert "du 01/09/2017 au 28/02/2018" in html
    assert "20 heures" in html and "60 % du SMIC horaire brut" in html
    assert "Septembre 2017" in html and "Février 2018" in html
    assert html.count("480,02\xa0€") >= 6  # 0,88 x 545,48 € chaque mois
    assert "2\u202f880,12\xa0€" in html  # total de la participation
    assert "RSA forfaitaire" in html and "en vigueur depuis le 01/09/2017" in html
    assert "Pour le Président du Conseil départemental" in html and "L'employeur" in html
    assert "Projet" not in html
    assert r.context["total"] == Decimal("480.02") * 6


def test_brouillon_marque_projet_et_sans_dates_pas_de_decision(client, referent, bassins):
    client.force_login(referent)
    commune = bassins["Orléans"].commune_test
    brouillon = ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=commune), referent=referent)
    assert (
        "Projet : convention non signée"
        in client.get(reverse("contrats:decision", args=[brouillon.pk])).content.decode()
    )
    incomplet = ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=commune), date_debut=None, date_fin=None)
    assert client.get(reverse("contrats:decision", args=[incomplet.pk])).status_code == 404


def test_decision_autre_bassin_404(client, referent, bassins):
    autre = ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=bassins["Gien"].commune_test), signe=True)
    client.force_login(referent)
    assert client.get(reverse("contrats:decision", args=[autre.pk])).status_code == 404


def test_decision_nombre_de_requetes_constant(client, referent, bassins, django_assert_max_num_queries):
    c = ContratAideFactory(
        beneficiaire=BeneficiaireFactory(commune=bassins["Orléans"].commune_test),
        date_debut=D(2018, 1, 1),
        date_fin=D(2019, 12, 31),
        signe=True,
    )
    client.force_login(referent)
    # Session, second facteur et compte, contrat, barème, journal de consultation : autant pour 24 mois que pour 1.
    with django_assert_max_num_queries(14):
        r = client.get(reverse("contrats:decision", args=[c.pk]))
    assert len(r.context["echeancier"]) == 24

from decimal import Decimal

import pytest
from django.urls import reverse

from contrats.models import Enveloppe, ParametreFinancier

from .factories import ContratAideFactory, EnveloppeFactory

pytestmark = pytest.mark.django_db


def test_admin_listes_et_historique(client, admin_user):
    contrat = ContratAideFactory(signe=True)
    EnveloppeFactory(annee=2018)
    client.force_login(admin_user)
    for modele in ("contrataide", "enveloppe", "parametrefinancier", "compteurconvention"):
        assert client.get(reverse(f"admin:contrats_{modele}_changelist")).status_code == 200
    assert client.get(reverse("admin:contrats_contrataide_change", args=[contrat.pk])).status_code == 200
    assert client.get(reverse("admin:contrats_contrataide_history", args=[contrat.pk])).status_code == 200
    r = client.get(reverse("admin:contrats_contrataide_changelist"), {"q": contrat.numero_convention})
    assert r.context["cl"].result_count == 1


def test_admin_modifie_une_valeur_de_reference(client, admin_user):
    p = ParametreFinancier.objects.get(type="rsa_personne_seule", date_effet="2017-09-01")
    client.force_login(admin_user)
    r = client.post(
        reverse("admin:contrats_parametrefinancier_change", args=[p.pk]),
        {"type": p.type, "date_effet": "2017-09-01", "montant": "545.50"},
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.montant == Decimal("545.50")
    assert p.history.count() == 1


def test_admin_enveloppe_pas_sous_les_contrats_signes(client, admin_user):
    enveloppe = EnveloppeFactory(annee=2018, nombre_contrats=5)
    ContratAideFactory(signe=True, date_signature="2018-01-01")
    ContratAideFactory(signe=True, date_signature="2018-01-01")
    client.force_login(admin_user)
    r = client.post(
        reverse("admin:contrats_enveloppe_change", args=[enveloppe.pk]),
        {"annee": 2018, "nombre_contrats": 1, "budget": "1000"},
    )
    assert r.status_code == 200
    assert "déjà signés" in r.content.decode()
    assert Enveloppe.objects.get(pk=enveloppe.pk).nombre_contrats == 5


def test_admin_reserve_aux_administrateurs(client, pilotage):
    client.force_login(pilotage)
    r = client.get(reverse("admin:contrats_contrataide_changelist"))
    assert r.status_code == 302


def test_admin_convention_signee_en_lecture_seule(client, admin_user):
    contrat = ContratAideFactory(signe=True)
    client.force_login(admin_user)
    r = client.post(
        reverse("admin:contrats_contrataide_change", args=[contrat.pk]),
        {"intitule_poste": "Modifié", "heures_hebdomadaires": "12"},
    )
    assert r.status_code == 403
    contrat.refresh_from_db()
    assert contrat.intitule_poste != "Modifié"
    assert contrat.heures_hebdomadaires == 20

"""Parcours de la mobilité dans Chromium : le référent trouve un véhicule libre et le réserve pour une personne ;
l'agent mobilité fait la remise et le retour sur une tablette ; calendrier, planning et contrat imprimable.
axe-core sans violation grave, aucune violation de la CSP."""

import datetime

import pytest
from django.utils import timezone

from mobilite.models import Location, StatutLocation
from tests.comptes.factories import UserFactory
from tests.e2e.conftest import MOT_DE_PASSE, connecter, texte_principal, verifier_page

from .factories import MaintenanceFactory, VehiculeFactory, personne

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_reserver_remettre_et_reprendre_un_vehicule(onglet, bassins):
    aujourdhui = timezone.localdate()
    orleans = bassins["Orléans"].commune_test
    referent = UserFactory(username="e2e.referent.mobilite", referent=True, bassins=[bassins["Orléans"]])
    agent = UserFactory(username="e2e.agent.mobilite", agent_mobilite=True)
    b = personne(commune=orleans, nom="Lefèvre", prenoms="Héloïse", telephone="0601020304")
    v = VehiculeFactory(commune=orleans, vsp=True, immatriculation="GH-456-JK", kilometrage=8_000)
    MaintenanceFactory(
        vehicule=v, debut=aujourdhui + datetime.timedelta(days=10), fin=aujourdhui + datetime.timedelta(days=12)
    )

    # Le référent part de la fiche (paramètre beneficiaire) : recherche, puis réservation.
    connecter(onglet, referent.username, MOT_DE_PASSE, verifier=False)
    fin = aujourdhui + datetime.timedelta(days=2)
    onglet.aller(f"/mobilite/trouver/?beneficiaire={b.pk}")
    verifier_page(onglet, "recherche")
    onglet.get_by_label("Du").fill(aujourdhui.isoformat())
    onglet.get_by_label("Au (inclus)").fill(fin.isoformat())
    onglet.get_by_role("button", name="Chercher").click()
    onglet.wait_for_load_state()
    assert "GH-456-JK" in texte_principal(onglet)
    verifier_page(onglet, "resultats")
    onglet.get_by_role("link", name="Réserver GH-456-JK").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "reserver")
    onglet.get_by_label("Motif").select_option("entretien")
    onglet.get_by_role("button", name="Réserver", exact=True).click()
    onglet.wait_for_load_state()
    assert "Réservation enregistrée." in texte_principal(onglet)
    loc = Location.objects.get(vehicule=v)
    assert loc.beneficiaire == b and loc.statut == StatutLocation.RESERVEE
    verifier_page(onglet, "location")

    # L'agent mobilité, sur une tablette : remise puis retour, à gros boutons.
    onglet.context.clear_cookies()
    onglet.set_viewport_size({"width": 820, "height": 1180})
    connecter(onglet, agent.username, MOT_DE_PASSE, verifier=False)
    onglet.aller(loc.get_absolute_url())
    assert "0601020304" in texte_principal(onglet)
    onglet.get_by_role("link", name="Remettre le véhicule (départ)").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "depart-tablette")
    onglet.get_by_label("Kilométrage au compteur").fill("8010")
    onglet.get_by_text("Plein", exact=True).click()
    onglet.get_by_role("button", name="Valider").click()
    onglet.wait_for_load_state()
    assert "Véhicule remis" in texte_principal(onglet)
    onglet.get_by_role("link", name="Enregistrer le retour").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "retour-tablette")
    onglet.get_by_label("Kilométrage au compteur").fill("8005")
    onglet.get_by_text("3/4", exact=True).click()
    onglet.get_by_role("button", name="Valider").click()
    onglet.wait_for_load_state()
    assert "inférieur au kilométrage au départ" in texte_principal(onglet)
    onglet.get_by_label("Kilométrage au compteur").fill("8090")
    onglet.get_by_text("3/4", exact=True).click()
    onglet.get_by_role("button", name="Valider").click()
    onglet.wait_for_load_state()
    assert "Retour enregistré" in texte_principal(onglet)
    loc.refresh_from_db()
    assert loc.statut == StatutLocation.RESTITUEE and loc.km_retour == 8090

    onglet.set_viewport_size({"width": 1280, "height": 900})
    for nom, chemin in [
        ("contrat", f"/mobilite/locations/{loc.pk}/contrat/"),
        ("calendrier", f"/mobilite/flotte/{v.pk}/calendrier/"),
        ("planning", "/mobilite/flotte/planning/"),
        ("locations", "/mobilite/locations/"),
        ("flotte", "/mobilite/flotte/"),
        ("vehicule", f"/mobilite/flotte/{v.pk}/"),
        ("conventions", "/mobilite/conventions/"),
    ]:
        onglet.aller(chemin)
        verifier_page(onglet, nom)

"""Autocomplétion des filtres dans Chromium : saisir, choisir au clavier, envoyer ; la liste ouverte passe axe-core ;
sans JavaScript, le texte saisi filtre aussi."""

import pytest

from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.e2e.conftest import MOT_DE_PASSE, connecter, verifier_page
from tests.referentiel.factories import BassinFactory, CommuneFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def donnees(transactional_db):
    orleans = BassinFactory(nom="Orléans")
    gien = BassinFactory(nom="Gien")
    saran = CommuneFactory(nom="Saran", code_insee="45302", bassin_emploi=orleans)
    saint_jean = CommuneFactory(nom="Saint-Jean-de-Braye", code_insee="45284", bassin_emploi=orleans)
    CommuneFactory(nom="Saint-Jean-le-Blanc", code_insee="45286", bassin_emploi=orleans)
    CommuneFactory(nom="Saint-Brisson-sur-Loire", code_insee="45270", bassin_emploi=gien)  # hors portée
    UserFactory(username="rachida", first_name="Rachida", last_name="Référente", bassins=[orleans])
    UserFactory(username="paul", first_name="Paul", last_name="Collègue", bassins=[orleans])
    UserFactory(username="gaston", first_name="Gaston", last_name="Giennois", bassins=[gien])
    BeneficiaireFactory(nom="Braytois", prenoms="Luc", commune=saint_jean)
    BeneficiaireFactory(nom="Saranais", prenoms="Léa", commune=saran)
    return {"saint_jean": saint_jean}


def lignes(onglet):
    return onglet.locator("main table tbody tr")


def test_choisir_une_commune_au_clavier_et_filtrer(onglet, donnees):
    connecter(onglet, "rachida")
    onglet.aller("/beneficiaires/")
    commune = onglet.get_by_role("combobox", name="Commune")
    commune.click()
    commune.press_sequentially("saint-j")
    options = onglet.get_by_role("listbox", name="Commune", exact=True).get_by_role("option")
    options.first.wait_for()
    # La portée du référent : pas la commune du bassin de Gien.
    assert options.all_inner_texts() == ["Saint-Jean-de-Braye (45284)", "Saint-Jean-le-Blanc (45286)"]
    assert commune.get_attribute("aria-expanded") == "true"
    assert "2 propositions" in onglet.get_by_role("status").filter(has_text="proposition").inner_text()
    verifier_page(onglet, "autocompletion-ouverte")
    commune.press("ArrowDown")
    assert commune.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    assert options.first.get_attribute("aria-selected") == "true"
    commune.press("Enter")  # choisit, n'envoie pas
    assert commune.input_value() == "Saint-Jean-de-Braye (45284)"
    assert commune.get_attribute("aria-expanded") == "false"
    assert "/beneficiaires/?" not in onglet.page.url
    commune.press("Enter")  # liste fermée : envoie le formulaire
    onglet.wait_for_load_state()
    # L'identifiant part dans le champ caché du choix ; la zone envoie le texte affiché.
    assert f"commune_choix={donnees['saint_jean'].pk}" in onglet.page.url
    assert "commune=Saint-Jean-de-Braye" in onglet.page.url
    assert lignes(onglet).count() == 1 and "BRAYTOIS" in lignes(onglet).first.inner_text()
    # Rouverte, la page rend le choix dans la zone (la seule option rendue).
    assert onglet.get_by_role("combobox", name="Commune").input_value() == "Saint-Jean-de-Braye (45284)"
    verifier_page(onglet, "autocompletion-filtree")


def test_referent_choisi_a_la_souris_puis_efface_par_echap(onglet, donnees):
    connecter(onglet, "rachida")
    onglet.aller("/beneficiaires/")
    referent = onglet.get_by_role("combobox", name="Référent")
    referent.click()
    referent.press("ArrowDown")  # liste vide : toutes les propositions de la portée
    options = onglet.get_by_role("listbox", name="Référent", exact=True).get_by_role("option")
    options.first.wait_for()
    assert options.all_inner_texts() == ["Paul Collègue", "Rachida Référente"]
    options.nth(1).click()
    assert referent.input_value() == "Rachida Référente"
    referent.press("Escape")
    assert referent.input_value() == ""


def test_code_insee_saisi_sans_choisir_dans_la_liste(onglet, donnees):
    """Un code INSEE tapé puis envoyé sans choisir : cherché comme texte (sa commune), pas comme identifiant."""
    connecter(onglet, "rachida")
    onglet.aller("/beneficiaires/")
    commune = onglet.get_by_role("combobox", name="Commune")
    commune.fill("45302")
    onglet.get_by_role("button", name="Filtrer").click()
    onglet.wait_for_load_state()
    assert "commune=45302" in onglet.page.url and "commune_choix" not in onglet.page.url
    assert lignes(onglet).count() == 1 and "SARANAIS" in lignes(onglet).first.inner_text()


def test_sans_javascript_le_texte_saisi_filtre(navigateur, live_server, donnees):
    contexte = navigateur.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = contexte.new_page()
        page.goto("/comptes/connexion/")
        page.get_by_label("Identifiant").fill("rachida")
        page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
        page.get_by_role("button", name="Se connecter").click()
        page.goto("/beneficiaires/")
        page.get_by_label("Commune").fill("saran")
        page.get_by_role("button", name="Filtrer").click()
        page.wait_for_load_state()
        corps = page.locator("main table tbody tr")
        assert corps.count() == 1 and "SARANAIS" in corps.first.inner_text()
    finally:
        contexte.close()

"""Parcours 2 : un salarié d'un prestataire accepte une orientation, enregistre un suivi puis une sortie positive,
et n'atteint pas une personne orientée vers un autre prestataire (404)."""

import pytest
from django.utils import timezone

from placement.services import orientation_proposer
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.e2e.conftest import connecter, texte_principal, verifier_page
from tests.placement.factories import LotFactory, MarcheFactory
from tests.referentiel.factories import BassinFactory, CommuneFactory, StructureFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def donnees(transactional_db):
    orleans, gien = BassinFactory(nom="Orléans"), BassinFactory(nom="Gien")
    saran = CommuneFactory(nom="Saran", code_insee="45302", bassin_emploi=orleans)
    briare = CommuneFactory(nom="Briare", code_insee="45053", bassin_emploi=gien)
    trajectoires = StructureFactory(nom="Trajectoires Placement", prestataire=True, commune=saran)
    insertion = StructureFactory(nom="Insertion Emploi Centre", prestataire=True, commune=briare)
    marche = MarcheFactory(reference="2017-PLACEMENT")
    LotFactory(marche=marche, numero=1, prestataire=trajectoires, bassins=[orleans], capacite=150)
    LotFactory(marche=marche, numero=2, prestataire=insertion, bassins=[gien], capacite=150)
    referente = UserFactory(username="rachida", referent=True, bassins=[orleans, gien])
    UserFactory(username="pierre", first_name="Pierre", role="prestataire", structure=trajectoires)
    ici = BeneficiaireFactory(nom="Moreau", prenoms="Karim", civilite="M", commune=saran)
    ailleurs = BeneficiaireFactory(nom="Lefèvre", prenoms="Sophie", commune=briare)
    jour = timezone.localdate()
    orientation_ici = orientation_proposer(beneficiaire=ici, par=referente, date=jour)
    orientation_ailleurs = orientation_proposer(beneficiaire=ailleurs, par=referente, date=jour)
    return {
        "ici": ici,
        "ailleurs": ailleurs,
        "o_ici": orientation_ici,
        "o_ailleurs": orientation_ailleurs,
        "jour": jour,
    }


def test_prestataire_accepte_suit_et_sort_positivement(onglet, donnees):
    jour, o_ici, o_ailleurs = donnees["jour"], donnees["o_ici"], donnees["o_ailleurs"]
    connecter(onglet, "pierre")
    verifier_page(onglet, "accueil")

    # Sa liste ne montre que les personnes orientées vers sa structure.
    onglet.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Placement").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "orientations")
    texte = texte_principal(onglet)
    assert "MOREAU" in texte.upper() and "Karim" in texte, texte[:800]
    assert "Sophie" not in texte and "LEFÈVRE" not in texte.upper()
    onglet.locator("main").get_by_role("link", name="MOREAU Karim").first.click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "orientation-proposee")
    assert onglet.get_by_role("heading", level=1).inner_text().strip() == "Orientation de MOREAU Karim"
    assert "Proposée" in texte_principal(onglet)

    # Acceptation.
    onglet.get_by_role("link", name="Accepter").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "accepter")
    onglet.get_by_label("Date").fill(jour.isoformat())
    onglet.get_by_role("button", name="Accepter").click()
    onglet.wait_for_load_state()
    texte = texte_principal(onglet)
    assert "Orientation acceptée : une place du lot est réservée à la personne." in texte, texte[:800]
    assert "statut : Acceptée" in texte

    # Suivi : un entretien individuel.
    onglet.get_by_role("link", name="Enregistrer un suivi").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "suivi")
    onglet.get_by_label("Date du contact").fill(jour.isoformat())
    onglet.get_by_label("Nature du contact").select_option(label="Entretien individuel")
    onglet.get_by_label("Note").fill("Projet confirmé : vente en boulangerie, CV mis à jour.")
    onglet.get_by_role("button", name="Enregistrer").click()
    onglet.wait_for_load_state()
    texte = texte_principal(onglet)
    assert "Suivi enregistré." in texte, texte[:800]
    assert "Projet confirmé : vente en boulangerie, CV mis à jour." in texte

    # Sortie positive : embauche en CDI.
    onglet.get_by_role("link", name="Enregistrer la sortie").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "sortie")
    onglet.get_by_label("Type de sortie").select_option(label="CDI")
    onglet.get_by_label("Date de sortie").fill(jour.isoformat())
    onglet.get_by_label("Employeur absent de la liste").fill("Boulangerie Dupain")
    onglet.get_by_role("button", name="Enregistrer").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "orientation-sortie")
    texte = texte_principal(onglet)
    assert "Sortie enregistrée : l'orientation est close." in texte, texte[:800]
    assert "statut : Sortie" in texte
    assert f"CDI le {jour:%d/%m/%Y} (sortie positive) — Boulangerie Dupain" in texte
    assert "1 place occupée sur 150" in texte
    assert "Sortie positive — employeur : Boulangerie Dupain" in texte

    # Une personne orientée vers un autre prestataire n'existe pas pour lui : 404, sur l'orientation et la fiche.
    onglet.aller(o_ailleurs.get_absolute_url(), statut=404)
    verifier_page(onglet, "orientation-ailleurs-404")
    assert "Sophie" not in texte_principal(onglet)
    onglet.aller(donnees["ailleurs"].get_absolute_url(), statut=404)
    assert "Sophie" not in texte_principal(onglet)
    # Sa propre personne reste accessible (la fiche restreinte du prestataire).
    onglet.aller(o_ici.get_absolute_url())
    assert "MOREAU Karim" in texte_principal(onglet)

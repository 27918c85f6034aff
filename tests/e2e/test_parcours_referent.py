"""Parcours 1 : une référente trouve une personne, l'évalue, lui prescrit un CUI-CAE, lui réserve un véhicule,
l'invite à un forum, et retrouve les quatre dans le fil du parcours de la fiche."""

import datetime

import pytest
from django.utils import timezone

from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.e2e.conftest import connecter, texte_principal, verifier_page
from tests.forums.factories import ForumFactory
from tests.mobilite.factories import VehiculeFactory
from tests.referentiel.factories import BassinFactory, CommuneFactory, StructureFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def donnees(transactional_db):
    orleans = BassinFactory(nom="Orléans")
    commune = CommuneFactory(nom="Saran", code_insee="45302", bassin_emploi=orleans)
    gien = BassinFactory(nom="Gien")
    autre = CommuneFactory(nom="Briare", code_insee="45053", bassin_emploi=gien)
    referente = UserFactory(username="rachida", first_name="Rachida", last_name="Référente", bassins=[orleans])
    heloise = BeneficiaireFactory(nom="Dupont", prenoms="Héloïse", civilite="MME", commune=commune)
    BeneficiaireFactory(nom="Dupont", prenoms="Hélène", commune=autre)  # autre bassin : jamais visible
    BeneficiaireFactory(nom="Martin", prenoms="Luc", commune=commune)
    mairie = StructureFactory(nom="Commune de Saran", commune_employeur=True, commune=commune)
    vehicule = VehiculeFactory(immatriculation="FG-123-HJ", marque="Renault", modele="Clio", commune=commune)
    jour = timezone.localdate()
    forum = ForumFactory(
        titre="Forum des métiers de la propreté",
        commune=commune,
        date=jour + datetime.timedelta(days=30),
    )
    return {
        "referente": referente,
        "personne": heloise,
        "employeur": mairie,
        "vehicule": vehicule,
        "forum": forum,
        "jour": jour,
    }


def test_referente_de_la_recherche_au_fil_du_parcours(onglet, donnees):
    personne, jour = donnees["personne"], donnees["jour"]
    connecter(onglet, "rachida")
    verifier_page(onglet, "accueil")

    # 1. Trouver la personne : la recherche ignore accents et casse, et ne montre que le bassin de la référente.
    onglet.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Bénéficiaires").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "liste-beneficiaires")
    onglet.get_by_label("Nom ou numéro allocataire").fill("heloise dupont")
    onglet.get_by_role("button", name="Filtrer").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "recherche-heloise")
    lignes = onglet.locator("main table tbody tr")
    assert lignes.count() == 1, texte_principal(onglet)
    assert "Hélène" not in texte_principal(onglet)
    assert "1 personne." in texte_principal(onglet)
    assert "Héloïse" in lignes.first.inner_text()
    lignes.first.get_by_role("link", name="DUPONT").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "fiche-avant")
    assert onglet.get_by_role("heading", level=1).inner_text().strip() == "Madame DUPONT Héloïse"
    assert "Pas encore évalué." in texte_principal(onglet)

    # 2. Évaluation réalisée : permis B, frein mobilité fort.
    onglet.get_by_role("link", name="Saisir une évaluation réalisée").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "evaluation")
    onglet.get_by_label("Date", exact=True).fill(jour.isoformat())
    onglet.get_by_label("Métiers visés").fill("Agent de propreté")
    onglet.get_by_label("Permis B").check()
    onglet.locator("input[name=frein_mobilite][value='2']").check()
    onglet.get_by_role("button", name="Enregistrer l'évaluation réalisée").click()
    onglet.wait_for_load_state()
    assert (
        onglet.page.url.rstrip("/").endswith(f"/beneficiaires/{personne.pk}")
        or "évaluation" in texte_principal(onglet).lower()
    ), texte_principal(onglet)[:500]
    onglet.aller(f"/beneficiaires/{personne.pk}/")
    texte = texte_principal(onglet)
    assert f"Évaluation du {jour:%d/%m/%Y}" in texte, texte[:800]
    assert "Permis B : oui" in texte
    assert "Agent de propreté" in texte

    # 3. Prescription d'un CUI-CAE (brouillon de convention) auprès de la commune de Saran.
    onglet.get_by_role("link", name="Prescrire un contrat aidé").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "contrat-formulaire")
    onglet.get_by_label("employeur").select_option(label="Commune de Saran")
    onglet.get_by_label("type de contrat").select_option(label="CUI-CAE")
    onglet.get_by_label("intitulé du poste").fill("Agent d'entretien des locaux")
    debut, fin = jour + datetime.timedelta(days=15), jour + datetime.timedelta(days=15 + 364)
    onglet.get_by_label("date de début").fill(debut.isoformat())
    onglet.get_by_label("date de fin").fill(fin.isoformat())
    onglet.get_by_label("Durée hebdomadaire (heures)").fill("26")
    onglet.get_by_label("Nom du tuteur").fill("Jeanne Tutrice")
    onglet.get_by_role("button", name="Enregistrer le brouillon").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "contrat-detail")
    texte = texte_principal(onglet)
    assert "Brouillon de convention enregistré" in texte, texte[:800]
    assert "Agent d'entretien des locaux" in texte
    assert "Commune de Saran" in texte

    # 4. Réservation d'un véhicule pour la semaine du début du contrat.
    onglet.aller(f"/beneficiaires/{personne.pk}/")
    onglet.get_by_role("link", name="Réserver un véhicule").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "vehicule-recherche")
    onglet.get_by_label("Du").fill(debut.isoformat())
    onglet.get_by_label("Au (inclus)").fill((debut + datetime.timedelta(days=6)).isoformat())
    onglet.get_by_role("button", name="Chercher").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "vehicule-resultats")
    assert f"1 véhicule libre du {debut:%d/%m/%Y}" in texte_principal(onglet)
    onglet.get_by_role("link", name="Réserver FG-123-HJ").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "vehicule-reserver")
    onglet.get_by_label("Motif").select_option(label="Contrat aidé (CUI-CAE / PEC)")
    onglet.get_by_role("button", name="Réserver", exact=True).click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "location-detail")
    texte = texte_principal(onglet)
    assert "Réservation enregistrée." in texte, texte[:800]
    assert "FG-123-HJ" in texte

    # 5. Invitation au forum de la propreté.
    onglet.aller(f"/beneficiaires/{personne.pk}/")
    onglet.get_by_role("link", name="Inviter à un forum").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "forum-inviter")
    onglet.get_by_label("forum").select_option(index=1)
    onglet.get_by_label("Inviter (la personne décidera)").check()
    onglet.get_by_role("button", name="Valider").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "forum-invitation-faite")
    assert "Forum des métiers de la propreté" in texte_principal(onglet)

    # 6. La fiche : les quatre événements dans le fil du parcours.
    onglet.aller(f"/beneficiaires/{personne.pk}/")
    verifier_page(onglet, "fiche-apres")
    fil = " ".join(onglet.locator("#titre-fil + *").inner_text().split())
    assert f"{jour:%d/%m/%Y} — Évaluation réalisée par Rachida Référente" in fil, fil
    assert "CUI-CAE en préparation Agent d'entretien des locaux — Commune de Saran" in fil, fil
    fin_location = debut + datetime.timedelta(days=6)
    assert f"Renault Clio (FG-123-HJ) du {debut:%d/%m/%Y} au {fin_location:%d/%m/%Y}" in fil, fil
    assert "Invitation au forum « Forum des métiers de la propreté »" in fil, fil
    assert "En parcours" in texte_principal(onglet)

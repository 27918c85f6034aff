"""Parcours dans Chromium (axe-core, CSP) : prescrire depuis un lien de fiche, signer, consulter l'échéancier."""

import datetime

import pytest

from contrats.models import ContratAide, Statut
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.e2e.conftest import MOT_DE_PASSE, connecter, texte_principal, verifier_page
from tests.referentiel.factories import BassinFactory, CommuneFactory, StructureFactory

from .factories import ContratAideFactory, EnveloppeFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_prescrire_signer_et_consulter(onglet):
    bassin = BassinFactory(nom="Orléans")
    commune = CommuneFactory(nom="Orléans", bassin_emploi=bassin)
    referent = UserFactory(username="e2e.contrats", first_name="Rachida", referent=True, bassins=[bassin])
    personne = BeneficiaireFactory(commune=commune, nom="Martin", prenoms="Léa")
    employeur = StructureFactory(commune_employeur=True, commune=commune, nom="Commune d'Orléans")
    EnveloppeFactory(annee=datetime.date.today().year, nombre_contrats=10)
    ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=commune), referent=referent, signe=True)

    connecter(onglet, referent.username, MOT_DE_PASSE, verifier=False)
    onglet.aller("/contrats/")
    verifier_page(onglet, "liste")

    onglet.aller(f"/contrats/nouveau/?beneficiaire={personne.pk}")
    verifier_page(onglet, "prescrire")
    debut = datetime.date.today() + datetime.timedelta(days=7)
    onglet.get_by_label("Employeur").select_option(label=employeur.nom)
    onglet.get_by_label("Type de contrat").select_option(value="pec")
    onglet.get_by_label("Intitulé du poste").fill("Agent d'entretien des espaces verts")
    onglet.get_by_label("Date de début").fill(debut.isoformat())
    onglet.get_by_label("Date de fin").fill((debut + datetime.timedelta(days=250)).isoformat())
    onglet.get_by_label("Nom du tuteur").fill("Jean Dupont")
    onglet.get_by_label("Actions d'accompagnement prévues").fill("Entretiens mensuels avec la référente")
    onglet.get_by_label("Actions de formation prévues").fill("Adaptation au poste par le tuteur")
    onglet.get_by_role("button", name="Enregistrer le brouillon").click()
    onglet.wait_for_load_state()
    contrat = ContratAide.objects.get(beneficiaire=personne)
    assert onglet.page.url.endswith(contrat.get_absolute_url())
    verifier_page(onglet, "brouillon")

    onglet.get_by_role("link", name="Signer la convention").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "signer")
    onglet.get_by_role("button", name="Signer").click()
    onglet.wait_for_load_state()
    contrat.refresh_from_db()
    assert contrat.statut == Statut.SIGNE
    assert "Convention signée" in texte_principal(onglet)

    onglet.get_by_role("tab", name="Échéancier du Département").click()
    assert onglet.get_by_role("tabpanel").filter(has_text="Part mensuelle du Département").is_visible()
    verifier_page(onglet, "echeancier")
    onglet.get_by_role("tab", name="Historique").click()
    verifier_page(onglet, "historique")
    assert onglet.locator("h1").count() == 1

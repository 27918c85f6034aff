"""Parcours 3 : une personne du pilotage ouvre le tableau de bord, filtre un bassin, descend dans un chiffre
(la liste compte autant de lignes que le chiffre) et exporte le tableau en XLSX."""

import datetime

import openpyxl
import pytest
from django.utils import timezone

from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.contrats.factories import ContratAideFactory
from tests.e2e.conftest import CAPTURES, connecter, texte_principal, verifier_page
from tests.referentiel.factories import BassinFactory, CommuneFactory, StructureFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def donnees(transactional_db):
    jour = timezone.localdate()
    signature = max(jour.replace(day=1), jour - datetime.timedelta(days=20))
    bassins = {nom: BassinFactory(nom=nom) for nom in ("Orléans", "Montargis", "Gien", "Pithiviers")}
    communes = {
        "Orléans": CommuneFactory(nom="Saran", code_insee="45302", bassin_emploi=bassins["Orléans"]),
        "Gien": CommuneFactory(nom="Briare", code_insee="45053", bassin_emploi=bassins["Gien"]),
    }
    employeur = StructureFactory(nom="Commune de Saran", commune_employeur=True, commune=communes["Orléans"])
    # 3 contrats signés ce mois-ci dans le bassin d'Orléans, 2 dans celui de Gien, 1 brouillon (non compté).
    for nom, nombre in (("Orléans", 3), ("Gien", 2)):
        for _ in range(nombre):
            ContratAideFactory(
                signe=True,
                beneficiaire=BeneficiaireFactory(commune=communes[nom]),
                employeur=employeur,
                date_debut=signature,
                date_fin=signature + datetime.timedelta(days=364),
            )
    ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=communes["Orléans"]), employeur=employeur)
    UserFactory(username="paul", first_name="Paul", pilotage=True)
    return {"bassins": bassins, "jour": jour}


def test_pilotage_filtre_descend_et_exporte(onglet, donnees):
    orleans = donnees["bassins"]["Orléans"]
    connecter(onglet, "paul")
    onglet.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Tableau de bord").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "tableau-departement")
    assert onglet.get_by_role("heading", level=1).inner_text().strip() == "Tableau de bord du plan emploi"
    total = onglet.get_by_role("link", name="Contrats aidés signés : 5, voir la liste")
    assert total.count() == 1, texte_principal(onglet)[:1500]

    # Filtre sur le bassin d'Orléans.
    onglet.get_by_label("Bassin d'emploi").select_option(label="Orléans")
    onglet.get_by_role("button", name="Afficher").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "tableau-orleans")
    assert f"bassin={orleans.pk}" in onglet.page.url
    chiffre = onglet.get_by_role("link", name="Contrats aidés signés : 3, voir la liste")
    assert chiffre.count() == 1, texte_principal(onglet)[:1500]

    # Descente : la liste des contrats derrière le chiffre en compte exactement 3.
    chiffre.click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "contrats-derriere-le-chiffre")
    assert onglet.locator("#nb-resultats").inner_text().strip() == "3"
    assert onglet.locator("main table tbody tr").count() == 3
    assert "Briare" not in texte_principal(onglet)

    # Export XLSX du tableau filtré : un vrai classeur, avec la valeur 3 pour Orléans.
    onglet.go_back()
    onglet.wait_for_load_state()
    with onglet.expect_download() as attente:
        onglet.get_by_role("link", name="Exporter en XLSX").click()
    telechargement = attente.value
    assert telechargement.suggested_filename.endswith(".xlsx"), telechargement.suggested_filename
    CAPTURES.mkdir(exist_ok=True)
    chemin = CAPTURES / f"{onglet.nom_test}-export.xlsx"
    telechargement.save_as(chemin)
    classeur = openpyxl.load_workbook(chemin, read_only=True)
    lignes = list(classeur.active.iter_rows(values_only=True))
    entetes = [str(c).lower() for c in lignes[0]]
    assert entetes[:8] == ["code", "libellé", "axe", "bassin", "période", "du", "au", "valeur"], entetes
    periode = [ligne for ligne in lignes[1:] if ligne[0] == "contrats_signes" and ligne[4] == "toute la période"]
    par_bassin = {ligne[3]: ligne[7] for ligne in periode}
    assert par_bassin.get("Orléans") == 3, par_bassin
    assert "Gien" not in par_bassin, par_bassin

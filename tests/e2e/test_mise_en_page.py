"""Mise en page à l'usage : la liste des bénéficiaires tient dans un écran de 1366 px (toutes ses colonnes
visibles, sans défilement horizontal), le menu du haut se replie en dessous de 1100 px, les boutons radio des
freins du formulaire d'évaluation sont alignés, la décision de cofinancement d'un contrat de 24 mois tient sur
une page A4 à l'impression."""

import datetime
import importlib
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from tests.beneficiaires.factories import BeneficiaireFactory, EvaluationFactory
from tests.comptes.factories import UserFactory
from tests.contrats.factories import ContratAideFactory
from tests.e2e.conftest import CAPTURES, connecter, verifier_page
from tests.referentiel.factories import BassinFactory, CommuneFactory

pytestmark = pytest.mark.e2e

D = datetime.date


@pytest.fixture
def donnees(transactional_db):
    bassin = BassinFactory(nom="Montargis")
    commune = CommuneFactory(nom="Saint-Germain-des-Prés", code_insee="45273", bassin_emploi=bassin)
    admin = UserFactory(
        username="admin.e2e", first_name="Marie-Hélène", last_name="Administratrice", administrateur=True
    )
    referente = UserFactory(
        username="ref.e2e", first_name="Marie-Christine", last_name="Delacroix-Montmorency", referent=True,
        bassins=[bassin],
    )  # fmt: skip
    personnes = [
        BeneficiaireFactory(
            nom=f"Vandenberghe-Lefebvre {i}", prenoms="Jean-Baptiste Marie", commune=commune, referent=referente,
            soumis_droits_devoirs=True, orientation="emploi", date_orientation=D(2026, 1, 5),
        )
        for i in range(12)
    ]  # fmt: skip
    for p in personnes[:6]:
        EvaluationFactory(beneficiaire=p, evaluateur=referente, date=D(2026, 2, 10))
    return {"admin": admin, "referente": referente, "personne": personnes[0]}


def _deborde(onglet):
    return onglet.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def test_la_liste_des_beneficiaires_tient_dans_1366_px(onglet, donnees):
    onglet.set_viewport_size({"width": 1366, "height": 768})
    connecter(onglet, "admin.e2e", verifier=False)
    onglet.aller(reverse("beneficiaires:liste"))
    verifier_page(onglet, "liste-1366")
    assert _deborde(onglet) <= 0, "la page défile horizontalement à 1366 px"
    table = onglet.locator("main table").first
    # Aucun conteneur de la table ne la coupe : elle tient dans sa boîte, sans barre de défilement.
    coupe = onglet.evaluate(
        """() => { let t = document.querySelector('main table'); let e = t.parentElement; let r = [];
        while (e && e !== document.body) { if (e.scrollWidth > e.clientWidth + 1) r.push(e.className || e.tagName);
        e = e.parentElement; } return r; }"""
    )
    assert coupe == [], f"la table déborde de : {coupe}"
    entete = table.get_by_role("columnheader", name=re.compile("Évaluée le"))
    boite = entete.bounding_box()
    assert boite and boite["x"] + boite["width"] <= 1366, boite
    assert table.locator("tbody tr").first.locator("td").last.inner_text().strip() in {"10/02/2026", "—"}


def test_le_menu_se_replie_sous_1100_px(onglet, donnees):
    connecter(onglet, "admin.e2e", verifier=False)
    menu = onglet.locator("#menu-principal")
    bouton = onglet.locator(".navbar-toggler")
    onglet.set_viewport_size({"width": 1024, "height": 768})
    onglet.aller("/")
    assert bouton.is_visible() and not menu.is_visible(), "à 1024 px, le menu doit être replié derrière un bouton"
    assert onglet.locator("nav.navbar").bounding_box()["height"] < 80
    verifier_page(onglet, "menu-1024")
    bouton.click()
    menu.get_by_role("link", name="Bénéficiaires").wait_for(state="visible")
    onglet.set_viewport_size({"width": 1366, "height": 768})
    onglet.aller("/")
    assert not bouton.is_visible() and menu.is_visible()
    # À 1366 px, les 17 entrées de l'administrateur tiennent sur deux lignes, sous la marque et le compte.
    hauteurs = {round(b["y"]) for b in (lien.bounding_box() for lien in menu.locator(".nav-link").all()) if b}
    assert len(hauteurs) <= 2, f"le menu passe sur {len(hauteurs)} lignes à 1366 px"
    verifier_page(onglet, "menu-1366")


def test_les_freins_de_l_evaluation_sont_alignes(onglet, donnees):
    onglet.set_viewport_size({"width": 1366, "height": 900})
    connecter(onglet, "ref.e2e", verifier=False)
    onglet.aller(reverse("beneficiaires:evaluation_saisir", args=[donnees["personne"].pk]))
    verifier_page(onglet, "evaluation-freins")
    groupes = onglet.locator(
        "fieldset:has(legend:text('Freins')) [role=radiogroup], fieldset:has(legend:text('Freins')) div[id^=id_frein_]"
    )
    assert groupes.count() == 8
    colonnes = None
    for i in range(groupes.count()):
        radios = groupes.nth(i).locator("input[type=radio]")
        boites = [radios.nth(j).bounding_box() for j in range(radios.count())]
        assert len(boites) == 3
        # Les trois choix d'un frein sur une même ligne, chaque rond centré sur son libellé.
        assert len({round(b["y"]) for b in boites}) == 1, f"frein {i + 1} : choix sur plusieurs lignes"
        for j in range(3):
            libelle = groupes.nth(i).locator("label").nth(j).bounding_box()
            assert abs((boites[j]["y"] + boites[j]["height"] / 2) - (libelle["y"] + libelle["height"] / 2)) <= 3
        # Et en colonnes d'un frein à l'autre (aucun, léger, fort l'un sous l'autre).
        xs = [round(b["x"]) for b in boites]
        colonnes = colonnes or xs
        assert xs == colonnes, f"frein {i + 1} : choix décalés {xs} au lieu de {colonnes}"


def test_la_decision_de_24_mois_tient_sur_une_page_a4(onglet, donnees):
    # Les valeurs légales (SMIC, RSA) de la migration : la base d'un parcours est vidée entre deux tests.
    importlib.import_module("contrats.migrations.0004_valeurs_legales_2017_2026").charger(apps, None)
    personne = donnees["personne"]
    contrat = ContratAideFactory(
        beneficiaire=personne, referent=donnees["referente"], date_debut=D(2017, 9, 1), date_fin=D(2019, 8, 31),
        heures_hebdomadaires=Decimal("20"), taux_aide_etat=Decimal("60"), signe=True,
    )  # fmt: skip
    connecter(onglet, "ref.e2e", verifier=False)
    onglet.aller(reverse("contrats:decision", args=[contrat.pk]))
    assert onglet.locator(".document-echeancier tbody tr").count() == 24
    assert "manquant" not in onglet.locator(".document-echeancier").inner_text()
    verifier_page(onglet, "decision-24-mois")
    onglet.emulate_media(media="print")
    onglet.set_viewport_size({"width": 703, "height": 1032})  # A4 moins les marges de 1,2 cm, à 96 points par pouce
    hauteur = onglet.evaluate("() => document.body.scrollHeight")
    assert hauteur <= 1032, f"à l'impression, la page mesure {hauteur} px pour 1 032 px de feuille utile"
    onglet.screenshot(path=str(CAPTURES / f"{onglet.nom_test}-impression.png"), full_page=True)
    pdf = onglet.pdf(format="A4", prefer_css_page_size=True, print_background=False)
    (CAPTURES / f"{onglet.nom_test}-decision.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1, f"la décision de 24 mois s'imprime sur {pages} pages A4"

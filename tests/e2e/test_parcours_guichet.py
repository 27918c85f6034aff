"""Parcours du quotidien dans Chromium, axe-core sur chaque page visitée (aucune violation grave ou critique) :
l'entrée du forum sur tablette, une réservation au guichet par l'agent mobilité, la décision de cofinancement
imprimable, un export CSV relu comme Excel réglé en français."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from forums.models import Participation
from mobilite.models import Location
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.contrats.factories import ContratAideFactory
from tests.e2e.conftest import MOT_DE_PASSE, connecter, texte_principal, verifier_page
from tests.forums.factories import ForumFactory, ParticipationFactory
from tests.mobilite.factories import VehiculeFactory, personne

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
S = Participation.Statut


def test_entree_du_forum_liste_d_attente_invite_et_annulation(onglet, bassins):
    """3 places, 3 inscrits, 1 en liste d'attente : un seul inscrit est venu ; l'agent libère la place d'un
    absent, fait entrer la première de la liste d'attente, annule un pointage fait par erreur."""
    montargis = bassins["Montargis"]
    referent = UserFactory(username="e2e.porte", referent=True, bassins=[montargis])
    forum = ForumFactory(
        capacite=3,
        date=timezone.localdate(),
        heure_debut=datetime.time(0, 0),
        heure_fin=datetime.time(23, 59),
        delai_liberation=24 * 60 - 1,
        commune=montargis.commune_test,
    )
    commune = montargis.commune_test
    venu = ParticipationFactory(forum=forum, beneficiaire=BeneficiaireFactory(commune=commune, nom="Arnaud"))
    absent = ParticipationFactory(forum=forum, beneficiaire=BeneficiaireFactory(commune=commune, nom="Bègue"))
    ParticipationFactory(forum=forum, beneficiaire=BeneficiaireFactory(commune=commune, nom="Chevalier"))
    attente = ParticipationFactory(
        forum=forum, statut=S.ATTENTE, rang_attente=1, beneficiaire=BeneficiaireFactory(commune=commune, nom="Élie")
    )
    onglet.set_viewport_size({"width": 820, "height": 1180})
    connecter(onglet, referent.username, MOT_DE_PASSE, verifier=False)
    onglet.aller(f"/forums/{forum.pk}/pointage/")
    verifier_page(onglet, "porte")
    onglet.get_by_role("button", name=f"Présent : {venu.beneficiaire}").click()
    onglet.wait_for_load_state()
    assert "1 présent dans la salle · 0 place libre" in texte_principal(onglet)
    onglet.get_by_role("button", name=f"Libérer sa place : {absent.beneficiaire}").click()
    onglet.wait_for_load_state()
    texte = texte_principal(onglet)
    assert "1 place libre" in texte and "À proposer en premier (liste d'attente, rang 1) : ÉLIE" in texte
    verifier_page(onglet, "porte-place-liberee")
    onglet.get_by_role("button", name=f"Faire entrer : {attente.beneficiaire}").click()
    onglet.wait_for_load_state()
    attente.refresh_from_db()
    assert attente.statut == S.PRESENT
    # Un pointage par erreur s'annule : la personne retrouve sa place sur la liste d'attente.
    onglet.get_by_role("button", name=f"Annuler le pointage : {attente.beneficiaire}").click()
    onglet.wait_for_load_state()
    attente.refresh_from_db()
    assert attente.statut == S.ATTENTE and attente.rang_attente == 1
    assert "Pointage de" in texte_principal(onglet)
    verifier_page(onglet, "porte-annulation")


def test_reservation_au_guichet_par_l_agent_mobilite(onglet, bassins):
    gien = bassins["Gien"].commune_test
    agent = UserFactory(username="e2e.guichet", agent_mobilite=True)
    b = personne(commune=gien, nom="Lévy", prenoms="Noé")
    VehiculeFactory(commune=gien, immatriculation="GU-123-CH", kilometrage=5_000)
    debut = timezone.localdate() + datetime.timedelta(days=3)
    fin = debut + datetime.timedelta(days=2)
    connecter(onglet, agent.username, MOT_DE_PASSE, verifier=False)
    onglet.aller("/mobilite/trouver/")
    verifier_page(onglet, "guichet-recherche")
    onglet.get_by_label("Du").fill(debut.isoformat())
    onglet.get_by_label("Au (inclus)").fill(fin.isoformat())
    onglet.get_by_role("button", name="Chercher").click()
    onglet.wait_for_load_state()
    onglet.get_by_role("link", name="Réserver GU-123-CH").click()
    onglet.wait_for_load_state()
    onglet.get_by_role("searchbox").fill("levy")
    onglet.get_by_role("button", name="Chercher", exact=True).click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "guichet-reserver")
    page = texte_principal(onglet)
    assert "Contrat aidé lié" not in page and "Forum lié" not in page
    onglet.get_by_label("Personne", exact=True).select_option(str(b.pk))
    onglet.get_by_label("Motif").select_option("entretien")
    onglet.get_by_role("button", name="Réserver", exact=True).click()
    onglet.wait_for_load_state()
    assert "Réservation enregistrée." in texte_principal(onglet)
    assert Location.objects.get().beneficiaire == b
    verifier_page(onglet, "guichet-location")


def test_decision_de_cofinancement_imprimable(onglet, bassins):
    from contrats.models import ParametreFinancier

    # Les tests transactionnels vident la base : le barème de 2017 est remis (SMIC et RSA en vigueur).
    for type_, date_effet, montant in (
        (ParametreFinancier.Type.SMIC_HORAIRE, datetime.date(2017, 1, 1), Decimal("9.76")),
        (ParametreFinancier.Type.RSA_PERSONNE_SEULE, datetime.date(2017, 9, 1), Decimal("545.48")),
    ):
        ParametreFinancier.objects.get_or_create(type=type_, date_effet=date_effet, defaults={"montant": montant})
    orleans = bassins["Orléans"]
    referent = UserFactory(username="e2e.decision", referent=True, bassins=[orleans])
    contrat = ContratAideFactory(
        beneficiaire=BeneficiaireFactory(commune=orleans.commune_test, nom="Bègue"),
        referent=referent,
        date_debut=datetime.date(2017, 9, 1),
        date_fin=datetime.date(2018, 2, 28),
        heures_hebdomadaires=Decimal("20"),
        taux_aide_etat=Decimal("60"),
        signe=True,
    )
    connecter(onglet, referent.username, MOT_DE_PASSE, verifier=False)
    onglet.aller(contrat.get_absolute_url())
    onglet.get_by_role("link", name="Décision de cofinancement du Département (à imprimer)").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "decision")
    texte = texte_principal(onglet)
    assert "Décision de cofinancement du Département" in texte and "480,02 €" in texte
    # Une seule page A4 à l'impression.
    pdf = onglet.pdf(prefer_css_page_size=True, print_background=False)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1


def test_export_csv_relu_comme_excel_en_francais(onglet, bassins):
    pilotage = UserFactory(username="e2e.export", pilotage=True)
    ContratAideFactory(
        beneficiaire=BeneficiaireFactory(commune=bassins["Orléans"].commune_test),
        date_debut=datetime.date(2018, 1, 15),
        date_fin=datetime.date(2018, 12, 31),
        heures_hebdomadaires=Decimal("24.5"),
        signe=True,
    )
    connecter(onglet, pilotage.username, MOT_DE_PASSE, verifier=False)
    onglet.aller("/contrats/")
    verifier_page(onglet, "liste-contrats")
    with onglet.expect_download() as attente:
        onglet.get_by_role("link", name="CSV").first.click()
    contenu = open(attente.value.path(), "rb").read()
    assert contenu.startswith(b"\xef\xbb\xbf")
    lignes = list(csv.DictReader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))
    assert len(lignes) == 1
    assert lignes[0]["Début"] == "15/01/2018" and lignes[0]["Heures / sem."] in ("24,5", "24,50")

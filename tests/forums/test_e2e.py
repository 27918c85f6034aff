"""Parcours des forums dans Chromium : page du forum, pointage sur tablette (recherche htmx, un geste),
lettres d'invitation ; axe-core sans violation grave, aucune violation de la CSP."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from forums.models import Participation
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.e2e.conftest import MOT_DE_PASSE, connecter, texte_principal, verifier_page

from .factories import ExposantFactory, ForumFactory, OffreFactory, ParticipationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_forum_pointage_et_lettres(onglet, bassins):
    admin = UserFactory(username="e2e.admin.forums", administrateur=True)
    forum = ForumFactory(
        titre="Forum des métiers de la propreté",
        date=timezone.localdate(),
        commune=bassins["Montargis"].commune_test,
        capacite=20,
    )
    exposant = ExposantFactory(forum=forum)
    OffreFactory(exposant=exposant)
    heloise = ParticipationFactory(
        forum=forum,
        beneficiaire=BeneficiaireFactory(nom="Lefèvre", prenoms="Héloïse", commune=bassins["Montargis"].commune_test),
    )
    for i in range(5):
        ParticipationFactory(forum=forum, beneficiaire=BeneficiaireFactory(nom=f"Martin{i}"))
    ParticipationFactory(forum=forum, invite=True, date_invitation=timezone.now() - datetime.timedelta(days=3))

    connecter(onglet, admin.username, MOT_DE_PASSE, verifier=False)
    onglet.aller(forum.get_absolute_url())
    verifier_page(onglet, "forum")
    assert "Forum des métiers de la propreté" in onglet.get_by_role("heading", level=1).inner_text()

    onglet.aller(f"/forums/{forum.pk}/pointage/")
    verifier_page(onglet, "pointage")
    # Recherche progressive (htmx) : la liste se réduit pendant la frappe, sans valider le formulaire.
    onglet.get_by_label("Rechercher une personne").press_sequentially("heloise", delay=30)
    expect(onglet.locator("#resultats .pointage-ligne")).to_have_count(1)
    assert "LEFÈVRE Héloïse" in onglet.locator("#resultats").inner_text()
    onglet.get_by_role("button", name="Présent : LEFÈVRE Héloïse").click()
    onglet.wait_for_load_state()
    assert "présente" in texte_principal(onglet)  # Héloïse : accord selon la civilité
    heloise.refresh_from_db()
    assert heloise.statut == Participation.Statut.PRESENT
    verifier_page(onglet, "pointage-apres")

    onglet.aller(f"/forums/{forum.pk}/lettres/")
    verifier_page(onglet, "lettres")
    onglet.page.emulate_media(media="print")
    assert onglet.locator("article.lettre").count() == 6
    assert onglet.locator(".entete-site").is_hidden()

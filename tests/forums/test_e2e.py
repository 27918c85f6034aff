"""Parcours des forums dans Chromium : page du forum, pointage sur tablette (recherche htmx, un geste),
lettres d'invitation ; axe-core sans violation grave, aucune violation de la CSP."""

import datetime
import importlib
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from forums.models import Participation
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory

from .factories import ExposantFactory, ForumFactory, OffreFactory, ParticipationFactory

# Les outils des parcours posent DJANGO_ALLOW_ASYNC_UNSAFE à l'import : le réglage ne doit valoir que pendant
# nos parcours (fixture ci-dessous), pas pour le reste du processus (un `manage.py check --deploy` lancé
# plus tard par la suite en hériterait).
_ASYNC_UNSAFE = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
e2e = importlib.import_module("tests.e2e.conftest")
if _ASYNC_UNSAFE is None:
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
MOT_DE_PASSE, connecter, texte_principal, verifier_page = (
    e2e.MOT_DE_PASSE,
    e2e.connecter,
    e2e.texte_principal,
    e2e.verifier_page,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

_chromium_requis = e2e._chromium_requis
onglet = e2e.onglet


@pytest.fixture(autouse=True, scope="module")
def _orm_pendant_le_parcours():
    # L'API synchrone de Playwright fait tourner une boucle asyncio dans le fil du test (jusqu'au
    # vidage de la base, d'où la portée du module).
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def navigateur(request):
    """Le Chromium déjà ouvert par un autre module de parcours (un seul Playwright synchrone par processus),
    sinon le nôtre, fermé à la fin du module pour ne pas gêner les modules suivants."""
    for definition in request._fixturemanager._arg2fixturedefs.get("navigateur", ()):
        resultat = getattr(definition, "cached_result", None)
        if resultat is not None and resultat[0] is not None:
            yield resultat[0]
            return
    if e2e.CHROMIUM is None:
        pytest.skip(e2e.RAISON_SANS_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        ouvert = pw.chromium.launch(executable_path=e2e.CHROMIUM, args=e2e.ARGUMENTS_CHROMIUM, headless=True)
        try:
            yield ouvert
        finally:
            ouvert.close()


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
    assert "présent(e)" in texte_principal(onglet)
    heloise.refresh_from_db()
    assert heloise.statut == Participation.Statut.PRESENT
    verifier_page(onglet, "pointage-apres")

    onglet.aller(f"/forums/{forum.pk}/lettres/")
    verifier_page(onglet, "lettres")
    onglet.page.emulate_media(media="print")
    assert onglet.locator("article.lettre").count() == 6
    assert onglet.locator(".entete-site").is_hidden()

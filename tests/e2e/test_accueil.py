"""Premier parcours : la page de connexion, puis l'accueil de chaque rôle, dans Chromium, avec axe-core."""

import pytest

from commun.menu_registre import entrees_pour
from comptes.models import Role
from tests.comptes.factories import UserFactory
from tests.e2e.conftest import MOT_DE_PASSE, connecter, texte_principal, verifier_page
from tests.referentiel.factories import BassinFactory

pytestmark = pytest.mark.e2e

TRAITS = {
    Role.ADMINISTRATEUR: "administrateur",
    Role.PILOTAGE: "pilotage",
    Role.REFERENT: "referent",
    Role.PRESTATAIRE: "prestataire",
    Role.AGENT_MOBILITE: "agent_mobilite",
}


def test_page_de_connexion_et_mauvais_mot_de_passe(onglet):
    UserFactory(username="rachida", first_name="Rachida", referent=True)
    onglet.aller("/")
    assert "/comptes/connexion/" in onglet.page.url, "un anonyme est renvoyé vers la connexion"
    verifier_page(onglet, "connexion")
    assert onglet.get_by_role("heading", level=1).inner_text() == "Connexion"
    onglet.get_by_label("Identifiant").fill("rachida")
    onglet.get_by_label("Mot de passe").fill("pas-le-bon")
    onglet.get_by_role("button", name="Se connecter").click()
    onglet.wait_for_load_state()
    assert "Identifiant ou mot de passe incorrect" in texte_principal(onglet)
    verifier_page(onglet, "connexion-erreur")


@pytest.mark.parametrize("role", list(TRAITS), ids=list(TRAITS.values()))
def test_accueil_de_chaque_role(onglet, role):
    bassin = BassinFactory(nom="Orléans")
    user = UserFactory(
        username=f"e2e.{TRAITS[role]}",
        first_name="Camille",
        bassins=[bassin] if role == Role.REFERENT else None,
        **{TRAITS[role]: True},
    )
    connecter(onglet, user.username, MOT_DE_PASSE, verifier=False)
    verifier_page(onglet, f"accueil-{TRAITS[role]}")
    texte = texte_principal(onglet)
    assert "Bonjour Camille" in texte
    assert f"Votre rôle : {user.get_role_display()}" in texte
    # La navigation montre exactement les outils du rôle, et chaque lien de l'accueil mène à une page.
    nav = onglet.get_by_role("navigation", name="Navigation principale")
    for e in entrees_pour(user):
        assert nav.get_by_role("link", name=e["libelle"], exact=True).count() == 1, e["libelle"]
    onglet.get_by_role("button", name="Se déconnecter").click()
    onglet.wait_for_load_state()
    assert "/comptes/connexion/" in onglet.page.url


@pytest.mark.parametrize("role", list(TRAITS), ids=list(TRAITS.values()))
def test_chaque_page_du_menu_est_accessible(onglet, role):
    """Chaque entrée de navigation du rôle s'ouvre (200), a un seul titre h1, et passe axe-core.

    L'administration Django n'est pas la nôtre : elle est exclue du contrôle axe.
    """
    bassin = BassinFactory(nom="Orléans")
    user = UserFactory(
        username=f"e2e.menu.{TRAITS[role]}",
        bassins=[bassin] if role == Role.REFERENT else None,
        **{TRAITS[role]: True},
    )
    connecter(onglet, user.username, MOT_DE_PASSE, verifier=False)
    for e in entrees_pour(user):
        if e["nom_url"] in ("accueil",) or e["nom_url"].startswith("admin:"):
            continue
        onglet.aller(e["url"])
        verifier_page(onglet, e["nom_url"].replace(":", "-"))
        assert onglet.locator("h1").count() == 1, f"{e['url']} : un seul titre h1 attendu"

"""Parcours dans un vrai navigateur : Chromium (paquet Debian) piloté par Playwright, contre un serveur vivant.

- Sans Chromium sur la machine, tout le dossier est sauté avec sa raison (jamais en silence).
- Un seul navigateur pour tout le dossier (rapide), fermé à sa sortie ; un contexte neuf (cookies vierges)
  par test.
- `verifier_page(onglet, "nom")` : capture d'écran dans `captures/` (ignoré par git), axe-core sans
  violation « serious » ni « critical », aucune violation de la politique de sécurité du contenu (CSP).
"""

import re
import shutil
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[2]
CAPTURES = RACINE / "captures"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGUMENTS_CHROMIUM = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IMPACTS_BLOQUANTS = {"serious", "critical"}
MOT_DE_PASSE = "mot-de-passe-de-test"  # celui de tests.comptes.factories.UserFactory
DELAI_MS = 15_000
RAISON_SANS_CHROMIUM = (
    "Parcours e2e sautés : l'exécutable « chromium » est introuvable dans le PATH "
    "(installez le paquet Debian chromium, comme le fait .ci/run)."
)


@pytest.fixture(autouse=True)
def _chromium_requis():
    if CHROMIUM is None:
        pytest.skip(RAISON_SANS_CHROMIUM)


@pytest.fixture(autouse=True, scope="package")
def _orm_pendant_les_parcours():
    """Tant que Playwright (API synchrone) est démarré, une boucle asyncio tourne dans le fil principal : Django
    y refuserait l'ORM (SynchronousOnlyOperation). Les requêtes des parcours restent strictement séquentielles.
    Le réglage vaut pour ce dossier seulement, vidage de la base du dernier test compris ; le navigateur est
    fermé à la sortie du dossier, si bien que les autres tests (et leurs sous-processus) n'en héritent pas."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def navigateur(_orm_pendant_les_parcours):
    """Un Chromium sans interface partagé par tous les parcours du dossier, fermé à sa sortie."""
    if CHROMIUM is None:
        pytest.skip(RAISON_SANS_CHROMIUM)
    from playwright.sync_api import sync_playwright

    CAPTURES.mkdir(exist_ok=True)
    (CAPTURES / "axe-rapport.txt").unlink(missing_ok=True)  # le rapport décrit la dernière session
    with sync_playwright() as pw:
        navigateur = pw.chromium.launch(executable_path=CHROMIUM, args=ARGUMENTS_CHROMIUM, headless=True)
        try:
            yield navigateur
        finally:
            navigateur.close()


class Onglet:
    """Une page du navigateur, plus ce que le parcours en retient (erreurs CSP, numéro de capture)."""

    def __init__(self, page, base_url, nom_test):
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.nom_test = nom_test
        self.numero = 0
        self.erreurs_csp = []
        self.erreurs_js = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.erreurs_js.append(str(exc)))

    def _console(self, message):
        texte = message.text
        if message.type == "error" and ("Content Security Policy" in texte or "Refused to" in texte):
            self.erreurs_csp.append(texte)

    def url(self, chemin):
        return chemin if chemin.startswith("http") else f"{self.base_url}{chemin}"

    def aller(self, chemin, *, statut=200):
        reponse = self.page.goto(self.url(chemin))
        assert reponse is not None, f"aucune réponse pour {chemin}"
        assert reponse.status == statut, f"{chemin} : statut {reponse.status}, attendu {statut}"
        return reponse

    def __getattr__(self, nom):
        return getattr(self.page, nom)


@pytest.fixture
def onglet(navigateur, live_server, request):
    contexte = navigateur.new_context(
        base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900}
    )
    contexte.set_default_timeout(DELAI_MS)
    page = contexte.new_page()
    nom_test = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    try:
        yield Onglet(page, live_server.url, nom_test)
    finally:
        contexte.close()


def connecter(onglet, identifiant, mot_de_passe=MOT_DE_PASSE, *, verifier=True):
    """Se connecte par le formulaire de connexion, comme une personne ; rend sur la page d'accueil."""
    onglet.aller("/comptes/connexion/")
    if verifier:
        verifier_page(onglet, "connexion")
    onglet.get_by_label("Identifiant").fill(identifiant)
    onglet.get_by_label("Mot de passe").fill(mot_de_passe)
    onglet.get_by_role("button", name="Se connecter").click()
    onglet.wait_for_load_state()
    assert "/comptes/connexion/" not in onglet.page.url, (
        f"connexion de {identifiant} refusée : {onglet.locator('main').inner_text()[:300]}"
    )


def formater_violations(violations):
    """Identifiant, aide et cibles de chaque violation, pour un message d'échec lisible."""
    lignes = []
    for v in violations:
        lignes.append(f"- [{v.get('impact')}] {v.get('id')} : {v.get('help')} ({v.get('helpUrl', '')})")
        for n in v.get("nodes", [])[:8]:
            lignes.append(f"    cible : {' '.join(str(t) for t in n.get('target', []))}")
            resume = " ".join((n.get("failureSummary") or "").split())
            if resume:
                lignes.append(f"      {resume[:300]}")
    return "\n".join(lignes)


def verifier_accessibilite(onglet, axe, nom):
    resultats = axe.run(onglet.page)
    violations = resultats.response.get("violations", [])
    bloquantes = [v for v in violations if v.get("impact") in IMPACTS_BLOQUANTS]
    if violations:
        # Toutes les violations (y compris « moderate » et « minor ») restent lisibles après coup.
        with open(CAPTURES / "axe-rapport.txt", "a", encoding="utf-8") as rapport:
            rapport.write(f"== {onglet.nom_test} / {nom} ({onglet.page.url})\n{formater_violations(violations)}\n")
    assert not bloquantes, (
        f"axe-core : {len(bloquantes)} violation(s) graves sur « {nom} » ({onglet.page.url}) :\n"
        + formater_violations(bloquantes)
    )
    return violations


def verifier_page(onglet, nom, *, axe=None):
    """Capture d'écran, puis axe-core (aucune violation grave ou critique), puis aucune erreur CSP ni JS."""
    from axe_playwright_python.sync_playwright import Axe

    onglet.wait_for_load_state()
    CAPTURES.mkdir(exist_ok=True)
    onglet.numero += 1
    onglet.page.screenshot(path=str(CAPTURES / f"{onglet.nom_test}-{onglet.numero:02d}-{nom}.png"), full_page=True)
    verifier_accessibilite(onglet, axe or _AXE.setdefault("axe", Axe()), nom)
    assert not onglet.erreurs_csp, f"violations de la CSP sur « {nom} » : {onglet.erreurs_csp}"
    assert not onglet.erreurs_js, f"erreurs JavaScript sur « {nom} » : {onglet.erreurs_js}"


_AXE = {}


def texte_principal(onglet):
    """Le texte visible du contenu principal, espaces normalisés."""
    return " ".join(onglet.locator("main").inner_text().split())

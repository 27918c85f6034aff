"""Le texte saisi est toujours échappé dans les pages : un nom contenant <script> s'affiche comme du texte.

Test ciblé sur la liste et la fiche des personnes, puis test général : tous les champs texte de tous les objets
du monde de test reçoivent une charge hostile, et chaque page du projet, ouverte par l'administrateur (qui voit
tout) et par le référent, ne doit jamais la contenir telle quelle.
"""

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse

from tests.beneficiaires.factories import BeneficiaireFactory
from tests.securite import monde as M
from tests.securite.test_matrice_acces import GET, PARAMS, REQUETE
from tests.securite.urls_projet import routes

pytestmark = pytest.mark.urls("tests.securite.urls_rgpd")

CHARGE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
MARQUES_BRUTES = ("<script>alert(1)", "<img src=x onerror")
# Champs techniques qu'aucune page n'affiche tels quels ou dont le format est contrôlé ailleurs.
CHAMPS_EXCLUS = {"password", "username", "recherche", "code", "code_insee", "siret", "immatriculation"}


def test_nom_avec_script_echappe_sur_la_liste_et_la_fiche(client, admin_user, bassins):
    personne = BeneficiaireFactory(
        commune=bassins["Orléans"].commune_test, nom="<script>alert('nom')</script>", prenoms="<b>Léa</b>"
    )
    client.force_login(admin_user)
    for url in (reverse("beneficiaires:liste"), reverse("beneficiaires:detail", args=[personne.pk])):
        page = client.get(url, {"q": "script"} if url.endswith("beneficiaires/") else {}).content.decode()
        assert "<script>alert('nom')" not in page and "<SCRIPT>ALERT" not in page
        assert "<b>Léa</b>" not in page
        assert "&lt;script&gt;" in page or "&lt;SCRIPT&gt;" in page
    assert "&lt;b&gt;Léa&lt;/b&gt;" in client.get(reverse("beneficiaires:detail", args=[personne.pk])).content.decode()


def empoisonner():
    """Met la charge hostile dans tous les champs texte assez longs de tous les objets des applications."""
    touches = 0
    for modele in apps.get_models():
        if modele._meta.app_label not in {"beneficiaires", "contrats", "placement", "mobilite", "forums",
                                          "referentiel", "tableau_de_bord"}:  # fmt: skip
            continue
        champs = {}
        for f in modele._meta.concrete_fields:
            if not isinstance(f, (models.CharField, models.TextField)) or f.choices or f.primary_key:
                continue
            if f.name in CHAMPS_EXCLUS or isinstance(f, models.EmailField) or f.unique:
                continue
            if f.max_length is not None and f.max_length < len(CHARGE):
                continue
            champs[f.name] = CHARGE
        if champs:
            touches += modele._base_manager.update(**champs)
    return touches


@pytest.mark.django_db
def test_aucune_page_ne_rend_une_saisie_brute(bassins):
    m = M.construire(bassins)
    assert empoisonner() > 10
    erreurs = []
    pages_avec_la_charge = 0
    for role in ("administrateur", "referent", "prestataire", "agent_mobilite"):
        client = Client(raise_request_exception=False)
        client.force_login(m.users[role])
        for nom in sorted(routes()):
            attendu = GET.get(nom, "").split()
            if not attendu or attendu[M.ROLES.index(role)] != "200":
                continue
            url = reverse(nom, kwargs=PARAMS.get(nom, lambda m: {})(m))
            reponse = client.get(url, REQUETE.get(nom, lambda m: {})(m))
            if reponse.status_code != 200:
                erreurs.append(f"{nom} ({role}) : statut {reponse.status_code} avec des données hostiles")
                continue
            if "html" not in reponse.get("Content-Type", ""):
                continue
            page = reponse.content.decode("utf-8", errors="replace")
            for brute in MARQUES_BRUTES:
                if brute in page:
                    erreurs.append(f"{nom} ({role}) : « {brute} » non échappé")
            pages_avec_la_charge += "&lt;script&gt;alert(1)" in page
    assert not erreurs, "\n".join(erreurs)
    # La charge est bien affichée (échappée) sur de nombreuses pages : le test n'est pas vide.
    assert pages_avec_la_charge >= 30, pages_avec_la_charge

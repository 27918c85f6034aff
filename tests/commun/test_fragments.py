"""Fragments du référentiel (commun/fragments.py) : le formulaire de filtre d'une liste survit aux écritures sur
les personnes et change dès que le référentiel change ; jamais gardé quand il lit autre chose que le référentiel.

Transactions réellement validées (transaction=True) : c'est la validation qui change les versions."""

from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commun import fragments
from referentiel.models import BassinEmploi, Commune
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _cache_vide():
    cache.clear()
    yield
    cache.clear()


def _page(client, url="beneficiaires:liste", **params):
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(reverse(url), params)
    assert reponse.status_code == 200
    html = reponse.content.decode()
    debut = html.index('<form method="get"')
    formulaire = html[debut : html.index("</form>", debut)]
    return formulaire, [q["sql"] for q in requetes.captured_queries]


def _lit_les_bassins(requetes):
    """La liste des bassins du filtre a-t-elle été lue (pour être rendue) ?"""
    return any(q.startswith('SELECT "referentiel_bassinemploi"') for q in requetes)


def test_filtres_gardes_malgre_les_ecritures_sur_les_personnes(client, bassins, referent):
    commune = bassins["Orléans"].commune_test
    BeneficiaireFactory(commune=commune)
    client.force_login(referent)
    premier, requetes = _page(client, referent_choix=referent.pk)
    assert _lit_les_bassins(requetes) and f'value="{referent}"' in premier
    second, requetes = _page(client, referent_choix=referent.pk, page=1)  # autre adresse : page recalculée
    assert second == premier and not _lit_les_bassins(requetes)
    BeneficiaireFactory(commune=commune, nom="Nouvelle")  # écriture sur les personnes
    troisieme, requetes = _page(client, referent_choix=referent.pk, sort="nom")
    assert troisieme == premier and not _lit_les_bassins(requetes)


def test_filtres_changent_avec_le_referentiel(client, bassins, referent):
    client.force_login(referent)
    premier, _ = _page(client)
    assert ">Orléans</option>" in premier
    bassin = BassinEmploi.objects.get(pk=bassins["Orléans"].pk)
    bassin.nom = "Orléans Métropole"
    bassin.save()
    apres, requetes = _page(client, page=1)
    assert ">Orléans Métropole</option>" in apres and _lit_les_bassins(requetes)


def test_libelle_du_referent_choisi_suit_son_compte(client, bassins, referent):
    client.force_login(referent)
    avant, _ = _page(client, referent_choix=referent.pk)
    referent.last_name = "Renommée"
    referent.save()
    apres, _ = _page(client, referent_choix=referent.pk, page=1)
    assert apres != avant and 'value="Camille Renommée"' in apres


def test_commune_deplacee_en_masse_change_les_filtres(client, bassins, referent):
    """Écriture en masse par l'aide : la commune quitte la portée du référent, le filtre le dit."""
    commune = bassins["Orléans"].commune_test
    client.force_login(referent)
    avant, _ = _page(client, commune_choix=commune.pk)
    assert "Aucun choix" not in avant and "Sélectionnez un choix valide" not in avant
    Commune.objects.filter(pk=commune.pk).update(bassin_emploi=bassins["Gien"])
    from commun import versions

    versions.ecritures_en_masse(Commune)
    apres, _ = _page(client, commune_choix=commune.pk, page=1)
    assert "Sélectionnez un choix valide" in apres


def test_par_utilisateur(client, bassins, referent, referent_gien):
    client.force_login(referent)
    orleans, _ = _page(client)
    client.force_login(referent_gien)
    gien, _ = _page(client)
    assert ">Gien</option>" in gien and ">Orléans</option>" not in gien and orleans != gien


def test_filtres_qui_lisent_autre_chose_que_le_referentiel_jamais_gardes(rf, admin_user, bassins):
    from mobilite.filters import VehiculeFilter
    from placement.filters import OrientationFilter

    requete = rf.get("/")
    requete.user = admin_user
    assert not fragments.cachable(VehiculeFilter({}, request=requete))  # sites qui ont des véhicules
    assert not fragments.cachable(OrientationFilter({}, request=requete))  # lots des marchés
    from beneficiaires.filters import BeneficiaireFilter
    from contrats.filters import ContratFilter

    assert fragments.cachable(BeneficiaireFilter({}, request=requete, user=admin_user))
    assert fragments.cachable(ContratFilter({}, request=requete))


def test_fragment_trouve_sans_recompiler_les_listes_de_choix(client, bassins, referent, monkeypatch):
    """Une clé trouvée a été gardée parce que le formulaire ne lisait que le référentiel, et la clé couvre tout ce
    dont dépend cette réponse : elle n'est pas recalculée (elle compile les requêtes des listes de choix)."""
    appels = []
    cachable = fragments.cachable
    monkeypatch.setattr(fragments, "cachable", lambda f: appels.append(type(f).__name__) or cachable(f))
    client.force_login(referent)
    premier, _ = _page(client)
    assert appels == ["BeneficiaireFilter"]
    second, requetes = _page(client, page=1)
    assert second == premier and appels == ["BeneficiaireFilter"] and not _lit_les_bassins(requetes)


def test_fragment_qui_lit_autre_chose_jamais_garde_meme_redemande(client, admin_user, bassins, monkeypatch):
    """Le filtre des orientations liste les lots des marchés : rendu à chaque page, jamais pris du cache."""
    appels = []
    cachable = fragments.cachable
    monkeypatch.setattr(fragments, "cachable", lambda f: appels.append(cachable(f)) or appels[-1])
    client.force_login(admin_user)
    for params in ({}, {"page": 1}):
        _, requetes = _page(client, "placement:liste", **params)
        assert any(q.startswith('SELECT "placement_lot"') for q in requetes)  # la liste des lots, relue
    assert appels == [False, False]


def test_choix_du_champ_cache_dans_la_cle(client, bassins, referent):
    """Deux homonymes : même texte affiché, identifiants choisis différents ; chaque choix a son fragment."""
    homonyme = UserFactory(
        referent=True, bassins=[bassins["Orléans"]], first_name=referent.first_name, last_name=referent.last_name
    )
    client.force_login(referent)
    texte = str(referent)
    premier, _ = _page(client, referent=texte, referent_choix=referent.pk)
    second, _ = _page(client, referent=texte, referent_choix=homonyme.pk)
    assert f'data-valeur="{referent.pk}"' in premier and f'data-valeur="{homonyme.pk}"' in second


def test_empreinte_couvre_tout_ce_qui_rend_le_fragment(settings):
    """Filtres, champs et widgets, sources d'autocomplétion, balises et gabarits : sans liste à tenir à jour."""
    racine = Path(settings.BASE_DIR).resolve()
    fichiers = {str(f.relative_to(racine)) for f in fragments.fichiers_du_code()}
    for attendu in (
        "beneficiaires/filters.py",
        "beneficiaires/autocompletion.py",
        "commun/autocompletion.py",
        "commun/filtres.py",
        "commun/fragments.py",
        "commun/templatetags/rendu_filtres.py",
        "commun/templatetags/fragments.py",
        "templates/beneficiaires/_liste.html",
        "templates/_filtres_deux_niveaux.html",
        "plan_emploi/settings.py",
    ):
        assert attendu in fichiers
    assert not any(f.startswith(("tests/", ".venv/")) or "site-packages" in f for f in fichiers)


def test_empreinte_change_avec_le_contenu_d_un_fichier(tmp_path):
    source = tmp_path / "autocompletion.py"
    gabarit = tmp_path / "champ.html"
    source.write_text("COMMUNES = 1\n")
    gabarit.write_text("<input>")
    avant = fragments.empreinte_fichiers([source, gabarit], tmp_path)
    assert fragments.empreinte_fichiers([source, gabarit], tmp_path) == avant
    source.write_text("COMMUNES = 2\n")
    assert fragments.empreinte_fichiers([source, gabarit], tmp_path) != avant


def test_version_de_deploiement_change_la_cle(rf, settings, admin_user, bassins):
    from beneficiaires.filters import BeneficiaireFilter

    requete = rf.get("/")
    requete.user = admin_user
    filtres = BeneficiaireFilter({}, request=requete, user=admin_user)
    fragments.empreinte_du_projet.cache_clear()
    try:
        avant = fragments.cle(requete, filtres, "gabarit", 1, [])
        settings.VERSION_DEPLOIEMENT = "2026-12-07"
        fragments.empreinte_du_projet.cache_clear()
        assert fragments.cle(requete, filtres, "gabarit", 1, []) != avant
    finally:
        fragments.empreinte_du_projet.cache_clear()

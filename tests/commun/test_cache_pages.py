"""Corps des listes et fiches en cache (commun/cache_pages.py) : servis du cache tant que rien n'a changé, jamais
périmés après une écriture, jamais servis à un autre utilisateur, jamais rendus avec des écritures non validées.

Ces tests valident réellement leurs transactions (transaction=True) : c'est la validation qui périme les corps
pour les autres processus, et un corps rendu dans une transaction qui a écrit n'est pas mis en cache."""

import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beneficiaires.models import Beneficiaire
from commun import cache_pages, versions
from comptes.models import JournalConsultation, JournalExport
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.contrats.factories import ContratAideFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _cache_vide():
    cache.clear()
    yield
    cache.clear()


def _get(client, url, **params):
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(url, params)
    assert reponse.status_code == 200
    return reponse.content.decode(), [q["sql"] for q in requetes.captured_queries]


def _principal(html):
    """Le contenu principal de la page, sans les jetons CSRF : la mise en page (hors du corps en cache, comme le
    formulaire « Réaffecter à » de la liste) en porte un, propre à chaque requête."""
    principal = html[html.index('<main id="contenu"') : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', principal)


def _personnes(commune, referent, n, nom="Martin"):
    return [BeneficiaireFactory(commune=commune, referent=referent, nom=f"{nom}{i}") for i in range(n)]


def test_liste_servie_du_cache_sans_ses_requetes_puis_perimee_par_une_ecriture(client, bassins, referent):
    commune = bassins["Orléans"].commune_test
    _personnes(commune, referent, 30)
    client.force_login(referent)
    url = reverse("beneficiaires:liste")

    premiere, requetes_calcul = _get(client, url)
    seconde, requetes_cache = _get(client, url)
    assert _principal(seconde) == _principal(premiere)
    assert "MARTIN0" in seconde.upper() and "30 personnes" in seconde
    # Servie du cache : ni COUNT de pagination, ni lignes, ni choix des filtres ; session, utilisateur, version,
    # et les référents proposés par le formulaire « Réaffecter à » (hors du corps : il porte le jeton CSRF).
    assert any("COUNT(" in q.upper() for q in requetes_calcul)
    assert not any("beneficiaires_beneficiaire" in q for q in requetes_cache)
    assert len(requetes_cache) <= 6 < len(requetes_calcul)

    BeneficiaireFactory(commune=commune, referent=referent, nom="Nouvelle")  # save() : signal
    apres, _ = _get(client, url)
    assert "NOUVELLE" in apres.upper() and "31 personnes" in apres


def test_un_corps_n_est_jamais_servi_a_un_autre_utilisateur(client, bassins, referent, referent_gien):
    _personnes(bassins["Orléans"].commune_test, referent, 3, nom="Orleanais")
    _personnes(bassins["Gien"].commune_test, referent_gien, 2, nom="Giennois")
    url = reverse("beneficiaires:liste")
    for _ in range(2):  # la seconde fois, chacun reçoit son propre corps, servi du cache
        client.force_login(referent)
        html, _ = _get(client, url)
        assert "ORLEANAIS0" in html.upper() and "GIENNOIS" not in html.upper()
        client.force_login(referent_gien)
        html, _ = _get(client, url)
        assert "GIENNOIS0" in html.upper() and "ORLEANAIS" not in html.upper()


def test_un_post_refuse_ou_anonyme_ne_perime_rien(client, bassins, referent):
    """Seules les écritures validées sur des modèles périment : un POST refusé (méthode non permise), un POST
    anonyme refusé par la protection CSRF, une connexion ne changent aucune version."""
    from django.test import Client

    _personnes(bassins["Orléans"].commune_test, referent, 1)
    avant = versions.versions(*sorted(versions.applications_du_projet()))
    client.force_login(referent)
    url = reverse("beneficiaires:liste")
    _get(client, url)
    assert client.post(url).status_code == 405
    assert Client(enforce_csrf_checks=True).post(reverse("comptes:connexion"), {"username": "x"}).status_code == 403
    client.post(reverse("comptes:connexion"), {"username": referent.username, "password": "mauvais"})
    assert versions.versions(*sorted(versions.applications_du_projet())) == avant
    _, requetes = _get(client, url)
    assert not any("beneficiaires_beneficiaire" in q for q in requetes)  # toujours servie du cache


def test_ecriture_en_masse_perimee_par_l_aide(client, bassins, referent):
    (personne,) = _personnes(bassins["Orléans"].commune_test, referent, 1)
    client.force_login(referent)
    url = reverse("beneficiaires:liste")
    _get(client, url)
    with transaction.atomic():
        Beneficiaire.objects.filter(pk=personne.pk).update(nom="Importee")
        versions.ecritures_en_masse(Beneficiaire)
    html, _ = _get(client, url)
    assert "IMPORTEE" in html.upper()


def test_une_ecriture_sur_une_location_ne_perime_pas_la_liste_des_beneficiaires(client, bassins, referent):
    from tests.mobilite.factories import LocationFactory, VehiculeFactory

    vehicule = VehiculeFactory()
    personne, *_ = _personnes(bassins["Orléans"].commune_test, referent, 3)
    client.force_login(referent)
    url = reverse("beneficiaires:liste")
    _get(client, url)
    LocationFactory(vehicule=vehicule, beneficiaire=personne)  # mobilite : une autre application
    _, requetes = _get(client, url)
    assert not any("beneficiaires_beneficiaire" in q for q in requetes)
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test, referent=referent, nom="Nouvelle")
    html, _ = _get(client, url)
    assert "NOUVELLE" in html.upper()


def test_une_commune_deplacee_dans_un_autre_bassin_quitte_la_liste_aussitot(client, bassins, referent):
    """Écriture en masse hors requête (comme une commande de gestion) : QuerySet.update() puis l'aide."""
    from referentiel.models import Commune

    commune = bassins["Orléans"].commune_test
    _personnes(commune, referent, 2, nom="Deplacee")
    client.force_login(referent)
    url = reverse("beneficiaires:liste")
    html, _ = _get(client, url, bassin=bassins["Orléans"].pk)
    assert "DEPLACEE0" in html.upper()
    Commune.objects.filter(pk=commune.pk).update(bassin_emploi=bassins["Gien"])
    versions.ecritures_en_masse(Commune)
    html, _ = _get(client, url, bassin=bassins["Orléans"].pk)
    assert "DEPLACEE0" not in html.upper()


def test_pas_de_mise_en_cache_d_un_corps_rendu_avec_des_ecritures_non_validees(rf, bassins, referent):
    from beneficiaires.views import BeneficiaireListe

    commune = bassins["Orléans"].commune_test
    requete = rf.get(reverse("beneficiaires:liste"))
    requete.user = referent
    requete.session = {}
    with transaction.atomic():
        BeneficiaireFactory(commune=commune, referent=referent, nom="Provisoire")
        reponse = BeneficiaireListe.as_view()(requete)
        reponse.render()
        assert "PROVISOIRE" in reponse.content.decode().upper()
        cle = cache_pages.cle_corps(requete, BeneficiaireListe.gabarit_corps, sorted(BeneficiaireListe.espaces))
        assert cache.get(cle) is None
        transaction.set_rollback(True)


def test_fiche_en_cache_journalisee_et_perimetre_verifie_a_chaque_affichage(client, bassins, referent):
    (personne,) = _personnes(bassins["Orléans"].commune_test, referent, 1)
    client.force_login(referent)
    url = personne.get_absolute_url()
    premiere, _ = _get(client, url)
    seconde, requetes = _get(client, url)
    assert _principal(seconde) == _principal(premiere) and not any("historicalbeneficiaire" in q for q in requetes)
    assert JournalConsultation.objects.filter(id_objet=personne.pk).count() == 2

    # Hors du périmètre, sans signal ni requête d'écriture (donc sans péremption) : refusée quand même.
    Beneficiaire.objects.filter(pk=personne.pk).update(commune=bassins["Gien"].commune_test, referent=None)
    assert client.get(url).status_code == 404


def test_export_jamais_servi_du_cache_et_journalise(client, bassins, referent):
    _personnes(bassins["Orléans"].commune_test, referent, 2)
    client.force_login(referent)
    url = reverse("beneficiaires:liste")
    _get(client, url)
    reponse = client.get(url, {"_export": "csv"})
    assert reponse.status_code == 200 and reponse["Content-Type"].startswith("text/csv")
    assert "MARTIN1" in reponse.content.decode().upper()
    assert JournalExport.objects.count() == 1


def test_liste_des_contrats_perimee_par_un_nouveau_contrat(client, bassins, referent):
    commune = bassins["Orléans"].commune_test
    ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=commune), referent=referent, signe=True)
    client.force_login(referent)
    url = reverse("contrats:liste")
    avant, _ = _get(client, url)
    assert ">1</strong> contrat." in avant
    _, requetes = _get(client, url)
    assert not any("contrats_contrataide" in q for q in requetes)
    ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=commune), referent=referent, signe=True)
    apres, _ = _get(client, url)
    assert ">2</strong> contrats." in apres


def test_surveille_les_applications_du_projet_et_pas_les_bibliotheques():
    applications = versions.applications_du_projet()
    assert {"beneficiaires", "contrats", "placement", "mobilite", "forums", "referentiel", "comptes"} <= applications
    assert not {"sessions", "axes", "auth", "contenttypes", "simple_history", "admin"} & applications


def test_chargement_des_communes_en_masse_perime_les_pages_et_le_tableau():
    """Le référentiel n'importe aucune autre application : ses écritures en masse (bulk_update des communes,
    sans signal par objet) préviennent les caches par le signal `ecritures_en_masse`."""
    from pathlib import Path

    from django.core.management import call_command

    from referentiel.models import Commune
    from tableau_de_bord import cache as cache_tableau

    fichier = Path(__file__).resolve().parents[2] / "referentiel" / "donnees" / "communes-45-loiret.csv"
    call_command("charger_communes", str(fichier))
    Commune.objects.filter(code_insee="45234").update(population=1)  # sans signal
    pages, tableau = versions.versions("referentiel"), cache_tableau.version()
    call_command("charger_communes", str(fichier))  # une seule commune modifiée, par bulk_update
    assert versions.versions("referentiel") != pages
    assert cache_tableau.version() != tableau


def test_un_corps_qui_porte_un_jeton_csrf_n_est_pas_mis_en_cache(rf, referent, monkeypatch):
    from django.views.generic import TemplateView

    class Vue(cache_pages.CorpsEnCacheMixin, TemplateView):
        template_name = "beneficiaires/liste.html"
        gabarit_corps = "beneficiaires/_liste.html"

    formulaire = '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="jeton"></form>'
    monkeypatch.setattr(cache_pages, "render_to_string", lambda *args, **kwargs: formulaire)
    requete = rf.get("/essai/")
    requete.user = referent
    reponse = Vue.as_view()(requete)
    assert reponse.context_data["corps"] == formulaire
    assert cache.get(cache_pages.cle_corps(requete, Vue.gabarit_corps)) is None
    monkeypatch.setattr(cache_pages, "render_to_string", lambda *args, **kwargs: "<p>sans jeton</p>")
    Vue.as_view()(requete)
    assert cache.get(cache_pages.cle_corps(requete, Vue.gabarit_corps)) == "<p>sans jeton</p>"


def test_un_deploiement_ne_ressert_pas_les_corps_rendus_avant_lui(rf, settings, referent):
    """La clé du corps couvre le code du projet (modules, gabarits, bibliothèques de rendu, version de
    déploiement) : un changement de rendu hors du gabarit du corps (une colonne, le format d'un montant) ne
    ressert pas l'ancien HTML."""
    from commun import fragments

    requete = rf.get("/beneficiaires/")
    requete.user = referent
    fragments.empreinte_du_projet.cache_clear()
    try:
        avant = cache_pages.cle_corps(requete, "beneficiaires/_liste.html", ["beneficiaires"])
        assert cache_pages.cle_corps(requete, "beneficiaires/_liste.html", ["beneficiaires"]) == avant
        settings.VERSION_DEPLOIEMENT = "2026-12-07"
        fragments.empreinte_du_projet.cache_clear()
        assert cache_pages.cle_corps(requete, "beneficiaires/_liste.html", ["beneficiaires"]) != avant
    finally:
        fragments.empreinte_du_projet.cache_clear()

"""Compte de pagination en cache (commun/pagination.py) : une autre page ou un autre tri de la même sélection ne
recompte pas ; toute écriture validée dans une application dont la liste dépend le fait recompter (jamais un compte
périmé), dans la transaction qui écrit comme après sa validation ; le périmètre de l'utilisateur est dans la clé.

Transactions réellement validées (transaction=True) : c'est la validation qui change les versions."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beneficiaires.models import Beneficiaire
from commun import versions
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.contrats.factories import ContratAideFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _cache_vide():
    cache.clear()
    yield
    cache.clear()


def _liste(client, url="beneficiaires:liste", **params):
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(reverse(url), params)
    assert reponse.status_code == 200
    comptes = [q["sql"] for q in requetes.captured_queries if "COUNT(" in q["sql"].upper()]
    return reponse.context["table"].paginator.count, comptes


def test_autre_page_ou_tri_sans_recompter_puis_recompte_apres_ecriture(client, bassins, referent):
    commune = bassins["Orléans"].commune_test
    for i in range(60):
        BeneficiaireFactory(commune=commune, nom=f"Martin{i:02d}")
    client.force_login(referent)
    compte, comptages = _liste(client)
    assert compte == 60 and len(comptages) == 1
    for params in ({"page": 2}, {"sort": "-nom"}, {"sort": "commune", "page": 2}):
        compte, comptages = _liste(client, **params)
        assert (compte, comptages) == (60, []), params
    BeneficiaireFactory(commune=commune, nom="Nouvelle")
    compte, comptages = _liste(client, page=2)
    assert compte == 61 and len(comptages) == 1


def test_lignes_par_page_sans_recompter_parametre_inconnu_sans_effet_sur_le_compte(client, bassins, referent):
    for i in range(3):
        BeneficiaireFactory(commune=bassins["Orléans"].commune_test, nom=f"Martin{i}")
    client.force_login(referent)
    assert _liste(client, statut="a_evaluer")[0] == 3
    assert _liste(client, statut="a_evaluer", per_page=2, page=2) == (3, [])
    assert _liste(client, statut="a_evaluer", inconnu="x") == (3, [])  # lu par aucun filtre : le même compte
    assert _liste(client, statut="en_parcours")[0] == 0


def test_filtre_different_compte_different(client, bassins, referent):
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test, nom="Dupont")
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test, nom="Durand")
    client.force_login(referent)
    assert _liste(client)[0] == 2
    assert _liste(client, q="dupont")[0] == 1


def test_perimetre_dans_la_cle(client, bassins, referent, referent_gien):
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    client.force_login(referent)
    assert _liste(client)[0] == 1
    client.force_login(referent_gien)
    assert _liste(client)[0] == 0


def test_ecriture_non_validee_vue_par_sa_transaction_et_pas_gardee(client, bassins, referent):
    commune = bassins["Orléans"].commune_test
    BeneficiaireFactory(commune=commune)
    client.force_login(referent)
    assert _liste(client)[0] == 1
    with transaction.atomic():
        BeneficiaireFactory(commune=commune)
        assert _liste(client, page=1)[0] == 2  # la transaction voit son écriture
        transaction.set_rollback(True)
    compte, comptages = _liste(client, page=1)
    assert compte == 1 and len(comptages) == 0  # l'annulation n'a rien laissé en cache ; le compte d'avant vaut


def test_ecriture_en_masse_recomptee(client, bassins, referent):
    from referentiel.models import Commune

    commune = bassins["Orléans"].commune_test
    BeneficiaireFactory(commune=commune)
    client.force_login(referent)
    assert _liste(client, bassin=bassins["Orléans"].pk)[0] == 1
    Commune.objects.filter(pk=commune.pk).update(bassin_emploi=bassins["Gien"])
    versions.ecritures_en_masse(Commune)
    assert _liste(client, bassin=bassins["Orléans"].pk, page=1)[0] == 0


def test_ecriture_ailleurs_garde_le_compte(client, bassins, referent):
    from tests.mobilite.factories import VehiculeFactory

    vehicule = VehiculeFactory()
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    client.force_login(referent)
    _liste(client)
    vehicule.marque = "Dacia"
    vehicule.save()  # mobilite : la liste des bénéficiaires n'en dépend pas
    assert _liste(client, page=1) == (1, [])


def test_liste_des_contrats_recomptee_apres_un_nouveau_contrat(client, bassins, referent):
    personne = BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    ContratAideFactory(beneficiaire=personne)
    client.force_login(referent)
    compte, _ = _liste(client, "contrats:liste")
    ContratAideFactory(beneficiaire=personne)
    assert _liste(client, "contrats:liste", page=1)[0] == compte + 1


def test_update_sans_l_aide_dans_les_versions():
    """Garde-fou : le compte n'est gardé que sous les versions ; sans écriture, la clé ne change pas."""
    from commun.pagination import cle_compte

    qs = Beneficiaire.objects.filter(nom="X")
    assert cle_compte(qs, ("beneficiaires",)) == cle_compte(qs, ("beneficiaires",))
    assert cle_compte(qs, ("beneficiaires",)) != cle_compte(qs.filter(prenoms="Y"), ("beneficiaires",))


def test_cle_faite_des_lignes_seules():
    """Les colonnes montrées et l'ordre ne changent pas la clé ; les conditions, DISTINCT, le périmètre si ; une
    sélection regroupée ou en `values()` garde tout son SQL (deux regroupements différents, deux clés)."""
    from django.db.models import Count, F

    from beneficiaires.models import Foyer
    from commun.pagination import cle_compte
    from commun.tableaux import lue_par_cle

    qs = Beneficiaire.objects.filter(nom="X")
    cle = cle_compte(qs, ("beneficiaires",))
    montree = lue_par_cle(Foyer, "foyer_id", "numero_allocataire")  # une colonne de la liste, par sous-requête
    assert cle_compte(qs.annotate(n=montree).order_by("-nom"), ("beneficiaires",)) == cle
    assert cle_compte(qs.only("nom"), ("beneficiaires",)) == cle
    assert cle_compte(qs.filter(foyer__numero_allocataire="1"), ("beneficiaires",)) != cle
    assert cle_compte(qs.distinct(), ("beneficiaires",)) != cle
    # DISTINCT porte sur toutes les colonnes : deux colonnes montrées par une jointure vers plusieurs lignes
    # comptent différemment, deux clés.
    par_statut = qs.annotate(x=F("orientations__statut")).distinct()
    par_date = qs.annotate(x=F("orientations__date_proposition")).distinct()
    assert cle_compte(par_statut, ("beneficiaires",)) != cle_compte(par_date, ("beneficiaires",))
    assert cle_compte(qs.annotate(n=F("role")).filter(n="x"), ("beneficiaires",)) != cle
    par_role = qs.values("role").annotate(n=Count("pk"))
    par_commune = qs.values("commune").annotate(n=Count("pk"))
    assert len({cle, cle_compte(par_role, ("beneficiaires",)), cle_compte(par_commune, ("beneficiaires",))}) == 3
    assert cle_compte(qs.values("role"), ("beneficiaires",)) != cle_compte(qs.values("commune"), ("beneficiaires",))


def _engagement(client, **params):
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(reverse("contrats:liste"), params)
    assert reponse.status_code == 200
    groupes = [q["sql"] for q in requetes.captured_queries if '"_n"' in q["sql"]]
    return reponse.context["engagement"].total, groupes


def test_total_engage_garde_pour_un_autre_tri_et_refait_apres_un_nouveau_contrat(client, bassins, referent):
    personne = BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    contrat = ContratAideFactory(beneficiaire=personne, signe=True)
    client.force_login(referent)
    annee = {"annee": contrat.date_signature.year}
    total, groupes = _engagement(client, **annee)
    assert groupes  # (le barème vient d'une migration de données : vidé par les tests précédents, total nul)
    assert _engagement(client, sort="beneficiaire", **annee) == (total, [])
    # Une autre personne : deux contrats signés d'une même personne ne se chevauchent pas (contrainte PostgreSQL).
    ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=bassins["Orléans"].commune_test), signe=True)
    _, groupes = _engagement(client, sort="beneficiaire", **annee)
    assert groupes  # recalculé : la clé a changé avec la version des contrats


def test_versions_lues_une_fois_par_page(client, bassins, referent):
    """Corps, compte et formulaire de filtre en cache sous les versions : une seule lecture des versions par page
    calculée (commun.versions.memoire)."""
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    client.force_login(referent)
    for params in ({}, {"page": 1}):
        with CaptureQueriesContext(connection) as requetes:
            assert client.get(reverse("beneficiaires:liste"), params).status_code == 200
        lectures = [q for q in requetes.captured_queries if "commun_versioncache" in q["sql"]]
        assert len(lectures) == 1, params


def test_memoire_videe_par_une_incrementation():
    with versions.memoire():
        avant = versions.versions("beneficiaires")
        versions.ecritures_en_masse("beneficiaires")  # hors transaction : incrémentée tout de suite
        assert versions.versions("beneficiaires") != avant


def test_engagement_de_la_liste_garde_par_page_puis_recalcule_apres_ecriture(client, bassins, referent):
    """Le total engagé de la liste des contrats, gardé comme son compte : un autre tri ou une autre page des mêmes
    critères ne le recalcule pas, un nouveau contrat si."""
    from unittest import mock

    from contrats import views

    personne = BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    ContratAideFactory(signe=True, beneficiaire=personne)
    client.force_login(referent)
    liste = reverse("contrats:liste")
    with mock.patch.object(views, "engagements", wraps=views.engagements) as calcul:
        premier = client.get(liste, {"annee": 2018}).context["engagement"]
        second = client.get(liste, {"annee": 2018, "sort": "-numero_convention"}).context["engagement"]
        assert calcul.call_count == 1 and second == premier and premier is not None
        autre = BeneficiaireFactory(commune=bassins["Orléans"].commune_test)  # un contrat par personne à la fois
        ContratAideFactory(signe=True, beneficiaire=autre)
        assert client.get(liste, {"annee": 2018, "page": 1}).context["engagement"] is not None
        assert calcul.call_count == 2


@pytest.mark.parametrize("liste", ["beneficiaires.views.BeneficiaireListe", "contrats.views.ContratListView"])
def test_selection_d_une_liste_ne_depend_que_de_l_utilisateur(rf, bassins, referent, liste):
    """Ce sur quoi repose la clé du compte (`cle_de_la_page`) : la sélection d'une liste filtrée (`get_queryset`)
    ne lit rien de l'adresse ; seul son filtre le fait."""
    from django.utils.module_loading import import_string

    vue = import_string(liste)
    sql = []
    for parametres in ({}, {"q": "dupont", "bassin": "1", "sort": "-nom", "inconnu": "x", "page": "3"}):
        requete = rf.get("/", parametres)
        requete.user = referent
        instance = vue()
        instance.setup(requete)
        sql.append(str(instance.get_queryset().query))
    assert sql[0] == sql[1]

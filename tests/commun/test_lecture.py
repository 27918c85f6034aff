"""Pages de lecture (`commun.lecture.PageDeLectureMixin`) : servies hors de la transaction de requête, fermées à
toute méthode d'écriture ; les autres vues gardent la transaction de requête (ATOMIC_REQUESTS)."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from comptes.models import JournalConsultation
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory


def requetes_et_transaction(client, methode, adresse):
    """(réponse, [(sql, dans une transaction ?)]) pour chaque instruction de la requête."""
    vues = []

    def noter(execute, sql, params, many, context):
        vues.append((sql, connection.in_atomic_block))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(noter):
        reponse = getattr(client, methode)(adresse)
    return reponse, vues


@pytest.fixture
def pages(bassins):
    personne = BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    demain = datetime.date.today() + datetime.timedelta(days=1)
    return {
        "liste": reverse("beneficiaires:liste"),
        "fiche": personne.get_absolute_url(),
        "contrats": reverse("contrats:liste"),
        "vehicules": f"{reverse('mobilite:recherche')}?debut={demain}&fin={demain + datetime.timedelta(days=3)}",
    }


@pytest.mark.django_db(transaction=True)
def test_pages_de_lecture_lues_hors_transaction_ecritures_de_service_dans_la_leur(client, pages):
    client.force_login(UserFactory(administrateur=True))
    tables = {
        "liste": "beneficiaires_beneficiaire",
        "fiche": "beneficiaires_beneficiaire",
        "contrats": "contrats_contrataide",
        "vehicules": "mobilite_vehicule",
    }
    for nom, adresse in pages.items():
        reponse, vues = requetes_et_transaction(client, "get", adresse)
        assert reponse.status_code == 200, nom
        lectures = [dans for sql, dans in vues if sql.lstrip().startswith("SELECT") and f'FROM "{tables[nom]}"' in sql]
        assert lectures and not any(lectures), (nom, lectures)
    # La fiche journalise la consultation par son service, dans la transaction du service.
    _, vues = requetes_et_transaction(client, "get", pages["fiche"])
    insertions = [dans for sql, dans in vues if "INSERT" in sql and JournalConsultation._meta.db_table in sql]
    assert insertions == [True]


@pytest.mark.django_db(transaction=True)
def test_les_autres_vues_gardent_la_transaction_de_requete(client, bassins):
    client.force_login(UserFactory(administrateur=True))
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    reponse, vues = requetes_et_transaction(client, "get", reverse("accueil"))
    assert reponse.status_code == 200
    # Les lectures de la vue (hors intergiciels : session, utilisateur) sont dans la transaction de requête.
    lectures = [dans for sql, dans in vues if 'FROM "beneficiaires_beneficiaire"' in sql]
    assert lectures and all(lectures)


@pytest.mark.django_db
@pytest.mark.parametrize("methode", ["post", "put", "patch", "delete"])
def test_pages_de_lecture_refusent_toute_ecriture(client, pages, methode, rf):
    client.force_login(UserFactory(administrateur=True))
    for nom, adresse in pages.items():
        assert getattr(client, methode)(adresse).status_code == 405, (nom, methode)
    # Même une vue de lecture qui saurait écrire (une méthode `post` ajoutée un jour) n'y arrive jamais.
    from django.http import HttpResponse
    from django.views import View

    from commun.lecture import PageDeLectureMixin

    class Lecture(PageDeLectureMixin, View):
        def get(self, request):
            return HttpResponse("lu")

        post = put = patch = delete = get

    vue = Lecture.as_view()
    assert vue(rf.get("/")).status_code == 200
    assert vue(getattr(rf, methode)("/")).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_versions_des_donnees_lues_une_fois_par_page_de_lecture(client, pages, agent_mobilite):
    """Les versions (commun/versions.py) sont lues une fois pour toute la page : choix du référentiel (bassins à
    écrire et à valider), compte, corps en cache."""
    from commun.versions import TABLE

    client.force_login(UserFactory(administrateur=True))
    for nom in ("liste", "contrats", "vehicules"):
        _, vues = requetes_et_transaction(client, "get", pages[nom] + ("&" if "?" in pages[nom] else "?") + "bassin=1")
        assert sum(TABLE in sql for sql, _ in vues) == 1, nom

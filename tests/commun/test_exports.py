"""Exports CSV/XLSX : rôles autorisés, journal, neutralisation des formules (injection dans les tableurs)."""

import io

import openpyxl
import pytest
from django.urls import reverse

from commun.exports import neutraliser_cellule
from comptes.models import JournalExport
from tests.comptes.factories import UserFactory

pytestmark = pytest.mark.urls("tests.commun.urls_export")


@pytest.mark.parametrize(
    "valeur,attendu",
    [
        ("=1+1", "'=1+1"),
        ("+33612345678", "'+33612345678"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Dupont", "Dupont"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_neutraliser_cellule(valeur, attendu):
    assert neutraliser_cellule(valeur) == attendu


@pytest.fixture
def agents(db):
    UserFactory(username="a-piege", last_name='=HYPERLINK("http://evil.example","clic")', first_name="@cmd")
    UserFactory(username="b-normal", last_name="Martin", first_name="-Léa")


@pytest.mark.django_db
def test_export_csv_neutralise_et_journalise(client, agents, referent):
    client.force_login(referent)
    reponse = client.get(reverse("test_export:agents"), {"_export": "csv", "nom": "i"})
    assert reponse.status_code == 200
    contenu = reponse.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in contenu and "'@cmd" in contenu
    assert "\n=HYPERLINK" not in contenu and ",=HYPERLINK" not in contenu
    entree = JournalExport.objects.get()
    assert entree.utilisateur == referent
    assert entree.vue == "test_export:agents"
    assert entree.format == "csv"
    assert "nom=i" in entree.filtres
    assert entree.lignes == 2  # les deux agents dont le nom contient « i »


@pytest.mark.django_db
def test_export_xlsx_neutralise(client, agents, pilotage):
    client.force_login(pilotage)
    reponse = client.get(reverse("test_export:agents"), {"_export": "xlsx"})
    assert reponse.status_code == 200
    feuille = openpyxl.load_workbook(io.BytesIO(reponse.content)).active
    valeurs = [c.value for ligne in feuille.iter_rows() for c in ligne]
    assert '\'=HYPERLINK("http://evil.example","clic")' in valeurs
    assert "'-Léa" in valeurs
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in valeurs)
    assert all(c.data_type != "f" for ligne in feuille.iter_rows() for c in ligne)
    assert JournalExport.objects.get().format == "xlsx"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["prestataire", "agent_mobilite"])
def test_export_nominatif_refuse_aux_roles_non_autorises(client, agents, role):
    user = UserFactory(role=role, **({"prestataire": True} if role == "prestataire" else {}))
    client.force_login(user)
    reponse = client.get(reverse("test_export:agents"), {"_export": "csv"})
    assert reponse.status_code == 403
    assert JournalExport.objects.count() == 0
    # Une liste sans donnée personnelle reste exportable, et l'export est journalisé.
    assert client.get(reverse("test_export:agents_anonymes"), {"_export": "csv"}).status_code == 200
    assert JournalExport.objects.count() == 1


@pytest.mark.django_db
def test_export_refuse_aux_anonymes(client, agents):
    reponse = client.get(reverse("test_export:agents"), {"_export": "csv"})
    assert reponse.status_code == 302
    assert JournalExport.objects.count() == 0


@pytest.mark.parametrize(
    "valeur,attendu",
    [
        (__import__("datetime").date(2018, 3, 9), "09/03/2018"),
        (__import__("decimal").Decimal("23239.50"), "23239,50"),
        (1.5, "1,5"),
        (True, "Oui"),
        (None, ""),
        (12, 12),
    ],
)
def test_cellule_csv_comme_excel_en_francais(valeur, attendu):
    from commun.exports import cellule_csv

    assert cellule_csv(valeur) == attendu


@pytest.mark.django_db
def test_export_csv_point_virgule_et_bom(client, agents, referent):
    import csv

    client.force_login(referent)
    reponse = client.get(reverse("test_export:agents"), {"_export": "csv", "nom": "i"})
    assert reponse.content.startswith("\ufeff".encode())
    lignes = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))
    assert lignes[0] == ["Username", "Last name", "First name"] or len(lignes[0]) == 3
    assert ["b-normal", "Martin", "'-Léa"] in lignes

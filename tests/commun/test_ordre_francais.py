"""Ordre alphabétique français des noms de personnes, de communes et de structures, sur PostgreSQL (collation
ICU « francais ») comme sur SQLite (collation du même nom, enregistrée à la connexion) : « Châlette » avant
« Chuelles », « BÈGUE » avant « BRUNET », dans les listes et dans les sélecteurs."""

import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from beneficiaires.models import Beneficiaire
from commun.francais import cle_de_tri
from referentiel.models import Commune, Structure
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.referentiel.factories import CommuneFactory, StructureFactory

COMMUNES = ["Chuelles", "Châlette-sur-Loing", "Écueillé", "Ervauville", "Égry", "Amilly", "Zèbre"]
ATTENDU_COMMUNES = ["Amilly", "Châlette-sur-Loing", "Chuelles", "Écueillé", "Égry", "Ervauville", "Zèbre"]
NOMS = ["BRUNET", "BÈGUE", "Bégué", "BEGUIN", "Œillet", "ODIN", "ÉLIE", "EMERY"]
ATTENDU_NOMS = ["Bégué", "BÈGUE", "BEGUIN", "BRUNET", "ÉLIE", "EMERY", "ODIN", "Œillet"]


def test_cle_de_tri_a_la_francaise():
    assert sorted(COMMUNES, key=cle_de_tri) == ATTENDU_COMMUNES
    assert sorted(NOMS, key=cle_de_tri) == ATTENDU_NOMS
    # Deux textes distincts ne sont jamais égaux pour la collation (unicité de SQLite).
    assert cle_de_tri("Bègue") != cle_de_tri("Begue") != cle_de_tri("BEGUE")


@pytest.mark.django_db
def test_les_communes_et_les_structures_se_trient_a_la_francaise(bassins):
    bassin = bassins["Montargis"]
    for nom in COMMUNES:
        CommuneFactory(nom=nom, bassin_emploi=bassin)
        StructureFactory(nom=nom)
    noms = [c for c in Commune.objects.filter(bassin_emploi=bassin).values_list("nom", flat=True) if c in COMMUNES]
    assert noms == ATTENDU_COMMUNES  # Meta.ordering = ["nom"]
    assert list(Structure.objects.filter(nom__in=COMMUNES).order_by("nom").values_list("nom", flat=True)) == (
        ATTENDU_COMMUNES
    )


@pytest.mark.django_db
def test_les_personnes_se_trient_a_la_francaise_nom_puis_prenoms(bassins):
    commune = bassins["Orléans"].commune_test
    for nom in NOMS:
        BeneficiaireFactory(nom=nom, prenoms="Jean", commune=commune)
    BeneficiaireFactory(nom="BÈGUE", prenoms="Émile", commune=commune)
    BeneficiaireFactory(nom="BÈGUE", prenoms="Zoé", commune=commune)
    lignes = list(Beneficiaire.objects.values_list("nom", "prenoms"))
    assert [n for n, _ in lignes] == ["Bégué"] + ["BÈGUE"] * 3 + ATTENDU_NOMS[2:]
    assert [p for n, p in lignes if n == "BÈGUE"] == ["Émile", "Jean", "Zoé"]
    # La recherche par égalité reste exacte (collation déterministe) : l'accent compte.
    assert Beneficiaire.objects.filter(nom="BEGUE").count() == 0
    assert Beneficiaire.objects.filter(nom="BÈGUE").count() == 3


@pytest.mark.django_db
def test_la_contrainte_d_identite_reste_exacte(bassins):
    """Même foyer, même rôle, même date : « Begue » et « Bègue » sont deux personnes, « Bègue » deux fois non."""
    b = BeneficiaireFactory(nom="Bègue", prenoms="Jean", commune=bassins["Gien"].commune_test)
    BeneficiaireFactory(foyer=b.foyer, role=b.role, nom="Begue", prenoms="Jean", date_naissance=b.date_naissance)
    with pytest.raises(IntegrityError), transaction.atomic():
        BeneficiaireFactory(foyer=b.foyer, role=b.role, nom="Bègue", prenoms="Jean", date_naissance=b.date_naissance)


def _ordre_dans(contenu, noms):
    positions = {n: contenu.find(n) for n in noms}
    assert all(p >= 0 for p in positions.values()), positions
    return sorted(noms, key=positions.get)


@pytest.mark.django_db
def test_la_liste_des_beneficiaires_et_le_selecteur_des_communes(client, pilotage, bassins):
    bassin = bassins["Montargis"]
    for nom, commune in zip(["BRUNET", "BÈGUE", "BOULAY"], ["Chuelles", "Châlette-sur-Loing", "Cepoy"], strict=True):
        BeneficiaireFactory(nom=nom, commune=CommuneFactory(nom=commune, bassin_emploi=bassin))
    client.force_login(pilotage)
    contenu = client.get(reverse("beneficiaires:liste")).content.decode()
    # Les noms sont affichés en capitales (classe text-uppercase) : l'ordre est celui du nom.
    assert _ordre_dans(contenu, ["BÈGUE", "BOULAY", "BRUNET"]) == ["BÈGUE", "BOULAY", "BRUNET"]
    options = re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", contenu)
    communes = [o for o in options if o.startswith(("Chuelles", "Châlette", "Cepoy"))]
    assert [c.split(" (")[0] for c in communes] == ["Cepoy", "Châlette-sur-Loing", "Chuelles"]
    # Tri par la colonne « Commune » du tableau.
    contenu = client.get(reverse("beneficiaires:liste"), {"sort": "commune"}).content.decode()
    assert _ordre_dans(contenu, ["BOULAY", "BÈGUE", "BRUNET"]) == ["BOULAY", "BÈGUE", "BRUNET"]


@pytest.mark.django_db
def test_la_collation_est_celle_de_la_base():
    """PostgreSQL : la collation ICU française existe ; SQLite : la collation est enregistrée sur la connexion."""
    with connection.cursor() as curseur:
        if connection.vendor == "postgresql":
            curseur.execute("SELECT collprovider FROM pg_collation WHERE collname = 'francais'")
            assert curseur.fetchone() == ("i",)
        curseur.execute(
            "SELECT x FROM (SELECT 'Chuelles' AS x UNION ALL SELECT 'Châlette' UNION ALL SELECT 'chalet') AS t "
            'ORDER BY x COLLATE "francais"'
        )
        assert [r[0] for r in curseur.fetchall()] == ["chalet", "Châlette", "Chuelles"]


DIFFICILES = NOMS + COMMUNES + ["bègue", "begue", "Begue", "Saint-Denis", "Sainte", "Saint Jean", "L'Abbaye", "Labbé"]


@pytest.mark.django_db
def test_sqlite_et_postgresql_donnent_le_meme_ordre():
    """La clé de tri de SQLite suit la collation ICU de PostgreSQL (accents é < è < ê, casse, tirets, ligatures)."""
    attendu = sorted(DIFFICILES, key=cle_de_tri)
    if connection.vendor != "postgresql":
        pytest.skip("comparaison avec ICU : PostgreSQL seulement")
    with connection.cursor() as curseur:
        curseur.execute('SELECT x FROM unnest(%s::text[]) AS x ORDER BY x COLLATE "francais"', [DIFFICILES])
        assert [r[0] for r in curseur.fetchall()] == attendu


@pytest.mark.django_db
def test_le_selecteur_des_referents_suit_l_ordre_francais(client, pilotage, bassins):
    for nom in ["Brunet", "Bègue", "Émery", "Ezan"]:
        UserFactory(last_name=nom, first_name="Anne", referent=True, bassins=[bassins["Gien"]])
    client.force_login(pilotage)
    contenu = client.get(reverse("beneficiaires:liste")).content.decode()
    assert _ordre_dans(contenu, ["Anne Bègue", "Anne Brunet", "Anne Émery", "Anne Ezan"]) == [
        "Anne Bègue", "Anne Brunet", "Anne Émery", "Anne Ezan",
    ]  # fmt: skip

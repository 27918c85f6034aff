"""Objectif (cibles), chiffres clés, administration, menu et démo."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from commun.menu_registre import entrees_pour
from tableau_de_bord import registre
from tableau_de_bord.models import ChiffreCle, Objectif
from tableau_de_bord.services import chiffre_cle_enregistrer, objectif_enregistrer
from tests.comptes.factories import UserFactory

from .indicateurs_test import declarer_tous


@pytest.fixture
def codes_test(registre_isole, db):
    declarer_tous(registre_isole)
    return registre_isole


def test_code_inconnu_refuse_avec_un_message_utile(codes_test):
    with pytest.raises(ValidationError) as erreur:
        objectif_enregistrer(annee=2018, code="placement_entrés", valeur=Decimal(600))
    message = erreur.value.message_dict["code"][0]
    assert "L'indicateur « placement_entrés » n'existe pas" in message
    assert "test_evaluations" in message


def test_objectif_cree_puis_mis_a_jour(codes_test, bassins):
    objectif_enregistrer(annee=2018, code="test_evaluations", valeur=Decimal(600))
    objectif_enregistrer(annee=2018, code="test_evaluations", valeur=Decimal(650), commentaire="révisé")
    objectif_enregistrer(annee=2018, code="test_evaluations", bassin=bassins["Gien"], valeur=Decimal(90))
    assert Objectif.objects.count() == 2
    assert Objectif.objects.get(bassin__isnull=True).valeur == 650


def test_unicite_annee_code_bassin(codes_test, bassins):
    Objectif.objects.create(annee=2018, code="test_evaluations", bassin=bassins["Gien"], valeur=90)
    doublon = Objectif(annee=2018, code="test_evaluations", bassin=bassins["Gien"], valeur=10)
    with pytest.raises(ValidationError, match="existe déjà pour cette année, cet indicateur et ce bassin"):
        doublon.full_clean()


def test_unicite_de_la_cible_departementale_bassin_vide(codes_test):
    """NULL n'est jamais égal à NULL en SQL : la contrainte partielle empêche deux cibles départementales."""
    Objectif.objects.create(annee=2018, code="test_evaluations", valeur=600)
    with pytest.raises(ValidationError, match="Un objectif départemental existe déjà"):
        Objectif(annee=2018, code="test_evaluations", valeur=10).full_clean()
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Objectif.objects.create(annee=2018, code="test_evaluations", valeur=10)
    Objectif.objects.create(annee=2019, code="test_evaluations", valeur=10)  # autre année : permis


def test_valeurs_negatives_refusees(codes_test):
    with pytest.raises(ValidationError):
        objectif_enregistrer(annee=2018, code="test_evaluations", valeur=Decimal(-1))
    with pytest.raises(ValidationError):
        chiffre_cle_enregistrer(nature=ChiffreCle.Nature.BUDGET_RSA, date=date(2017, 1, 1), valeur=Decimal(-5))


def test_chiffre_cle_date_unique_par_nature(db):
    chiffre_cle_enregistrer(nature=ChiffreCle.Nature.BUDGET_RSA, date=date(2017, 1, 1), valeur=Decimal(1))
    chiffre_cle_enregistrer(nature=ChiffreCle.Nature.BUDGET_RSA, date=date(2017, 1, 1), valeur=Decimal("87900000"))
    assert ChiffreCle.objects.get().valeur == Decimal("87900000")
    with pytest.raises(ValidationError, match="déjà saisi à cette date"):
        ChiffreCle(nature=ChiffreCle.Nature.BUDGET_RSA, date=date(2017, 1, 1), valeur=1).full_clean()


def test_admin_propose_les_codes_declares_et_enregistre(client, codes_test, admin_user, bassins):
    client.force_login(admin_user)
    url = reverse("admin:tableau_de_bord_objectif_add")
    page = client.get(url)
    assert page.status_code == 200
    assert "Évaluations réalisées (test) (test_evaluations)" in page.content.decode()
    reponse = client.post(
        url, {"annee": 2018, "code": "test_evaluations", "bassin": bassins["Orléans"].pk, "valeur": "270"}
    )
    assert reponse.status_code == 302
    assert Objectif.objects.get().valeur == 270
    refus = client.post(url, {"annee": 2018, "code": "inconnu", "valeur": "1"})
    assert refus.status_code == 200 and not Objectif.objects.filter(code="inconnu").exists()
    assert client.get(reverse("admin:tableau_de_bord_objectif_changelist")).status_code == 200
    assert client.get(reverse("admin:tableau_de_bord_chiffrecle_add")).status_code == 200


def test_pilotage_ne_modifie_pas_les_objectifs(client, pilotage):
    client.force_login(pilotage)
    assert client.get(reverse("admin:tableau_de_bord_objectif_add")).status_code == 302  # pas d'accès à l'admin


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("administrateur", True),
        ("pilotage", True),
        ("referent", True),
        ("prestataire", False),
        ("agent_mobilite", False),
    ],
)
def test_entree_de_menu(db, role, visible):
    user = UserFactory(**{role: True})
    assert ("Tableau de bord" in [e["libelle"] for e in entrees_pour(user)]) is visible


def _faux(code):
    def fonction(ctx):
        return registre.Indicateur(code=code, libelle=code, valeur=0)

    fonction.__qualname__ = f"faux_{code}"
    return fonction


def test_demo_idempotente_et_tolerante(bassins, registre_isole):
    from tableau_de_bord.demo import tableau_de_bord as generer

    registre_isole(_faux("placement_entrees"), axe="placement")
    lignes = []
    generer(echelle="petite", graine=1, sortie=lignes.append)
    generer(echelle="petite", graine=1, sortie=lignes.append)
    assert Objectif.objects.count() == 8  # 2 années x 4 bassins ; contrats_signes absent : ignoré
    assert sum(o.valeur for o in Objectif.objects.filter(annee=2018)) == 600
    assert Objectif.objects.get(annee=2018, bassin=bassins["Orléans"]).valeur == 270
    assert "contrats_signes" in lignes[-1]
    assert ChiffreCle.objects.count() == 3
    assert ChiffreCle.objects.get(nature="budget_rsa").valeur == Decimal("87900000")
    registre_isole(_faux("contrats_signes"), axe="contrats")
    generer(echelle="petite", graine=1, sortie=lignes.append)
    assert Objectif.objects.get(annee=2017, code="contrats_signes", bassin__isnull=True).valeur == 60

"""Seuls le demandeur et le conjoint, majeurs et soumis aux droits et devoirs, entrent dans le plan « à évaluer » :
les enfants (et les autres membres du foyer) restent « hors plan », dans les listes comme dans les indicateurs."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from beneficiaires import services
from beneficiaires.demo import beneficiaires as demo_beneficiaires
from beneficiaires.importation import importer
from beneficiaires.indicateurs import personnes_dans_le_plan
from beneficiaires.models import Beneficiaire, Role, StatutParcours
from comptes.demo import comptes as demo_comptes
from referentiel.demo import communes as demo_communes
from tableau_de_bord.registre import Contexte
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.beneficiaires.test_importation import communes, en_csv, ligne  # noqa: F401 - fixture partagée

pytestmark = pytest.mark.django_db

A_EVALUER, HORS_PLAN = StatutParcours.A_EVALUER, StatutParcours.NON_CONCERNE


def creer(referent, bassins, **champs):
    valeurs = {
        "nom": "Durand",
        "prenoms": "Alex",
        "date_naissance": datetime.date(1980, 1, 1),
        "commune": bassins["Orléans"].commune_test,
        "soumis_droits_devoirs": True,
        "role": Role.DEM,
    }
    valeurs.update(champs)
    return services.beneficiaire_creer(par=referent, numero_allocataire="7654321", **valeurs)


@pytest.mark.parametrize(
    ("champs", "attendu"),
    [
        pytest.param({}, A_EVALUER, id="demandeur-sdd"),
        pytest.param({"role": Role.CJT, "prenoms": "Sam"}, A_EVALUER, id="conjoint-sdd"),
        pytest.param({"role": Role.ENF, "date_naissance": datetime.date(2015, 5, 1)}, HORS_PLAN, id="enfant"),
        pytest.param(
            {"role": Role.ENF, "date_naissance": datetime.date(2012, 5, 1), "soumis_droits_devoirs": True},
            HORS_PLAN,
            id="enfant-declare-sdd",
        ),
        pytest.param({"role": Role.AUT}, HORS_PLAN, id="autre-membre"),
        pytest.param({"soumis_droits_devoirs": False}, HORS_PLAN, id="demandeur-non-sdd"),
        pytest.param({"role": Role.CJT, "date_naissance": datetime.date(2010, 1, 1)}, HORS_PLAN, id="conjoint-mineur"),
    ],
)
def test_statut_a_la_creation(referent, bassins, champs, attendu):
    assert creer(referent, bassins, **champs).statut_parcours == attendu


def test_un_demandeur_devenu_sdd_devient_a_evaluer_et_inversement(referent, bassins):
    b = creer(referent, bassins, soumis_droits_devoirs=False)
    b = services.beneficiaire_modifier(beneficiaire=b, par=referent, soumis_droits_devoirs=True)
    assert b.statut_parcours == A_EVALUER
    b = services.beneficiaire_modifier(beneficiaire=b, par=referent, soumis_droits_devoirs=False)
    assert b.statut_parcours == HORS_PLAN


def test_un_enfant_ne_s_evalue_pas(referent, bassins):
    enfant = creer(referent, bassins, role=Role.ENF, date_naissance=datetime.date(2014, 2, 2))
    with pytest.raises(ValidationError, match="hors plan"):
        services.evaluation_planifier(
            beneficiaire=enfant, date=datetime.date(2026, 12, 20), evaluateur=referent, par=referent
        )
    with pytest.raises(ValidationError, match="hors plan"):
        services.evaluation_realiser(
            par=referent, beneficiaire=enfant, evaluateur=referent, date=datetime.date(2026, 12, 1)
        )


def test_import_enfant_hors_plan(communes):  # noqa: F811
    famille = [
        ligne(),
        ligne(**{"rôle": "ENF", "prénoms": "Léa", "date de naissance": "21/06/2012", "SDD": "non"}),
    ]
    importer(en_csv(famille))
    statuts = dict(Beneficiaire.objects.values_list("role", "statut_parcours"))
    assert statuts == {"DEM": A_EVALUER, "ENF": HORS_PLAN}
    # Le demandeur cesse d'être soumis aux droits et devoirs à l'import suivant : il sort du plan.
    importer(en_csv([ligne(SDD="non")]))
    assert Beneficiaire.objects.get(role="DEM").statut_parcours == HORS_PLAN


def test_liste_a_evaluer_sans_enfant(client, referent, bassins):
    commune = bassins["Orléans"].commune_test
    parent = BeneficiaireFactory(commune=commune, nom="Parent")
    enfant = creer(referent, bassins, role=Role.ENF, nom="Enfantin", date_naissance=datetime.date(2016, 1, 1))
    client.force_login(referent)
    contenu = client.get(reverse("beneficiaires:liste"), {"statut": "a_evaluer"}).content.decode()
    assert parent.nom in contenu and enfant.nom not in contenu


def test_indicateur_personnes_dans_le_plan_sans_enfant(bassins):
    commune = bassins["Orléans"].commune_test
    jour = datetime.date(2026, 3, 1)
    BeneficiaireFactory(commune=commune, orientation="pro", date_orientation=jour)
    # Un enfant marqué SDD par erreur dans une liste, et orienté : il reste hors plan.
    BeneficiaireFactory(
        commune=commune,
        role=Role.ENF,
        date_naissance=datetime.date(2012, 1, 1),
        statut_parcours=HORS_PLAN,
        orientation="pro",
        date_orientation=jour,
    )
    ctx = Contexte(debut=datetime.date(2026, 1, 1), fin=datetime.date(2026, 12, 31))
    assert personnes_dans_le_plan(ctx).valeur == 1


def test_migration_sort_les_enfants_a_evaluer(bassins):
    commune = bassins["Orléans"].commune_test
    adulte = BeneficiaireFactory(commune=commune)
    enfant = BeneficiaireFactory(commune=commune, role=Role.ENF, date_naissance=datetime.date(2015, 1, 1))
    mineur_cjt = BeneficiaireFactory(commune=commune, role=Role.CJT, date_naissance=datetime.date(2010, 1, 1))
    enfant_en_cours = BeneficiaireFactory(commune=commune, role=Role.ENF, statut_parcours=StatutParcours.EN_EVALUATION)
    migration = importlib.import_module("beneficiaires.migrations.0006_statut_hors_plan")
    migration.sortir_du_plan_les_ayants_droit(apps, None)
    statuts = dict(Beneficiaire.objects.values_list("pk", "statut_parcours"))
    assert statuts[adulte.pk] == A_EVALUER
    assert statuts[enfant.pk] == statuts[mineur_cjt.pk] == HORS_PLAN
    assert statuts[enfant_en_cours.pk] == StatutParcours.EN_EVALUATION


def test_demo_sans_enfant_a_evaluer():
    sortie = []
    demo_communes(echelle="petite", graine=2017, sortie=sortie.append)
    demo_comptes(echelle="petite", graine=2017, sortie=sortie.append)
    demo_beneficiaires(echelle="petite", graine=2017, sortie=sortie.append)
    assert Beneficiaire.objects.filter(role=Role.ENF).exists()
    assert not Beneficiaire.objects.filter(statut_parcours=A_EVALUER).exclude(role__in=[Role.DEM, Role.CJT]).exists()
    assert Beneficiaire.objects.filter(statut_parcours=A_EVALUER).exists()

"""Valeurs de référence datées : table complète 2017–2026 avec sources, règle de péremption (une seule fonction),
affichage là où un montant est calculé, accueil des administrateurs, `manage.py check`, part de mars 2026."""

import datetime
import importlib
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from contrats.bareme import Bareme, valeur_utilisee, valeurs_perimees
from contrats.checks import valeurs_de_reference_a_jour
from contrats.financement import echeancier_valeurs, engagements
from contrats.models import ContratAide, ParametreFinancier
from tests.beneficiaires.factories import BeneficiaireFactory

from .factories import ContratAideFactory

D = datetime.date
pytestmark = pytest.mark.django_db
SMIC, RSA = ParametreFinancier.Type.SMIC_HORAIRE, ParametreFinancier.Type.RSA_PERSONNE_SEULE

# La table de référence du domaine, 2017–2026.
DOMAINE = [
    (SMIC, D(2017, 1, 1), "9.76"),
    (SMIC, D(2018, 1, 1), "9.88"),
    (SMIC, D(2019, 1, 1), "10.03"),
    (SMIC, D(2020, 1, 1), "10.15"),
    (SMIC, D(2021, 1, 1), "10.25"),
    (SMIC, D(2021, 10, 1), "10.48"),
    (SMIC, D(2022, 1, 1), "10.57"),
    (SMIC, D(2022, 5, 1), "10.85"),
    (SMIC, D(2022, 8, 1), "11.07"),
    (SMIC, D(2023, 1, 1), "11.27"),
    (SMIC, D(2023, 5, 1), "11.52"),
    (SMIC, D(2024, 1, 1), "11.65"),
    (SMIC, D(2024, 11, 1), "11.88"),
    (SMIC, D(2025, 1, 1), "11.88"),
    (SMIC, D(2026, 1, 1), "12.02"),
    (RSA, D(2017, 4, 1), "536.78"),
    (RSA, D(2017, 9, 1), "545.48"),
    (RSA, D(2018, 4, 1), "550.93"),
    (RSA, D(2019, 4, 1), "559.74"),
    (RSA, D(2020, 4, 1), "564.78"),
    (RSA, D(2021, 4, 1), "565.34"),
    (RSA, D(2022, 4, 1), "575.52"),
    (RSA, D(2022, 7, 1), "598.54"),
    (RSA, D(2023, 4, 1), "607.75"),
    (RSA, D(2024, 4, 1), "635.71"),
    (RSA, D(2025, 4, 1), "646.52"),
]


def _table():
    return sorted(ParametreFinancier.objects.values_list("type", "date_effet", "montant"))


def test_la_migration_charge_toute_la_table_du_domaine_avec_ses_sources():
    assert _table() == sorted((t, d, Decimal(m)) for t, d, m in DOMAINE)
    assert not ParametreFinancier.objects.filter(source="").exists()
    assert ParametreFinancier.objects.get(type=SMIC, date_effet=D(2026, 1, 1)).source.startswith(
        "Décret n° 2025-1228 du 17 décembre 2025"
    )
    # Le RSA du 1er avril 2026 n'a pas pu être vérifié : pas de ligne, la valeur de 2025 est signalée.
    assert not ParametreFinancier.objects.filter(type=RSA, date_effet__year=2026).exists()


def test_la_migration_est_idempotente_sur_une_base_qui_s_arretait_en_2020():
    """Une base d'avant : lignes jusqu'en 2020 sans source, une valeur saisie à la main avec sa source."""
    ParametreFinancier.objects.filter(date_effet__gt=D(2020, 12, 31)).delete()
    ParametreFinancier.objects.filter(type=RSA, date_effet__gt=D(2017, 9, 1)).exclude(date_effet__year=2023).delete()
    ParametreFinancier.objects.update(source="")
    ParametreFinancier.objects.filter(type=SMIC, date_effet=D(2020, 1, 1)).update(source="Saisie locale")
    migration = importlib.import_module("contrats.migrations.0004_valeurs_legales_2017_2026")
    migration.charger(apps, None)
    migration.charger(apps, None)
    assert _table() == sorted((t, d, Decimal(m)) for t, d, m in DOMAINE)
    assert ParametreFinancier.objects.get(type=SMIC, date_effet=D(2020, 1, 1)).source == "Saisie locale"
    assert not ParametreFinancier.objects.filter(source="").exists()


def test_chaque_mois_apres_2020_utilise_son_smic_et_non_10_15():
    b = Bareme()
    assert b.smic(D(2021, 11, 1)) == Decimal("10.48")
    assert b.smic(D(2024, 12, 1)) == Decimal("11.88")
    assert b.smic(D(2026, 3, 1)) == Decimal("12.02")
    assert b.rsa(D(2022, 8, 1)) == Decimal("598.54")
    assert b.rsa(D(2024, 5, 1)) == Decimal("635.71")


@pytest.mark.parametrize(
    ("type_", "mois", "date_effet", "montant", "perimee"),
    [
        (RSA, D(2026, 12, 1), D(2025, 4, 1), "646.52", True),  # 01/04/2026 passé sans nouvelle ligne
        (RSA, D(2026, 4, 1), D(2025, 4, 1), "646.52", True),
        (RSA, D(2026, 3, 1), D(2025, 4, 1), "646.52", False),
        (RSA, D(2022, 6, 1), D(2022, 4, 1), "575.52", False),
        (SMIC, D(2026, 12, 1), D(2026, 1, 1), "12.02", False),
        (SMIC, D(2027, 3, 1), D(2026, 1, 1), "12.02", True),  # l'exemple du domaine
        (SMIC, D(2025, 6, 1), D(2025, 1, 1), "11.88", False),  # la ligne qui confirme une année sans hausse
        (SMIC, D(2024, 12, 1), D(2024, 11, 1), "11.88", False),
    ],
)
def test_une_seule_fonction_dit_la_ligne_utilisee_et_si_elle_peut_etre_perimee(
    type_, mois, date_effet, montant, perimee
):
    v = valeur_utilisee(type_, mois)
    assert (v.date_effet, v.montant, v.perimee) == (date_effet, Decimal(montant), perimee)
    assert v.source


def test_aujourd_hui_le_rsa_de_2025_est_signale_perime():
    perimees = valeurs_perimees(D(2026, 12, 6))
    assert [(v.type, v.date_effet, v.montant) for v in perimees] == [(RSA, D(2025, 4, 1), Decimal("646.52"))]
    assert "01/04/2026" in perimees[0].avertissement()
    # Une ligne ajoutée au 1er avril 2026 lève l'alerte.
    ParametreFinancier.objects.create(type=RSA, date_effet=D(2026, 4, 1), montant=Decimal("650.00"), source="Test")
    assert valeurs_perimees(D(2026, 12, 6)) == []


def test_manage_py_check_avertit_quand_une_valeur_d_aujourd_hui_est_perimee(monkeypatch):
    avertissements = valeurs_de_reference_a_jour()
    assert [a.id for a in avertissements] == ["contrats.W001"]
    assert "646,52\xa0€" in avertissements[0].msg and "01/04/2026" in avertissements[0].msg
    sortie = StringIO()
    call_command("check", stdout=sortie, stderr=sortie)
    assert "contrats.W001" in sortie.getvalue()
    ParametreFinancier.objects.create(type=RSA, date_effet=D(2026, 4, 1), montant=Decimal("650.00"), source="Test")
    assert valeurs_de_reference_a_jour() == []


def test_part_du_departement_mars_2026_20_heures_taux_60():
    """88 % du RSA forfaitaire de mars 2026 (646,52 €, en vigueur depuis le 01/04/2025) = 568,9376 → 568,94 €,
    dans la limite de l'aide due : 60 % x 12,02 € (SMIC 2026) x 20 h x 52 / 12 = 625,04 €."""
    (ligne,) = echeancier_valeurs(
        debut=D(2026, 3, 1), fin=D(2026, 3, 31), heures=Decimal("20"), taux_etat=Decimal("60"), bareme=Bareme()
    )
    assert (ligne.rsa, ligne.smic) == (Decimal("646.52"), Decimal("12.02"))
    assert ligne.part_rsa == Decimal("568.94")
    assert ligne.aide_due == Decimal("625.04")
    assert ligne.part_departement == Decimal("568.94")
    assert not ligne.plafonnee and not ligne.perimee


def test_la_fiche_du_contrat_dit_la_valeur_utilisee_et_qu_elle_peut_etre_perimee(client, referent, bassins):
    c = ContratAideFactory(
        beneficiaire=BeneficiaireFactory(commune=bassins["Orléans"].commune_test),
        date_debut=D(2026, 1, 1),
        date_fin=D(2026, 12, 31),
        referent=referent,
    )
    client.force_login(referent)
    r = client.get(c.get_absolute_url())
    html = r.content.decode()
    assert 'id="valeurs-perimees"' in html
    assert "646,52\xa0€" in html and "01/04/2026" in html and "de 04/2026 à 12/2026" in html
    lignes = {ligne.mois: ligne for ligne in r.context["echeancier"]}
    assert not lignes[D(2026, 3, 1)].perimee and lignes[D(2026, 4, 1)].perimee
    assert html.count("valeur peut-être périmée") == 9
    # Les valeurs utilisées et leurs sources sont dites.
    assert "Décret n° 2025-1228 du 17 décembre 2025" in html
    # Un contrat de 2018 : aucune valeur périmée.
    ancien = ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=bassins["Orléans"].commune_test))
    assert 'id="valeurs-perimees"' not in client.get(ancien.get_absolute_url()).content.decode()


def test_le_tableau_de_bord_dit_la_valeur_perimee_du_cofinancement(bassins):
    from tableau_de_bord.selecteurs import tableau_calculer

    ContratAideFactory(signe=True, date_debut=D(2026, 1, 1), date_fin=D(2026, 12, 31))
    t = tableau_calculer(
        debut=D(2026, 1, 1), fin=D(2026, 12, 31), bassins=list(bassins.values()), restreint=False, utiliser_cache=False
    )
    ind = t.indicateur("contrats_cofinancement_engage")
    assert "646,52\xa0€" in ind.description and "12,02\xa0€" in ind.description
    assert len(ind.avertissements) == 1 and "01/04/2026" in ind.avertissements[0]
    e = engagements(ContratAide.objects.all(), D(2026, 1, 1), D(2026, 12, 31))
    assert [(u.premier_mois, u.dernier_mois) for u in e.perimees] == [(D(2026, 4, 1), D(2026, 12, 1))]


def test_l_accueil_des_administrateurs_liste_les_valeurs_perimees(client, admin_user, referent):
    client.force_login(admin_user)
    html = client.get(reverse("accueil")).content.decode()
    assert "Valeur de référence peut-être périmée" in html and "646,52\xa0€" in html
    index = client.get(reverse("admin:index")).content.decode()
    assert "Valeur de référence peut-être périmée" in index and "01/04/2026" in index
    client.force_login(referent)
    assert "Valeur de référence peut-être périmée" not in client.get(reverse("accueil")).content.decode()


def test_l_admin_montre_et_modifie_la_source(client, admin_user):
    client.force_login(admin_user)
    liste = client.get(reverse("admin:contrats_parametrefinancier_changelist")).content.decode()
    assert "Décret n° 2025-1228 du 17 décembre 2025" in liste
    assert "Peut-être périmée" in liste
    r = client.post(
        reverse("admin:contrats_parametrefinancier_add"),
        {"type": RSA, "date_effet": "2026-04-01", "montant": "651.69", "source": "Décret de revalorisation (test)"},
    )
    assert r.status_code == 302
    p = ParametreFinancier.objects.get(type=RSA, date_effet=D(2026, 4, 1))
    assert p.source == "Décret de revalorisation (test)"
    assert p.history.first().history_user == admin_user
    r = client.post(
        reverse("admin:contrats_parametrefinancier_add"),
        {"type": RSA, "date_effet": "9999-04-01", "montant": "651.69", "source": "x"},
    )
    assert r.status_code == 200 and not ParametreFinancier.objects.filter(date_effet__year=9999).exists()

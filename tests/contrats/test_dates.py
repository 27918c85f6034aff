"""Dates absurdes refusées en français (service et formulaire) ; aucune page ne calcule des milliers de mois."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contrats import services
from contrats.financement import PeriodeTropLongue, echeancier_valeurs, engagements
from contrats.forms import ContratBrouillonForm
from contrats.models import ContratAide
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.referentiel.factories import StructureFactory

from .factories import ContratAideFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def personne(bassins):
    return BeneficiaireFactory(commune=bassins["Orléans"].commune_test, date_naissance=D(1990, 5, 1))


def _brouillon(personne, referent, **champs):
    return services.contrat_creer_brouillon(
        beneficiaire=personne,
        employeur=StructureFactory(commune_employeur=True),
        par=referent,
        intitule_poste="Agent d'accueil",
        **champs,
    )


def _message(exc, champ):
    return " ".join(exc.value.message_dict[champ])


def test_brouillon_finissant_le_31_12_9999_refuse_par_le_service(personne, referent):
    with pytest.raises(ValidationError) as exc:
        _brouillon(personne, referent, date_debut=D(2026, 1, 1), date_fin=D(9999, 12, 31))
    assert "31/12/9999" in _message(exc, "date_fin") and "entre 1900 et 2100" in _message(exc, "date_fin")
    assert not ContratAide.objects.exists()


def test_annee_0001_refusee(personne, referent):
    with pytest.raises(ValidationError) as exc:
        _brouillon(personne, referent, date_debut=D(1, 1, 1), date_fin=D(2026, 6, 30))
    assert "01/01/0001" in _message(exc, "date_debut")


def test_fin_avant_debut_refusee(personne, referent):
    with pytest.raises(ValidationError) as exc:
        _brouillon(personne, referent, date_debut=D(2026, 6, 1), date_fin=D(2026, 1, 1))
    assert "postérieure à la date de début" in _message(exc, "date_fin")


def test_plus_de_24_mois_sans_derogation_refuse_des_le_brouillon(personne, referent):
    with pytest.raises(ValidationError) as exc:
        _brouillon(personne, referent, date_debut=D(2026, 1, 1), date_fin=D(2028, 1, 1))
    assert "24 mois" in _message(exc, "date_fin")
    assert _brouillon(personne, referent, date_debut=D(2026, 1, 1), date_fin=D(2027, 12, 31)).pk


def test_60_mois_avec_derogation_acceptes_61_refuses(personne, referent):
    c = _brouillon(personne, referent, date_debut=D(2026, 1, 1), date_fin=D(2030, 12, 31), rqth=True)
    assert c.pk
    with pytest.raises(ValidationError) as exc:
        services.contrat_modifier_brouillon(contrat=c, par=referent, date_fin=D(2031, 1, 1))
    assert "60 mois" in _message(exc, "date_fin")


def test_le_formulaire_refuse_les_dates_absurdes_en_francais():
    for debut, fin, attendu in [
        ("2026-01-01", "9999-12-31", "entre 1900 et 2100"),
        ("2026-06-01", "2026-01-01", "postérieure à la date de début"),
        ("2026-01-01", "2031-06-30", "60 mois"),
    ]:
        form = ContratBrouillonForm(
            data={"intitule_poste": "Agent", "type": "pec", "date_debut": debut, "date_fin": fin},
        )
        assert not form.is_valid()
        assert attendu in " ".join(form.errors["date_fin"]), (debut, fin)


def test_la_page_refuse_un_brouillon_au_31_12_9999(client, referent, personne):
    employeur = StructureFactory(commune_employeur=True, commune=personne.commune)
    client.force_login(referent)
    r = client.post(
        reverse("contrats:creer") + f"?beneficiaire={personne.pk}",
        {
            "beneficiaire": personne.pk,
            "employeur": employeur.pk,
            "type": "pec",
            "intitule_poste": "Agent",
            "lieu_travail": personne.commune.pk,
            "date_debut": "2026-01-01",
            "date_fin": "9999-12-31",
            "heures_hebdomadaires": "20",
            "taux_aide_etat": "60",
            "referent": referent.pk,
        },
    )
    assert r.status_code == 200
    assert "entre 1900 et 2100" in " ".join(r.context["form"].errors["date_fin"])
    assert not ContratAide.objects.exists()


def test_un_ancien_brouillon_au_31_12_9999_s_affiche_sans_calculer_des_milliers_de_mois(
    client, referent, personne, django_assert_max_num_queries
):
    """Un brouillon enregistré avant la règle : la fiche s'ouvre, dit pourquoi l'échéancier manque."""
    c = ContratAideFactory(beneficiaire=personne, date_debut=D(2026, 1, 1), date_fin=D(9999, 12, 31))
    client.force_login(referent)
    with django_assert_max_num_queries(15):
        r = client.get(c.get_absolute_url())
    assert r.status_code == 200
    assert r.context["echeancier"] == []
    assert "plus de 61 mois" in r.context["echeancier_erreur"]
    assert 'id="echeancier-erreur"' in r.content.decode()


def test_les_calculs_eux_memes_sont_bornes():
    from contrats.bareme import Bareme

    with pytest.raises(PeriodeTropLongue):
        echeancier_valeurs(debut=D(2026, 1, 1), fin=D(9999, 12, 31), heures=20, taux_etat=60, bareme=Bareme())
    with pytest.raises(PeriodeTropLongue):
        engagements(ContratAide.objects.all(), D(1, 1, 1), D(9999, 12, 31))
    # 60 mois commencés en cours de mois : 61 mois civils, calculés.
    lignes = echeancier_valeurs(debut=D(2021, 1, 15), fin=D(2026, 1, 14), heures=20, taux_etat=60, bareme=Bareme())
    assert len(lignes) == 61


def test_la_liste_refuse_une_periode_absurde_sans_la_calculer(client, pilotage):
    client.force_login(pilotage)
    r = client.get(reverse("contrats:liste"), {"couvre_du": "0001-01-01", "couvre_au": "9999-12-31"})
    assert r.status_code == 200
    assert r.context["engagement"] is None
    assert "aucun total calculé" in r.context["engagement_erreur"]
    assert "dix ans au plus" in r.context["engagement_erreur"]


@pytest.mark.parametrize(
    "annee, refusee",
    [(1899, True), (1900, False), (2100, False), (2101, True)],
)
def test_valeur_de_reference_annees_1900_a_2100_bornes_comprises(annee, refusee):
    erreurs = services.parametre_financier_erreurs(date_effet=D(annee, 1, 1))
    assert bool(erreurs) is refusee
    if refusee:
        assert "entre 1900 et 2100" in erreurs["date_effet"]

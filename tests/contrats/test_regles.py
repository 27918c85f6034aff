"""Règles du contrat aidé que seule une mutation du code révélait sans test : chacune échoue ici si on la casse."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from contrats import services
from contrats.forms import ContratBrouillonForm, RenouvellementForm, employeurs_non_marchands
from contrats.models import HEURES_MAX, HEURES_MIN, TAUX_MAX, ContratAide, Derogation, Statut
from tests.beneficiaires.factories import BeneficiaireFactory, FoyerFactory
from tests.referentiel.factories import StructureFactory

from .factories import ContratAideFactory, EnveloppeFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def enveloppes():
    return [EnveloppeFactory(annee=annee, nombre_contrats=100) for annee in (2017, 2018, 2019)]


def _renouveler_sur_30_mois(beneficiaire):
    """Un premier contrat de 12 mois signé, puis un renouvellement de 18 mois (30 mois en tout) à partir du
    01/01/2019, signé : au-delà de 24 mois, seule une dérogation le permet."""
    premier = services.contrat_signer(
        contrat=ContratAideFactory(beneficiaire=beneficiaire, date_debut=D(2018, 1, 1), date_fin=D(2018, 12, 31)),
        par=None,
        date_signature=D(2018, 1, 1),
    )
    suite = services.contrat_renouveler(contrat=premier, par=None, date_fin=D(2020, 6, 30))
    return services.contrat_signer(contrat=suite, par=None, date_signature=D(2018, 12, 20))


# --- Dérogation jusqu'à 60 mois : 50 ans et plus, au RSA -------------------------------------------------


def test_cinquante_ans_le_jour_meme_du_debut_ouvre_la_derogation(enveloppes):
    # Né le 01/01/1969 : 50 ans exactement le 01/01/2019, début du renouvellement.
    personne = BeneficiaireFactory(date_naissance=D(1969, 1, 1))
    assert personne.age_le(D(2019, 1, 1)) == 50
    suite = _renouveler_sur_30_mois(personne)
    assert suite.derogation_duree == Derogation.SENIOR_RSA


def test_la_veille_de_ses_cinquante_ans_pas_de_derogation(enveloppes):
    with pytest.raises(ValidationError) as exc:
        _renouveler_sur_30_mois(BeneficiaireFactory(date_naissance=D(1969, 1, 2)))
    assert "24 mois" in exc.value.message_dict["date_fin"][0]


@pytest.mark.parametrize("etat_droit", [1, 5, 6])
def test_plus_de_cinquante_ans_hors_rsa_pas_de_derogation(enveloppes, etat_droit):
    foyer = FoyerFactory(etat_droit=etat_droit)
    senior = BeneficiaireFactory(date_naissance=D(1955, 3, 1), foyer=foyer, commune=foyer.commune)
    with pytest.raises(ValidationError) as exc:
        _renouveler_sur_30_mois(senior)
    assert "24 mois" in exc.value.message_dict["date_fin"][0]


@pytest.mark.parametrize("etat_droit", [2, 3, 4])
def test_plus_de_cinquante_ans_droit_ouvert_derogation(enveloppes, etat_droit):
    foyer = FoyerFactory(etat_droit=etat_droit)
    senior = BeneficiaireFactory(date_naissance=D(1955, 3, 1), foyer=foyer, commune=foyer.commune)
    assert _renouveler_sur_30_mois(senior).derogation_duree == Derogation.SENIOR_RSA


# --- Actions d'accompagnement et de formation : exigées à la signature ------------------------------------


@pytest.mark.parametrize("champ", ["actions_accompagnement", "actions_formation"])
@pytest.mark.parametrize("valeur", ["", "   "])
def test_signature_exige_les_actions_prevues(enveloppes, champ, valeur):
    contrat = ContratAideFactory(**{champ: valeur})
    with pytest.raises(ValidationError) as exc:
        services.contrat_signer(contrat=contrat, par=None, date_signature=contrat.date_debut)
    assert "actions" in exc.value.message_dict[champ][0]
    contrat.refresh_from_db()
    assert contrat.statut == Statut.BROUILLON


def test_un_brouillon_peut_attendre_ses_actions():
    assert ContratAideFactory(actions_accompagnement="", actions_formation="").pk


@pytest.mark.parametrize("champ", ["actions_accompagnement", "actions_formation"])
def test_la_base_refuse_une_convention_signee_sans_actions(champ):
    """Un script ou une requête qui contourne le service se heurte à la contrainte de la base."""
    contrat = ContratAideFactory(signe=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContratAide.objects.filter(pk=contrat.pk).update(**{champ: ""})
    contrat.__dict__[champ] = ""
    with pytest.raises(ValidationError) as exc:
        contrat.full_clean()
    assert "actions d'accompagnement et de formation" in " ".join(exc.value.messages)


# --- Bornes légales : une seule définition pour le service, la base et les formulaires -----------------


def test_bornes_des_formulaires_tirees_des_constantes():
    form = RenouvellementForm()
    assert form.fields["heures_hebdomadaires"].max_value == HEURES_MAX
    assert form.fields["taux_aide_etat"].max_value == TAUX_MAX
    assert str(HEURES_MIN) in form.fields["motif_heures_reduites"].label


@pytest.mark.parametrize(
    "champs",
    [
        {"heures_hebdomadaires": Decimal(HEURES_MAX) + Decimal("0.5")},
        {"taux_aide_etat": Decimal(TAUX_MAX) + Decimal("0.5")},
        {"heures_hebdomadaires": Decimal(HEURES_MIN) - Decimal("0.5"), "motif_heures_reduites": ""},
    ],
)
def test_la_base_applique_les_memes_bornes(champs):
    contrat = ContratAideFactory(signe=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContratAide.objects.filter(pk=contrat.pk).update(**champs)


def test_meme_borne_juste_dedans_acceptee_par_la_base():
    contrat = ContratAideFactory(signe=True)
    modifies = ContratAide.objects.filter(pk=contrat.pk).update(
        heures_hebdomadaires=Decimal(HEURES_MAX), taux_aide_etat=Decimal(TAUX_MAX)
    )
    assert modifies == 1
    contrat.refresh_from_db()
    assert (contrat.heures_hebdomadaires, contrat.taux_aide_etat) == (HEURES_MAX, TAUX_MAX)


# --- Employeur non marchand : le formulaire propose exactement ce que le service accepte ------------------


def test_le_formulaire_propose_les_employeurs_que_le_service_accepte(referent):
    candidats = [
        StructureFactory(commune_employeur=True),
        StructureFactory(entreprise=True),
        StructureFactory(prestataire=True),
        StructureFactory(),
    ]
    proposes = set(employeurs_non_marchands())
    assert proposes == set(ContratBrouillonForm().fields["employeur"].queryset)
    for structure in candidats:
        try:
            services.employeur_verifier(structure)
            accepte = True
        except ValidationError:
            accepte = False
        assert accepte == (structure in proposes), structure
    assert any(s in proposes for s in candidats) and not all(s in proposes for s in candidats)


def test_le_formulaire_a_les_champs_du_service():
    assert tuple(ContratBrouillonForm().fields) == ("employeur", *services.CHAMPS_BROUILLON)


# --- Administration : ni contournement des règles, ni enveloppe sous les conventions signées ---------------


def test_admin_ne_modifie_pas_une_convention_meme_brouillon(client, admin_user):
    brouillon = ContratAideFactory(heures_hebdomadaires=Decimal("20"))
    client.force_login(admin_user)
    r = client.post(
        reverse("admin:contrats_contrataide_change", args=[brouillon.pk]),
        {"employeur": StructureFactory(entreprise=True).pk, "heures_hebdomadaires": "40"},
    )
    assert r.status_code == 403
    assert client.get(reverse("admin:contrats_contrataide_change", args=[brouillon.pk])).status_code == 200
    brouillon.refresh_from_db()
    assert brouillon.heures_hebdomadaires == 20


def test_admin_enveloppe_passe_par_le_service_et_attribue(client, admin_user):
    client.force_login(admin_user)
    r = client.post(reverse("admin:contrats_enveloppe_add"), {"annee": 2030, "nombre_contrats": 12, "budget": "1000"})
    assert r.status_code == 302
    enveloppe = services.Enveloppe.objects.get(annee=2030)
    assert enveloppe.history.latest().history_user == admin_user


# --- Chevauchement des conventions d'une personne : bornes comprises, aussi dans la base -------------------


def test_le_service_refuse_un_contrat_qui_commence_le_jour_ou_l_autre_finit(enveloppes):
    personne = BeneficiaireFactory()
    ContratAideFactory(beneficiaire=personne, signe=True, date_debut=D(2018, 1, 1), date_fin=D(2018, 6, 30))
    suivant = ContratAideFactory(beneficiaire=personne, date_debut=D(2018, 6, 30), date_fin=D(2018, 12, 31))
    with pytest.raises(ValidationError) as exc:
        services.contrat_signer(contrat=suivant, par=None, date_signature=D(2018, 6, 1))
    assert "déjà un contrat" in exc.value.message_dict["date_debut"][0]
    lendemain = ContratAideFactory(beneficiaire=personne, date_debut=D(2018, 7, 1), date_fin=D(2018, 12, 31))
    assert services.contrat_signer(contrat=lendemain, par=None, date_signature=D(2018, 6, 1)).est_signe


@pytest.mark.postgres
def test_la_base_refuse_un_contrat_qui_commence_le_jour_ou_l_autre_finit(postgresql_requis):
    """Contrainte d'exclusion aux bornes comprises ('[]') : un contrat qui finit le 30/06 et un autre qui commence
    le 30/06 se chevauchent d'un jour ; le lendemain, non."""
    personne = BeneficiaireFactory()
    ContratAideFactory(beneficiaire=personne, signe=True, date_debut=D(2018, 1, 1), date_fin=D(2018, 6, 30))
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        ContratAideFactory(beneficiaire=personne, signe=True, date_debut=D(2018, 6, 30), date_fin=D(2018, 12, 31))
    assert "contrat_sans_chevauchement_pg" in str(exc.value)
    ContratAideFactory(beneficiaire=personne, signe=True, date_debut=D(2018, 7, 1), date_fin=D(2018, 12, 31))

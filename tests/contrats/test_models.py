import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contrats.models import ContratAide, Statut, ajouter_mois
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory

from .factories import ContratAideFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        ({"date_fin": D(2017, 12, 31)}, "date de fin doit être postérieure"),
        ({"heures_hebdomadaires": Decimal("0")}, "de 1 à 35 heures"),
        ({"heures_hebdomadaires": Decimal("36")}, "de 1 à 35 heures"),
        ({"taux_aide_etat": Decimal("96")}, "0 à 95 %"),
        ({"taux_aide_etat": Decimal("-1")}, "0 à 95 %"),
        ({"heures_hebdomadaires": Decimal("15"), "motif_heures_reduites": ""}, "difficultés particulières"),
        ({"date_signature": D(2018, 1, 2)}, "au plus tard le jour du début"),
        ({"numero_convention": ""}, "convention signée porte"),
        ({"statut": Statut.ROMPU}, "Un contrat rompu porte"),
        ({"date_rupture": D(2019, 1, 1), "motif_rupture": "cdi", "statut": Statut.ROMPU}, "comprise entre"),
    ],
)
def test_contraintes_en_base_avec_message_francais(champs, message):
    contrat = ContratAideFactory.build(
        beneficiaire=BeneficiaireFactory(), employeur=ContratAideFactory().employeur, referent=None, signe=True
    )
    contrat.lieu_travail = contrat.employeur.commune
    for nom, valeur in champs.items():
        setattr(contrat, nom, valeur)
    with pytest.raises(ValidationError) as exc:
        contrat.full_clean()
    assert message in " ".join(exc.value.messages)
    with pytest.raises(IntegrityError), transaction.atomic():
        contrat.save()


def test_numero_de_convention_unique():
    ContratAideFactory(signe=True, numero_convention="CAE-45-2018-00001")
    with pytest.raises(IntegrityError), transaction.atomic():
        ContratAideFactory(signe=True, numero_convention="CAE-45-2018-00001")


def test_brouillons_sans_numero_multiples():
    ContratAideFactory()
    ContratAideFactory()
    assert ContratAide.objects.filter(numero_convention="").count() == 2


def test_visibles_par(bassins, admin_user, pilotage, referent, agent_mobilite):
    orleans = ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=bassins["Orléans"].commune_test))
    gien = ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=bassins["Gien"].commune_test))
    assert set(ContratAide.objects.visibles_par(admin_user)) == {orleans, gien}
    assert set(ContratAide.objects.visibles_par(pilotage)) == {orleans, gien}
    assert list(ContratAide.objects.visibles_par(referent)) == [orleans]
    assert not ContratAide.objects.visibles_par(agent_mobilite).exists()
    assert not ContratAide.objects.visibles_par(UserFactory(prestataire=True)).exists()


def test_ajouter_mois_fin_de_mois():
    assert ajouter_mois(D(2018, 1, 31), 1) == D(2018, 2, 28)
    assert ajouter_mois(D(2017, 12, 15), 6) == D(2018, 6, 15)
    assert ajouter_mois(D(2018, 1, 1), 24) == D(2020, 1, 1)


def test_actifs_le_tient_compte_de_la_rupture():
    c = ContratAideFactory(signe=True, statut=Statut.ROMPU, date_rupture=D(2018, 3, 31), motif_rupture="autre")
    assert list(ContratAide.objects.actifs_le(D(2018, 3, 31))) == [c]
    assert not ContratAide.objects.actifs_le(D(2018, 4, 1)).exists()
    assert c.fin_aide == D(2018, 3, 31)

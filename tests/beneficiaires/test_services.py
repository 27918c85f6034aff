import datetime

import pytest
from django.core.exceptions import ValidationError

from beneficiaires import services
from beneficiaires.models import Beneficiaire, Evaluation, StatutParcours
from tests.beneficiaires.factories import BeneficiaireFactory, EvaluationFactory
from tests.comptes.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def personne(bassins, referent):
    return BeneficiaireFactory(commune=bassins["Orléans"].commune_test, referent=referent)


def test_creer_calcule_la_cle_de_recherche_et_cree_le_foyer(bassins, referent):
    b = services.beneficiaire_creer(
        par=referent,
        numero_allocataire="7654321",
        organisme="CAF",
        etat_droit=2,
        nom="Lefèvre",
        prenoms="Héloïse",
        date_naissance=datetime.date(1980, 1, 2),
        commune=bassins["Orléans"].commune_test,
        soumis_droits_devoirs=True,
    )
    assert b.recherche == "lefevre heloise 7654321"
    assert b.statut_parcours == StatutParcours.A_EVALUER
    assert b.foyer.numero_allocataire == "7654321"
    assert b.history.count() == 1


def test_creer_reutilise_le_foyer_existant(bassins, referent, personne):
    b = services.beneficiaire_creer(
        par=referent,
        numero_allocataire=personne.foyer.numero_allocataire,
        nom="Conjoint",
        prenoms="Karim",
        role="CJT",
        date_naissance=datetime.date(1980, 1, 2),
        commune=bassins["Orléans"].commune_test,
    )
    assert b.foyer_id == personne.foyer_id


def test_un_referent_ne_cree_pas_hors_de_ses_bassins(bassins, referent):
    with pytest.raises(ValidationError) as exc:
        services.beneficiaire_creer(
            par=referent,
            numero_allocataire="1",
            nom="X",
            prenoms="Y",
            date_naissance=datetime.date(1980, 1, 2),
            commune=bassins["Gien"].commune_test,
        )
    assert "commune" in exc.value.message_dict


def test_le_pilotage_ne_modifie_pas(personne, pilotage):
    with pytest.raises(ValidationError):
        services.beneficiaire_modifier(beneficiaire=personne, par=pilotage, telephone="0600000000")


def test_modifier_recalcule_la_recherche_et_trace_l_historique(personne, referent):
    services.beneficiaire_modifier(beneficiaire=personne, par=referent, nom="Éléonore")
    personne.refresh_from_db()
    assert personne.recherche.startswith("eleonore")
    assert personne.history.count() == 2


def test_modifier_l_etat_du_droit_du_foyer(personne, referent):
    services.beneficiaire_modifier(beneficiaire=personne, par=referent, etat_droit=5)
    personne.foyer.refresh_from_db()
    assert personne.foyer.etat_droit == 5


def test_archiver_ne_supprime_pas_et_refuse_deux_fois(personne, referent):
    services.beneficiaire_archiver(beneficiaire=personne, par=referent)
    personne.refresh_from_db()
    assert personne.statut_parcours == StatutParcours.ARCHIVE
    assert Beneficiaire.objects.filter(pk=personne.pk).exists()
    with pytest.raises(ValidationError, match="déjà archivée"):
        services.beneficiaire_archiver(beneficiaire=personne, par=referent)
    with pytest.raises(ValidationError, match="archivée"):
        services.beneficiaire_modifier(beneficiaire=personne, par=referent, telephone="0600000000")


def test_assigner_un_referent_du_bassin(personne, referent, admin_user):
    autre = UserFactory(referent=True, bassins=[personne.commune.bassin_emploi])
    services.beneficiaire_assigner_referent(beneficiaire=personne, referent=autre, par=admin_user)
    personne.refresh_from_db()
    assert personne.referent == autre


def test_assigner_refuse_un_referent_d_un_autre_bassin(personne, referent_gien, admin_user):
    with pytest.raises(ValidationError) as exc:
        services.beneficiaire_assigner_referent(beneficiaire=personne, referent=referent_gien, par=admin_user)
    assert "referent" in exc.value.message_dict


def test_assigner_refuse_un_compte_qui_n_est_pas_referent(personne, pilotage, admin_user):
    with pytest.raises(ValidationError):
        services.beneficiaire_assigner_referent(beneficiaire=personne, referent=pilotage, par=admin_user)


# --- Évaluations -----------------------------------------------------------------------------------------


def test_planifier_passe_a_evaluer_en_evaluation(personne, referent):
    e = services.evaluation_planifier(
        beneficiaire=personne, date=datetime.date(2030, 1, 1), evaluateur=referent, par=referent
    )
    personne.refresh_from_db()
    assert e.statut == Evaluation.Statut.PREVUE
    assert personne.statut_parcours == StatutParcours.EN_EVALUATION


def test_une_seule_evaluation_prevue_a_la_fois(personne, referent):
    services.evaluation_planifier(
        beneficiaire=personne, date=datetime.date(2030, 1, 1), evaluateur=referent, par=referent
    )
    with pytest.raises(ValidationError, match="déjà prévue"):
        services.evaluation_planifier(
            beneficiaire=personne, date=datetime.date(2030, 2, 1), evaluateur=referent, par=referent
        )


def test_pas_de_planification_pour_une_personne_archivee(personne, referent):
    services.beneficiaire_archiver(beneficiaire=personne, par=referent)
    with pytest.raises(ValidationError):
        services.evaluation_planifier(
            beneficiaire=personne, date=datetime.date(2030, 1, 1), evaluateur=referent, par=referent
        )


def test_realiser_met_en_parcours_et_devient_le_profil(personne, referent):
    prevue = services.evaluation_planifier(
        beneficiaire=personne, date=datetime.date(2017, 11, 1), evaluateur=referent, par=referent
    )
    e = services.evaluation_realiser(
        evaluation=prevue, par=referent, date=datetime.date(2017, 11, 2), frein_mobilite=2, permis_b=True
    )
    personne.refresh_from_db()
    assert e.statut == Evaluation.Statut.REALISEE
    assert personne.evaluation_courante == e
    assert personne.statut_parcours == StatutParcours.EN_PARCOURS
    assert personne.date_premiere_evaluation == datetime.date(2017, 11, 2)


def test_realiser_sans_planification_depuis_a_evaluer(personne, referent):
    e = services.evaluation_realiser(
        beneficiaire=personne, evaluateur=referent, par=referent, date=datetime.date(2017, 12, 1)
    )
    personne.refresh_from_db()
    assert personne.evaluation_courante == e
    assert personne.statut_parcours == StatutParcours.EN_PARCOURS


def test_l_evaluation_courante_est_la_plus_recente_pas_la_derniere_saisie(personne, referent):
    recente = services.evaluation_realiser(
        beneficiaire=personne, evaluateur=referent, par=referent, date=datetime.date(2018, 3, 1)
    )
    ancienne = services.evaluation_realiser(
        beneficiaire=personne, evaluateur=referent, par=referent, date=datetime.date(2017, 3, 1)
    )
    personne.refresh_from_db()
    assert personne.evaluation_courante == recente
    assert personne.date_premiere_evaluation == ancienne.date


def test_realiser_ne_touche_pas_un_statut_sorti(personne, referent):
    Beneficiaire.objects.filter(pk=personne.pk).update(statut_parcours=StatutParcours.SORTI)
    services.evaluation_realiser(
        beneficiaire=personne, evaluateur=referent, par=referent, date=datetime.date(2018, 1, 1)
    )
    personne.refresh_from_db()
    assert personne.statut_parcours == StatutParcours.SORTI


def test_realiser_refuse_une_date_future(personne, referent):
    with pytest.raises(ValidationError) as exc:
        services.evaluation_realiser(
            beneficiaire=personne, evaluateur=referent, par=referent, date=datetime.date(2999, 1, 1)
        )
    assert "date" in exc.value.message_dict


def test_realiser_refuse_plus_de_48_heures(personne, referent):
    with pytest.raises(ValidationError):
        services.evaluation_realiser(
            beneficiaire=personne,
            evaluateur=referent,
            par=referent,
            date=datetime.date(2018, 1, 1),
            heures_disponibles=49,
        )


def test_realiser_deux_fois_est_refuse(personne, referent):
    e = EvaluationFactory(beneficiaire=personne, evaluateur=referent)
    with pytest.raises(ValidationError, match="déjà"):
        services.evaluation_realiser(evaluation=e, par=referent, date=datetime.date(2018, 1, 1))


def test_l_evaluateur_doit_etre_referent_ou_administrateur(personne, referent, pilotage):
    with pytest.raises(ValidationError):
        services.evaluation_planifier(
            beneficiaire=personne, date=datetime.date(2030, 1, 1), evaluateur=pilotage, par=referent
        )


def test_annuler_ramene_a_evaluer(personne, referent):
    prevue = services.evaluation_planifier(
        beneficiaire=personne, date=datetime.date(2030, 1, 1), evaluateur=referent, par=referent
    )
    services.evaluation_annuler(evaluation=prevue, par=referent)
    prevue.refresh_from_db()
    personne.refresh_from_db()
    assert prevue.statut == Evaluation.Statut.ANNULEE
    assert personne.statut_parcours == StatutParcours.A_EVALUER


def test_annuler_une_evaluation_realisee_est_refuse(personne, referent):
    e = EvaluationFactory(beneficiaire=personne, evaluateur=referent)
    with pytest.raises(ValidationError, match="prévue"):
        services.evaluation_annuler(evaluation=e, par=referent)


def test_un_referent_d_un_autre_bassin_ne_planifie_pas(personne, referent_gien):
    with pytest.raises(ValidationError):
        services.evaluation_planifier(
            beneficiaire=personne, date=datetime.date(2030, 1, 1), evaluateur=referent_gien, par=referent_gien
        )

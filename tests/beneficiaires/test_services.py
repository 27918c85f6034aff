import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

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


def _inscrire_a_gien(referent_gien, bassins, numero, **foyer):
    return services.beneficiaire_creer(
        par=referent_gien,
        numero_allocataire=numero,
        nom="Intrus",
        prenoms="Paul",
        date_naissance=datetime.date(1980, 1, 2),
        commune=bassins["Gien"].commune_test,
        **foyer,
    )


@pytest.mark.parametrize(
    "foyer", [{"etat_droit": 5, "date_ouverture_droit": datetime.date(2026, 1, 1)}, {"etat_droit": 5}, {}]
)
def test_un_referent_ne_reprend_ni_ne_modifie_un_foyer_hors_de_son_perimetre(
    bassins, referent_gien, personne, monkeypatch, foyer
):
    """Gien inscrit une personne sous le numéro d'un foyer d'Orléans : même refus qu'un numéro inutilisable
    (rien n'apprend que le foyer existe), le foyer n'est ni modifié ni rattaché, sa date n'est pas recopiée."""
    foyer_orleans = personne.foyer
    appels = []
    monkeypatch.setattr(services, "foyer_modifier", lambda **kw: appels.append(kw))
    with pytest.raises(ValidationError) as hors_perimetre:
        _inscrire_a_gien(referent_gien, bassins, foyer_orleans.numero_allocataire, **foyer)
    with pytest.raises(ValidationError) as invalide:
        _inscrire_a_gien(referent_gien, bassins, "12/34#", **foyer)
    assert hors_perimetre.value.message_dict == invalide.value.message_dict
    assert hors_perimetre.value.message_dict == {"numero_allocataire": [services.NUMERO_INUTILISABLE]}
    assert appels == []
    etat_avant = (foyer_orleans.etat_droit, foyer_orleans.date_ouverture_droit)
    foyer_orleans.refresh_from_db()
    assert (foyer_orleans.etat_droit, foyer_orleans.date_ouverture_droit) == etat_avant
    assert foyer_orleans.history.count() == 1
    assert not Beneficiaire.objects.filter(nom="Intrus").exists()


def test_un_referent_reprend_un_foyer_qu_il_voit_par_l_un_de_ses_membres(bassins, referent_gien, personne):
    """Un foyer d'Orléans dont un membre vit à Gien est visible de Gien : il est repris."""
    BeneficiaireFactory(foyer=personne.foyer, commune=bassins["Gien"].commune_test)
    b = _inscrire_a_gien(referent_gien, bassins, personne.foyer.numero_allocataire, etat_droit=5)
    assert b.foyer_id == personne.foyer_id
    personne.foyer.refresh_from_db()
    assert personne.foyer.etat_droit == 5


def test_foyer_modifier_refuse_un_foyer_hors_perimetre(personne, referent_gien):
    with pytest.raises(ValidationError, match="ne peut pas être utilisé"):
        services.foyer_modifier(foyer=personne.foyer, par=referent_gien, etat_droit=5)
    personne.foyer.refresh_from_db()
    assert personne.foyer.etat_droit == 2


def test_le_numero_est_normalise_comme_a_l_import(bassins, referent, personne):
    numero = personne.foyer.numero_allocataire
    b = services.beneficiaire_creer(
        par=referent,
        numero_allocataire=f" {numero[:3]} {numero[3:]}-",
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
    assert personne.date_evaluation_courante == datetime.date(2017, 11, 2)  # tenue avec l'évaluation en vigueur


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
    assert personne.date_evaluation_courante == recente.date  # pas celle de la dernière saisie


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


# --- Évaluateur : un compte qui couvre la personne ---------------------------------------------------------


@pytest.fixture
def gienois(bassins, referent_gien):
    return BeneficiaireFactory(commune=bassins["Gien"].commune_test, referent=referent_gien)


def test_l_evaluateur_propose_couvre_le_bassin_de_la_personne(gienois, referent, referent_gien, admin_user):
    inactif = UserFactory(referent=True, bassins=[gienois.commune.bassin_emploi], is_active=False)
    possibles = set(services.evaluateurs_possibles(gienois))
    assert referent_gien in possibles and admin_user in possibles
    assert referent not in possibles and inactif not in possibles


def test_planifier_refuse_un_evaluateur_qui_ne_couvre_pas_la_personne(gienois, referent, referent_gien):
    with pytest.raises(ValidationError) as exc:
        services.evaluation_planifier(
            beneficiaire=gienois, date=datetime.date(2030, 1, 1), evaluateur=referent, par=referent_gien
        )
    assert "ne couvre pas le bassin" in exc.value.message_dict["evaluateur"][0]
    assert not gienois.evaluations.exists()


def test_realiser_refuse_un_evaluateur_qui_ne_couvre_pas_la_personne(gienois, referent, referent_gien, admin_user):
    with pytest.raises(ValidationError, match="ne couvre pas le bassin"):
        services.evaluation_realiser(
            beneficiaire=gienois, evaluateur=referent, par=referent_gien, date=datetime.date(2026, 11, 2)
        )
    prevue = services.evaluation_planifier(
        beneficiaire=gienois, date=datetime.date(2026, 11, 1), evaluateur=referent_gien, par=referent_gien
    )
    with pytest.raises(ValidationError, match="ne couvre pas le bassin"):
        services.evaluation_realiser(
            evaluation=prevue, evaluateur=referent, par=referent_gien, date=datetime.date(2026, 11, 2)
        )
    e = services.evaluation_realiser(
        evaluation=prevue, evaluateur=admin_user, par=referent_gien, date=datetime.date(2026, 11, 2)
    )
    assert e.evaluateur == admin_user


def test_pas_de_convocation_pour_un_rendez_vous_passe(referent, bassins):
    personne = BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    hier = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="rendez-vous dans le passé"):
        services.evaluation_planifier(
            beneficiaire=personne, date=hier, heure=datetime.time(10), lieu="Gien", evaluateur=referent, par=referent
        )
    assert not personne.evaluations.exists()
    # Pour mémoire, sans convocation, une date passée reste possible ; une convocation pour aujourd'hui aussi.
    services.evaluation_planifier(beneficiaire=personne, date=hier, evaluateur=referent, par=referent)


def test_migration_remplit_la_date_de_l_evaluation_en_vigueur(personne, referent):
    """Les personnes évaluées avant la date tenue sur elles la reçoivent de leur évaluation en vigueur."""
    import importlib

    from django.apps import apps

    e = services.evaluation_realiser(
        beneficiaire=personne, evaluateur=referent, par=referent, date=datetime.date(2026, 5, 4)
    )
    jamais = BeneficiaireFactory(commune=personne.commune)
    Beneficiaire.objects.update(date_evaluation_courante=None)
    importlib.import_module("beneficiaires.migrations.0013_date_evaluation_courante").remplir(apps, None)
    personne.refresh_from_db()
    jamais.refresh_from_db()
    assert personne.date_evaluation_courante == e.date and jamais.date_evaluation_courante is None

"""Une règle du CUI-CAE par test, avec ses bornes."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contrats import services
from contrats.models import ContratAide, Derogation, MotifRupture, Statut, TypeContrat
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.referentiel.factories import StructureFactory

from .factories import ContratAideFactory, EnveloppeFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def enveloppe():
    return EnveloppeFactory(annee=2017, nombre_contrats=100), EnveloppeFactory(annee=2018, nombre_contrats=100)


def signer(contrat, jour=None, par=None):
    return services.contrat_signer(
        contrat=contrat, par=par or contrat.referent, date_signature=jour or contrat.date_debut
    )


def erreurs(exc):
    return exc.value.message_dict if hasattr(exc.value, "error_dict") else {"__all__": exc.value.messages}


# --- Brouillon ------------------------------------------------------------------------------------------


def test_brouillon_minimal_deduit_type_lieu_et_referent(referent):
    benef = BeneficiaireFactory()
    employeur = StructureFactory(commune_employeur=True)
    c = services.contrat_creer_brouillon(
        beneficiaire=benef, employeur=employeur, par=referent, intitule_poste="Agent d'entretien"
    )
    assert c.statut == Statut.BROUILLON
    assert c.lieu_travail == employeur.commune
    assert c.referent == referent
    assert c.numero_convention == ""
    assert c.history.count() == 1


def test_brouillon_type_cui_cae_avant_2018_pec_ensuite(referent):
    benef, employeur = BeneficiaireFactory(), StructureFactory()
    avant = services.contrat_creer_brouillon(
        beneficiaire=benef, employeur=employeur, par=referent, intitule_poste="x", date_debut=D(2017, 12, 15)
    )
    apres = services.contrat_creer_brouillon(
        beneficiaire=benef, employeur=employeur, par=referent, intitule_poste="x", date_debut=D(2018, 1, 1)
    )
    assert avant.type == TypeContrat.CUI_CAE
    assert apres.type == TypeContrat.PEC


def test_brouillon_refuse_employeur_marchand(referent):
    with pytest.raises(ValidationError) as exc:
        services.contrat_creer_brouillon(
            beneficiaire=BeneficiaireFactory(),
            employeur=StructureFactory(entreprise=True),
            par=referent,
            intitule_poste="x",
        )
    assert "secteur marchand" in erreurs(exc)["employeur"][0]


def test_brouillon_refuse_un_champ_inconnu(referent):
    with pytest.raises(TypeError):
        services.contrat_creer_brouillon(
            beneficiaire=BeneficiaireFactory(), employeur=StructureFactory(), par=referent, salaire=3
        )


def test_un_champ_du_modele_hors_brouillon_est_refuse(referent):
    """Le statut, le numéro ou la sortie ne se posent que par leur service (signature, rupture) : les passer à la
    création ou à la modification d'un brouillon contournerait ses règles."""
    benef, employeur = BeneficiaireFactory(), StructureFactory()
    message = "Champs inconnus pour un contrat aidé : numero_convention, sortie_positive."
    with pytest.raises(TypeError, match=message):
        services.contrat_creer_brouillon(
            beneficiaire=benef,
            employeur=employeur,
            par=referent,
            intitule_poste="x",
            numero_convention="CAE-45-2017-00001",
            sortie_positive=True,
        )
    assert not ContratAide.objects.exists()
    c = ContratAideFactory()
    with pytest.raises(TypeError, match="statut"):
        services.contrat_modifier_brouillon(contrat=c, par=c.referent, statut=Statut.SIGNE)
    c.refresh_from_db()
    assert c.statut == Statut.BROUILLON


def test_modifier_brouillon_puis_refus_apres_signature(enveloppe):
    c = ContratAideFactory()
    services.contrat_modifier_brouillon(contrat=c, par=c.referent, intitule_poste="Agent polyvalent")
    c.refresh_from_db()
    assert c.intitule_poste == "Agent polyvalent"
    signer(c)
    with pytest.raises(ValidationError):
        services.contrat_modifier_brouillon(contrat=c, par=c.referent, intitule_poste="Autre")


# --- Signature : règles ---------------------------------------------------------------------------------


def test_signature_numerote_et_passe_a_signe(enveloppe, settings):
    settings.DEPARTEMENT_CODE = "45"
    c = signer(ContratAideFactory(type="cui_cae", date_debut=D(2017, 12, 4), date_fin=D(2018, 6, 3)), D(2017, 12, 1))
    assert c.statut == Statut.SIGNE
    assert c.numero_convention == "CAE-45-2017-00001"
    c2 = signer(ContratAideFactory(type="cui_cae", date_debut=D(2017, 12, 4), date_fin=D(2018, 6, 3)), D(2017, 12, 2))
    assert c2.numero_convention == "CAE-45-2017-00002"
    c3 = signer(ContratAideFactory(), D(2018, 1, 1))
    assert c3.numero_convention == "CAE-45-2018-00001"


def test_signature_refuse_employeur_marchand(enveloppe):
    c = ContratAideFactory()
    # L'employeur est devenu marchand après le brouillon (reclassement dans le référentiel).
    c.employeur.type, c.employeur.secteur = "entreprise", "marchand"
    c.employeur.save()
    with pytest.raises(ValidationError) as exc:
        signer(c)
    assert "secteur marchand" in erreurs(exc)["employeur"][0]


def test_signature_refuse_prestataire_meme_non_marchand(enveloppe):
    c = ContratAideFactory(employeur=StructureFactory(type="prestataire", secteur="non_marchand"))
    with pytest.raises(ValidationError):
        signer(c)


def test_cui_cae_jusqu_en_2017_pec_ensuite(enveloppe):
    with pytest.raises(ValidationError) as exc:
        signer(ContratAideFactory(type="cui_cae", date_debut=D(2018, 1, 2)), D(2018, 1, 1))
    # Le message dit lequel des deux cas : CUI-CAE signé depuis 2018, PEC signé avant.
    assert erreurs(exc)["type"][0].startswith("Depuis le 1er janvier 2018, les nouvelles conventions sont des PEC")
    with pytest.raises(ValidationError) as exc:
        signer(ContratAideFactory(type="pec", date_debut=D(2018, 1, 2)), D(2017, 12, 29))
    assert erreurs(exc)["type"][0].startswith("Le PEC n'existe qu'à partir du 1er janvier 2018")
    assert signer(ContratAideFactory(type="cui_cae", date_debut=D(2018, 1, 2)), D(2017, 12, 29)).est_signe


def test_six_mois_exactement_accepte(enveloppe):
    c = signer(ContratAideFactory(date_debut=D(2018, 1, 1), date_fin=D(2018, 6, 30)))
    assert c.statut == Statut.SIGNE


def test_moins_de_six_mois_refuse(enveloppe):
    with pytest.raises(ValidationError) as exc:
        signer(ContratAideFactory(date_debut=D(2018, 1, 1), date_fin=D(2018, 6, 29)))
    assert "au moins 6 mois" in erreurs(exc)["date_fin"][0]


def test_vingt_heures_exactement_accepte_sans_motif(enveloppe):
    c = signer(ContratAideFactory(heures_hebdomadaires=Decimal("20"), motif_heures_reduites=""))
    assert c.statut == Statut.SIGNE


def test_dix_neuf_heures_sans_motif_refuse(enveloppe):
    with pytest.raises(ValidationError) as exc:
        signer(ContratAideFactory(heures_hebdomadaires=Decimal("19"), motif_heures_reduites=""))
    assert "difficultés particulières" in erreurs(exc)["motif_heures_reduites"][0]


def test_dix_neuf_heures_avec_motif_accepte(enveloppe):
    c = signer(
        ContratAideFactory(heures_hebdomadaires=Decimal("19"), motif_heures_reduites="Reprise progressive (santé)")
    )
    assert c.statut == Statut.SIGNE


def test_trente_cinq_heures_accepte_au_dela_refuse(enveloppe):
    assert signer(ContratAideFactory(heures_hebdomadaires=Decimal("35"))).statut == Statut.SIGNE
    c = ContratAideFactory()
    with pytest.raises(ValidationError) as exc:
        services.contrat_modifier_brouillon(contrat=c, par=None, heures_hebdomadaires=Decimal("35.5"))
    assert "1 à 35 heures" in " ".join(exc.value.messages)
    # Même si la base l'avait laissé passer, la signature le refuserait.
    c.heures_hebdomadaires = Decimal("36")
    with pytest.raises(ValidationError) as exc:
        services.verifier_regles(c)
    assert "35 heures" in erreurs(exc)["heures_hebdomadaires"][0]


def test_taux_au_dela_de_95_refuse(enveloppe):
    c = ContratAideFactory()
    with pytest.raises(ValidationError) as exc:
        services.contrat_modifier_brouillon(contrat=c, par=None, taux_aide_etat=Decimal("95.5"))
    assert "95 %" in " ".join(exc.value.messages)
    assert services.contrat_modifier_brouillon(contrat=c, par=None, taux_aide_etat=Decimal("95")).taux_aide_etat == 95


def test_signature_exige_tuteur_et_referent(enveloppe):
    with pytest.raises(ValidationError) as exc:
        signer(ContratAideFactory(tuteur_nom="", referent=None), par=None)
    assert {"tuteur_nom", "referent"} <= set(erreurs(exc))


def test_signature_exige_les_dates(enveloppe):
    c = ContratAideFactory(date_fin=None)
    with pytest.raises(ValidationError) as exc:
        services.contrat_signer(contrat=c, par=c.referent, date_signature=D(2018, 1, 1))
    assert "date_fin" in erreurs(exc)


def test_signature_sans_date_rattachee_au_champ(enveloppe):
    c = ContratAideFactory()
    with pytest.raises(ValidationError) as exc:
        services.contrat_signer(contrat=c, par=c.referent, date_signature=None)
    assert erreurs(exc) == {"date_signature": ["Indiquez la date de signature."]}
    c.refresh_from_db()
    assert c.statut == Statut.BROUILLON


def test_signature_apres_le_debut_refusee(enveloppe):
    with pytest.raises(ValidationError) as exc:
        signer(ContratAideFactory(date_debut=D(2018, 1, 1)), D(2018, 1, 2))
    assert "date_signature" in erreurs(exc)


def test_double_signature_refusee(enveloppe):
    c = signer(ContratAideFactory())
    with pytest.raises(ValidationError):
        signer(c)


def test_chevauchement_avec_un_contrat_signe_refuse(enveloppe):
    benef = BeneficiaireFactory()
    signer(ContratAideFactory(beneficiaire=benef, date_debut=D(2018, 1, 1), date_fin=D(2018, 6, 30)))
    with pytest.raises(ValidationError) as exc:
        signer(ContratAideFactory(beneficiaire=benef, date_debut=D(2018, 6, 30), date_fin=D(2018, 12, 31)))
    assert "déjà un contrat" in erreurs(exc)["date_debut"][0]
    # Le lendemain de la fin : accepté.
    assert signer(ContratAideFactory(beneficiaire=benef, date_debut=D(2018, 7, 1), date_fin=D(2018, 12, 31))).est_signe


def test_chevauchement_apres_une_rupture_accepte(enveloppe):
    benef = BeneficiaireFactory()
    premier = signer(ContratAideFactory(beneficiaire=benef, date_debut=D(2018, 1, 1), date_fin=D(2018, 12, 31)))
    services.contrat_rompre(contrat=premier, par=None, date_rupture=D(2018, 3, 31), motif=MotifRupture.ACCORD_COMMUN)
    assert signer(ContratAideFactory(beneficiaire=benef, date_debut=D(2018, 4, 2), date_fin=D(2018, 10, 1))).est_signe


def test_un_brouillon_ne_bloque_pas(enveloppe):
    benef = BeneficiaireFactory()
    ContratAideFactory(beneficiaire=benef)
    assert signer(ContratAideFactory(beneficiaire=benef)).est_signe


# --- Enveloppe ------------------------------------------------------------------------------------------


def test_signature_au_dela_de_l_enveloppe_refusee():
    EnveloppeFactory(annee=2018, nombre_contrats=2)
    signer(ContratAideFactory())
    signer(ContratAideFactory())
    with pytest.raises(ValidationError) as exc:
        signer(ContratAideFactory())
    assert "épuisée" in erreurs(exc)["date_signature"][0]


def test_l_enveloppe_compte_par_annee_de_signature():
    EnveloppeFactory(annee=2017, nombre_contrats=1)
    EnveloppeFactory(annee=2018, nombre_contrats=1)
    signer(ContratAideFactory(type="cui_cae", date_debut=D(2018, 1, 1)), D(2017, 12, 20))
    assert signer(ContratAideFactory(date_debut=D(2018, 1, 2), date_fin=D(2018, 12, 31)), D(2018, 1, 2)).est_signe


def test_sans_enveloppe_pas_de_signature():
    with pytest.raises(ValidationError) as exc:
        signer(ContratAideFactory())
    assert "Aucune enveloppe" in erreurs(exc)["date_signature"][0]


def test_enveloppe_ne_descend_pas_sous_les_signes():
    EnveloppeFactory(annee=2018, nombre_contrats=5)
    signer(ContratAideFactory())
    signer(ContratAideFactory())
    with pytest.raises(ValidationError):
        services.enveloppe_definir(annee=2018, nombre_contrats=1, budget=Decimal("1000"))
    assert services.enveloppe_definir(annee=2018, nombre_contrats=2, budget=Decimal("1000")).nombre_contrats == 2


# --- Durée totale et renouvellements ---------------------------------------------------------------------


def _chaine(benef, fin_dernier, **kw):
    premier = signer(ContratAideFactory(beneficiaire=benef, date_debut=D(2018, 1, 1), date_fin=D(2018, 12, 31), **kw))
    return premier, services.contrat_renouveler(contrat=premier, par=None, date_fin=fin_dernier)


def test_renouvellement_lie_et_reprend_les_donnees(enveloppe):
    premier, second = _chaine(BeneficiaireFactory(), D(2019, 6, 30))
    assert second.contrat_precedent == premier
    assert second.date_debut == D(2019, 1, 1)
    assert second.statut == Statut.BROUILLON
    assert second.intitule_poste == premier.intitule_poste
    with pytest.raises(ValidationError):
        services.contrat_renouveler(contrat=premier, par=None, date_fin=D(2019, 12, 31))


def test_vingt_quatre_mois_exactement_acceptes(enveloppe):
    EnveloppeFactory(annee=2019)
    _premier, second = _chaine(BeneficiaireFactory(), D(2019, 12, 31))
    second = signer(second, D(2018, 12, 20))
    assert second.est_signe
    assert second.derogation_duree == ""


def test_la_duree_totale_compte_l_aide_jusqu_a_la_rupture():
    """Les 24 mois comptent les jours d'aide : un maillon rompu ne compte que jusqu'à sa rupture."""
    rompu = ContratAide(date_debut=D(2018, 1, 1), date_fin=D(2018, 12, 31), date_rupture=D(2018, 6, 30))
    suivant = ContratAide(date_debut=D(2019, 1, 1), date_fin=D(2020, 6, 30))
    # 181 jours d'aide puis 547 : 728 jours, sous les 730 du 01/01/2018 au 31/12/2019.
    assert not services.duree_totale_depasse([rompu, suivant], 24)
    rompu.date_rupture = None
    assert services.duree_totale_depasse([rompu, suivant], 24)


def test_vingt_cinquieme_mois_refuse(enveloppe):
    with pytest.raises(ValidationError) as exc:
        _chaine(BeneficiaireFactory(), D(2020, 1, 1))
    assert "24 mois" in erreurs(exc)["date_fin"][0]


def test_vingt_cinquieme_mois_refuse_aussi_a_la_signature(enveloppe):
    _premier, second = _chaine(BeneficiaireFactory(), D(2019, 12, 31))
    second.date_fin = D(2020, 1, 31)
    second.save()
    with pytest.raises(ValidationError) as exc:
        signer(second, D(2018, 12, 20))
    assert "24 mois" in erreurs(exc)["date_fin"][0]


def test_derogation_50_ans_au_rsa_jusqu_a_60_mois(enveloppe):
    senior = BeneficiaireFactory(date_naissance=D(1960, 1, 1))
    _premier, second = _chaine(senior, D(2022, 12, 31))
    second = signer(second, D(2018, 12, 20))
    assert second.derogation_duree == Derogation.SENIOR_RSA


def test_derogation_au_dela_de_60_mois_refusee(enveloppe):
    senior = BeneficiaireFactory(date_naissance=D(1960, 1, 1))
    with pytest.raises(ValidationError) as exc:
        _chaine(senior, D(2023, 1, 1))
    assert "60 mois" in erreurs(exc)["date_fin"][0]


def test_49_ans_pas_de_derogation(enveloppe):
    jeune = BeneficiaireFactory(date_naissance=D(1969, 1, 2))  # 49 ans au 01/01/2019
    with pytest.raises(ValidationError):
        _chaine(jeune, D(2020, 6, 30))


def test_derogation_rqth_et_formation(enveloppe):
    _p, rqth = _chaine(BeneficiaireFactory(), D(2020, 6, 30), rqth=True)
    assert signer(rqth, D(2018, 12, 20)).derogation_duree == Derogation.RQTH
    _p, formation = _chaine(BeneficiaireFactory(), D(2020, 6, 30), formation_a_achever=True)
    assert signer(formation, D(2018, 12, 20)).derogation_duree == Derogation.FORMATION


def test_contrat_rompu_non_renouvelable(enveloppe):
    c = signer(ContratAideFactory())
    services.contrat_rompre(contrat=c, par=None, date_rupture=D(2018, 3, 1), motif=MotifRupture.FAUTE_GRAVE)
    with pytest.raises(ValidationError):
        services.contrat_renouveler(contrat=c, par=None, date_fin=D(2019, 6, 30))


# --- Vie du contrat ---------------------------------------------------------------------------------------


def test_demarrer_puis_terminer(enveloppe):
    c = signer(ContratAideFactory())
    with pytest.raises(ValidationError):
        services.contrat_demarrer(contrat=c, par=None, jour=D(2017, 12, 31))
    c = services.contrat_demarrer(contrat=c, par=None, jour=D(2018, 1, 1))
    assert c.statut == Statut.EN_COURS
    with pytest.raises(ValidationError):
        services.contrat_terminer(contrat=c, par=None, jour=D(2018, 12, 30))
    c = services.contrat_terminer(contrat=c, par=None, jour=D(2018, 12, 31))
    assert c.statut == Statut.TERMINE


def test_demarrer_un_brouillon_refuse():
    with pytest.raises(ValidationError):
        services.contrat_demarrer(contrat=ContratAideFactory(), par=None, jour=D(2018, 2, 1))


def test_rupture_motif_obligatoire(enveloppe):
    c = signer(ContratAideFactory())
    with pytest.raises(ValidationError) as exc:
        services.contrat_rompre(contrat=c, par=None, date_rupture=D(2018, 3, 1), motif="")
    assert "motif_rupture" in erreurs(exc)
    with pytest.raises(ValidationError) as exc:
        services.contrat_rompre(contrat=c, par=None, date_rupture=D(2018, 3, 1), motif="demission")
    assert "motif_rupture" in erreurs(exc)


def test_rupture_hors_periode_refusee(enveloppe):
    c = signer(ContratAideFactory())
    with pytest.raises(ValidationError) as exc:
        services.contrat_rompre(contrat=c, par=None, date_rupture=D(2017, 12, 31), motif=MotifRupture.AUTRE)
    assert "date_rupture" in erreurs(exc)


def test_rupture_sans_date_rattachee_au_champ(enveloppe):
    c = signer(ContratAideFactory())
    with pytest.raises(ValidationError) as exc:
        services.contrat_rompre(contrat=c, par=None, date_rupture=None, motif=MotifRupture.AUTRE)
    assert erreurs(exc) == {"date_rupture": ["Indiquez la date de rupture."]}


def test_rupture_du_premier_jour_a_la_veille_de_la_fin(enveloppe):
    """Bornes de la rupture : dès le premier jour du contrat ; le jour de la fin prévue, le contrat se termine
    normalement (contrat_terminer), il ne se rompt pas."""
    le_jour_de_la_fin = signer(ContratAideFactory())  # du 01/01/2018 au 31/12/2018
    with pytest.raises(ValidationError) as exc:
        services.contrat_rompre(
            contrat=le_jour_de_la_fin, par=None, date_rupture=D(2018, 12, 31), motif=MotifRupture.AUTRE
        )
    assert "la veille de la fin prévue (31/12/2018)" in erreurs(exc)["date_rupture"][0]
    veille = services.contrat_rompre(
        contrat=le_jour_de_la_fin, par=None, date_rupture=D(2018, 12, 30), motif=MotifRupture.AUTRE
    )
    assert veille.fin_aide == D(2018, 12, 30)
    premier_jour = signer(ContratAideFactory())
    premier_jour = services.contrat_rompre(
        contrat=premier_jour, par=None, date_rupture=D(2018, 1, 1), motif=MotifRupture.PERIODE_ESSAI
    )
    assert premier_jour.statut == Statut.ROMPU and premier_jour.fin_aide == D(2018, 1, 1)


@pytest.mark.parametrize(
    ("motif", "positive"),
    [
        (MotifRupture.CDI, True),
        (MotifRupture.CDD_6_MOIS, True),
        (MotifRupture.FORMATION_QUALIFIANTE, True),
        (MotifRupture.FAUTE_GRAVE, False),
        (MotifRupture.FORCE_MAJEURE, False),
        (MotifRupture.INAPTITUDE, False),
        (MotifRupture.PERIODE_ESSAI, False),
        (MotifRupture.ACCORD_COMMUN, False),
        (MotifRupture.AUTRE, False),
    ],
)
def test_rupture_sortie_positive(enveloppe, motif, positive):
    c = signer(ContratAideFactory())
    c = services.contrat_rompre(contrat=c, par=None, date_rupture=D(2018, 5, 15), motif=motif)
    assert c.statut == Statut.ROMPU
    assert c.sortie_positive is positive
    assert c.fin_aide == D(2018, 5, 15)


def test_historique_attribue(enveloppe, referent):
    c = ContratAideFactory(referent=referent)
    signer(c, par=referent)
    derniere = ContratAide.history.filter(id=c.pk).order_by("-history_date").first()
    assert derniere.history_user == referent
    assert derniere.history_change_reason == "Convention signée"


def test_pas_de_prescription_a_une_personne_archivee(referent):
    with pytest.raises(ValidationError) as exc:
        services.contrat_creer_brouillon(
            beneficiaire=BeneficiaireFactory(statut_parcours="archive"),
            employeur=StructureFactory(),
            par=referent,
            intitule_poste="x",
        )
    assert "archivée" in exc.value.messages[0]

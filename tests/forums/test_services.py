import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from forums import services
from forums.models import Entretien, Forum, Participation, TypeContrat
from forums.selecteurs import bilan_forum
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.referentiel.factories import StructureFactory

from .factories import EntretienFactory, ExposantFactory, ForumFactory, OffreFactory, ParticipationFactory

S = Participation.Statut
JOUR = datetime.date(2018, 3, 15)

pytestmark = pytest.mark.django_db


@pytest.fixture
def par(admin_user):
    return admin_user


def personnes(n, commune=None):
    kwargs = {"commune": commune} if commune else {}
    return [BeneficiaireFactory(**kwargs) for _ in range(n)]


# ------------------------------------------------------------------------------ capacité, liste d'attente


def test_inscriptions_jamais_au_dela_de_la_capacite_le_reste_en_attente_dans_l_ordre(par):
    forum = ForumFactory(capacite=3)
    gens = personnes(6)
    resultats = [services.participation_inscrire(forum=forum, beneficiaire=b, par=par) for b in gens]
    assert [p.statut for p in resultats] == [S.INSCRIT] * 3 + [S.ATTENTE] * 3
    assert [p.rang_attente for p in resultats] == [None, None, None, 1, 2, 3]
    assert forum.participations.occupant_une_place().count() == 3


def test_la_capacite_compte_les_presents(par):
    forum = ForumFactory(capacite=2)
    ParticipationFactory(forum=forum, present=True)
    ParticipationFactory(forum=forum)
    p = services.participation_inscrire(forum=forum, beneficiaire=BeneficiaireFactory(), par=par)
    assert p.statut == S.ATTENTE


def test_inscription_refusee_si_inscriptions_fermees(par):
    for statut in (Forum.Statut.EN_PREPARATION, Forum.Statut.TENU, Forum.Statut.CLOS):
        forum = ForumFactory(statut=statut)
        with pytest.raises(ValidationError, match="inscriptions ne sont pas ouvertes"):
            services.participation_inscrire(forum=forum, beneficiaire=BeneficiaireFactory(), par=par)


def test_inscription_d_une_personne_invitee_reprend_sa_participation(par):
    forum = ForumFactory()
    b = BeneficiaireFactory()
    services.invitations_envoyer(forum=forum, beneficiaires=[b], par=par)
    p = services.participation_inscrire(forum=forum, beneficiaire=b, par=par)
    assert p.statut == S.INSCRIT
    assert p.date_invitation is not None
    assert Participation.objects.filter(forum=forum, beneficiaire=b).count() == 1


def test_double_inscription_refusee(par):
    forum = ForumFactory()
    b = BeneficiaireFactory()
    services.participation_inscrire(forum=forum, beneficiaire=b, par=par)
    with pytest.raises(ValidationError, match="déjà inscrit"):
        services.participation_inscrire(forum=forum, beneficiaire=b, par=par)


def test_annulation_promeut_le_premier_de_la_liste_d_attente_dans_l_ordre(par):
    forum = ForumFactory(capacite=2)
    a, b, c, d, e = personnes(5)
    pa = services.participation_inscrire(forum=forum, beneficiaire=a, par=par)
    pb = services.participation_inscrire(forum=forum, beneficiaire=b, par=par)
    pc = services.participation_inscrire(forum=forum, beneficiaire=c, par=par)
    pd = services.participation_inscrire(forum=forum, beneficiaire=d, par=par)
    pe = services.participation_inscrire(forum=forum, beneficiaire=e, par=par)
    assert (pc.rang_attente, pd.rang_attente, pe.rang_attente) == (1, 2, 3)

    annulee, promues = services.participation_annuler(participation=pb, par=par)
    assert annulee.statut == S.INVITE
    assert [p.pk for p in promues] == [pc.pk]
    pc.refresh_from_db()
    assert pc.statut == S.INSCRIT and pc.rang_attente is None

    _, promues = services.participation_excuser(participation=pa, par=par)
    assert [p.pk for p in promues] == [pd.pk]
    pa.refresh_from_db()
    pe.refresh_from_db()
    assert pa.statut == S.EXCUSE
    assert pe.statut == S.ATTENTE and pe.rang_attente == 3  # garde son rang : toujours le suivant
    assert forum.participations.occupant_une_place().count() == 2


def test_quitter_la_liste_d_attente_ne_promeut_personne_et_garde_l_ordre(par):
    forum = ForumFactory(capacite=1)
    a, b, c = personnes(3)
    services.participation_inscrire(forum=forum, beneficiaire=a, par=par)
    pb = services.participation_inscrire(forum=forum, beneficiaire=b, par=par)
    pc = services.participation_inscrire(forum=forum, beneficiaire=c, par=par)
    _, promues = services.participation_excuser(participation=pb, par=par)
    assert promues == []
    pc.refresh_from_db()
    assert pc.statut == S.ATTENTE
    # Une nouvelle inscription prend un rang après tous les autres, jamais un rang libéré.
    pd = services.participation_inscrire(forum=forum, beneficiaire=BeneficiaireFactory(), par=par)
    assert pd.rang_attente == 3


def test_annuler_depuis_un_statut_interdit(par):
    p = ParticipationFactory(invite=True)
    with pytest.raises(ValidationError, match="Impossible depuis le statut"):
        services.participation_annuler(participation=p, par=par)


def test_pas_de_promotion_quand_les_inscriptions_sont_fermees(par):
    forum = ForumFactory(capacite=1)
    a, b = personnes(2)
    pa = services.participation_inscrire(forum=forum, beneficiaire=a, par=par)
    pb = services.participation_inscrire(forum=forum, beneficiaire=b, par=par)
    services.forum_changer_statut(forum=forum, statut=Forum.Statut.EN_PREPARATION, par=par)
    _, promues = services.participation_excuser(participation=pa, par=par)
    assert promues == []
    # Réouverture des inscriptions : la place libre va au premier de la liste.
    services.forum_changer_statut(forum=forum, statut=Forum.Statut.INSCRIPTIONS_OUVERTES, par=par)
    pb.refresh_from_db()
    assert pb.statut == S.INSCRIT


def test_capacite_ne_descend_pas_sous_les_places_prises_et_sa_hausse_promeut(par):
    forum = ForumFactory(capacite=2)
    gens = personnes(4)
    ps = [services.participation_inscrire(forum=forum, beneficiaire=b, par=par) for b in gens]
    with pytest.raises(ValidationError) as e:
        services.forum_modifier(forum=forum, par=par, capacite=1)
    assert "capacite" in e.value.error_dict
    services.forum_modifier(forum=forum, par=par, capacite=3)
    ps[2].refresh_from_db()
    ps[3].refresh_from_db()
    assert ps[2].statut == S.INSCRIT
    assert ps[3].statut == S.ATTENTE


# ---------------------------------------------------------------------------------------- invitations


def test_invitations_jamais_deux_fois_la_meme_personne(par):
    forum = ForumFactory(en_preparation=True)
    gens = personnes(5)
    bilan = services.invitations_envoyer(forum=forum, beneficiaires=gens[:3], par=par)
    assert (bilan.invitees, bilan.deja_invitees) == (3, 0)
    bilan = services.invitations_envoyer(forum=forum, beneficiaires=gens + gens[:1], par=par)
    assert (bilan.invitees, bilan.deja_invitees) == (2, 3)
    assert forum.participations.count() == 5
    assert set(forum.participations.values_list("statut", flat=True)) == {S.INVITE}
    assert str(bilan) == "2 personnes invitées, 3 déjà invitées ou inscrites (ignorées)."


def test_invitation_ne_reinvite_pas_une_personne_inscrite(par):
    forum = ForumFactory()
    b = BeneficiaireFactory()
    services.participation_inscrire(forum=forum, beneficiaire=b, par=par)
    bilan = services.invitations_envoyer(forum=forum, beneficiaires=[b], par=par)
    assert bilan.invitees == 0
    assert Participation.objects.get(forum=forum, beneficiaire=b).statut == S.INSCRIT


def test_invitation_refusee_pour_un_forum_tenu(par):
    forum = ForumFactory(tenu=True)
    with pytest.raises(ValidationError, match="ne reçoit plus d'invitations"):
        services.invitations_envoyer(forum=forum, beneficiaires=personnes(1), par=par)


def test_invitation_historisee_et_attribuee(par):
    forum = ForumFactory()
    b = BeneficiaireFactory()
    services.invitations_envoyer(forum=forum, beneficiaires=[b], par=par)
    p = Participation.objects.get(forum=forum, beneficiaire=b)
    assert p.invite_par == par
    assert p.history.first().history_user == par


# ------------------------------------------------------------------------------------------- statuts


@pytest.mark.parametrize(
    "depart,arrivee,permis",
    [
        ("preparation", "inscriptions", True),
        ("preparation", "tenu", False),
        ("preparation", "clos", False),
        ("inscriptions", "preparation", True),
        ("inscriptions", "tenu", True),
        ("inscriptions", "clos", False),
        ("tenu", "clos", True),
        ("tenu", "inscriptions", False),
        ("tenu", "preparation", False),
        ("clos", "tenu", False),
        ("clos", "inscriptions", False),
        ("clos", "preparation", False),
    ],
)
def test_transitions_de_statut(par, depart, arrivee, permis):
    forum = ForumFactory(statut=depart, date=JOUR)
    if permis:
        forum = services.forum_changer_statut(forum=forum, statut=arrivee, par=par, jour=JOUR)
        assert Forum.objects.get(pk=forum.pk).statut == arrivee
    else:
        with pytest.raises(ValidationError, match="ne peut pas passer"):
            services.forum_changer_statut(forum=forum, statut=arrivee, par=par, jour=JOUR)
        assert Forum.objects.get(pk=forum.pk).statut == depart


def test_un_forum_n_est_pas_tenu_avant_sa_date(par):
    forum = ForumFactory(date=JOUR)
    with pytest.raises(ValidationError, match="ne peut pas être déclaré tenu avant"):
        services.forum_changer_statut(forum=forum, statut="tenu", par=par, jour=JOUR - datetime.timedelta(days=1))
    services.forum_changer_statut(forum=forum, statut="tenu", par=par, jour=JOUR)


def test_cloture_les_inscrits_non_pointes_deviennent_absents(par):
    forum = ForumFactory(tenu=True)
    inscrit = ParticipationFactory(forum=forum)
    present = ParticipationFactory(forum=forum, present=True)
    excuse = ParticipationFactory(forum=forum, excuse=True)
    services.forum_changer_statut(forum=forum, statut="clos", par=par)
    for p in (inscrit, present, excuse):
        p.refresh_from_db()
    assert (inscrit.statut, present.statut, excuse.statut) == (S.ABSENT, S.PRESENT, S.EXCUSE)
    assert inscrit.history.first().history_user == par


def test_forum_clos_ne_se_modifie_plus(par):
    forum = ForumFactory(clos=True)
    with pytest.raises(ValidationError, match="clos"):
        services.forum_modifier(forum=forum, par=par, titre="Autre")
    with pytest.raises(ValidationError, match="clos"):
        services.exposant_ajouter(forum=forum, structure=StructureFactory(), par=par)


def test_forum_creer_et_contraintes(par, bassins):
    forum = services.forum_creer(
        par=par,
        titre="Forum des métiers de la propreté",
        secteur="proprete",
        date=JOUR,
        heure_debut=datetime.time(9),
        heure_fin=datetime.time(17),
        adresse="Salle des fêtes",
        commune=bassins["Montargis"].commune_test,
        capacite=100,
    )
    assert forum.statut == Forum.Statut.EN_PREPARATION
    assert forum.bassin == bassins["Montargis"]
    with pytest.raises(ValidationError, match="L'heure de fin doit suivre"):
        services.forum_modifier(forum=forum, par=par, heure_fin=datetime.time(8))
    with pytest.raises(ValidationError, match="au moins une place"):
        services.forum_modifier(forum=forum, par=par, capacite=0)


# ------------------------------------------------------------------------------------ pointage, sur place


def test_pointage_seulement_le_jour_du_forum_ou_une_fois_tenu(par):
    forum = ForumFactory(date=JOUR)
    p = ParticipationFactory(forum=forum)
    with pytest.raises(ValidationError, match="pointage est ouvert"):
        services.participation_pointer(participation=p, par=par, jour=JOUR - datetime.timedelta(days=1))
    services.participation_pointer(participation=p, par=par, jour=JOUR)
    p.refresh_from_db()
    assert p.statut == S.PRESENT and p.date_pointage is not None
    with pytest.raises(ValidationError, match="déjà pointé"):
        services.participation_pointer(participation=p, par=par, jour=JOUR)
    # Une fois tenu, le pointage reste possible après la date (saisie de la feuille d'émargement).
    forum_tenu = ForumFactory(tenu=True, date=JOUR)
    p2 = ParticipationFactory(forum=forum_tenu)
    services.participation_pointer(participation=p2, par=par, jour=JOUR + datetime.timedelta(days=3))
    forum_clos = ForumFactory(clos=True, date=JOUR)
    p3 = ParticipationFactory(forum=forum_clos, absent=True)
    with pytest.raises(ValidationError, match="pointage est ouvert"):
        services.participation_pointer(participation=p3, par=par, jour=JOUR)


def test_pointer_une_personne_non_inscrite_demande_une_place(par):
    forum = ForumFactory(tenu=True, capacite=1)
    ParticipationFactory(forum=forum)
    invitee = ParticipationFactory(forum=forum, invite=True)
    with pytest.raises(ValidationError, match="complet"):
        services.participation_pointer(participation=invitee, par=par)


def test_venue_sans_inscription_comptee_dans_la_capacite(par):
    forum = ForumFactory(tenu=True, capacite=2)
    ParticipationFactory(forum=forum)
    p = services.participation_ajouter_sur_place(forum=forum, beneficiaire=BeneficiaireFactory(), par=par)
    assert p.statut == S.PRESENT and p.sur_place
    with pytest.raises(ValidationError, match="complet"):
        services.participation_ajouter_sur_place(forum=forum, beneficiaire=BeneficiaireFactory(), par=par)
    assert forum.participations.occupant_une_place().count() == 2


def test_venue_sans_inscription_d_une_personne_deja_invitee_la_pointe(par):
    forum = ForumFactory(tenu=True)
    invitee = ParticipationFactory(forum=forum, invite=True)
    p = services.participation_ajouter_sur_place(forum=forum, beneficiaire=invitee.beneficiaire, par=par)
    assert p.pk == invitee.pk and p.statut == S.PRESENT
    assert forum.participations.count() == 1


# ----------------------------------------------------------------------------------- entretiens, embauches


def test_entretiens_seulement_avec_des_presents_du_forum(par):
    forum = ForumFactory(tenu=True)
    exposant = ExposantFactory(forum=forum)
    present = ParticipationFactory(forum=forum, present=True)
    inscrit = ParticipationFactory(forum=forum)
    ailleurs = ParticipationFactory(present=True)
    with pytest.raises(ValidationError, match="présentes"):
        services.entretien_enregistrer(exposant=exposant, participations=[inscrit], par=par)
    with pytest.raises(ValidationError, match="même forum"):
        services.entretien_enregistrer(exposant=exposant, participations=[ailleurs], par=par)
    assert services.entretien_enregistrer(exposant=exposant, participations=[present], par=par) == (1, 0)
    assert services.entretien_enregistrer(exposant=exposant, participations=[present], par=par) == (0, 0)
    assert services.entretien_enregistrer(exposant=exposant, participations=[], par=par) == (0, 1)
    assert not Entretien.objects.exists()


def test_entretiens_ne_retire_que_dans_le_perimetre_montre(par):
    forum = ForumFactory(tenu=True)
    exposant = ExposantFactory(forum=forum)
    vu = ParticipationFactory(forum=forum, present=True)
    cache = EntretienFactory(participation__forum=forum, exposant=exposant).participation
    services.entretien_enregistrer(exposant=exposant, participations=[vu], parmi=[vu], par=par)
    assert set(Entretien.objects.values_list("participation_id", flat=True)) == {vu.pk, cache.pk}


def test_resultats_refuses_avant_le_forum_et_apres_cloture(par):
    for forum in (ForumFactory(en_preparation=True), ForumFactory(clos=True)):
        exposant = ExposantFactory(forum=forum)
        with pytest.raises(ValidationError, match="Les entretiens et embauches"):
            services.entretien_enregistrer(exposant=exposant, participations=[], par=par)


def test_embauche_par_un_exposant_du_forum_d_une_personne_presente(par):
    forum = ForumFactory(tenu=True)
    exposant = ExposantFactory(forum=forum)
    present = ParticipationFactory(forum=forum, present=True)
    with pytest.raises(ValidationError) as e:
        services.embauche_enregistrer(
            participation=present, exposant=ExposantFactory(), type_contrat="cdi", date_debut=JOUR, par=par
        )
    assert "exposant" in e.value.error_dict
    absent = ParticipationFactory(forum=forum, absent=True)
    with pytest.raises(ValidationError, match="présente"):
        services.embauche_enregistrer(
            participation=absent, exposant=exposant, type_contrat="cdi", date_debut=JOUR, par=par
        )
    r = services.embauche_enregistrer(
        participation=present, exposant=exposant, type_contrat="cdd_6_mois", date_debut=JOUR, par=par
    )
    assert r.contrat is None
    present.refresh_from_db()
    assert (present.embauche_par, present.embauche_type_contrat, present.embauche_date_debut) == (
        exposant,
        "cdd_6_mois",
        JOUR,
    )
    services.embauche_annuler(participation=present, par=par)
    present.refresh_from_db()
    assert present.embauche_par is None


def test_brouillon_de_contrat_suppose_un_contrat_aide(par):
    forum = ForumFactory(tenu=True)
    exposant = ExposantFactory(forum=forum)
    present = ParticipationFactory(forum=forum, present=True)
    with pytest.raises(ValidationError) as e:
        services.embauche_enregistrer(
            participation=present,
            exposant=exposant,
            type_contrat="cdi",
            date_debut=JOUR,
            par=par,
            creer_brouillon_contrat=True,
        )
    assert "creer_brouillon_contrat" in e.value.error_dict


def _service_contrats_disponible():
    try:
        from contrats.services import contrat_creer_brouillon  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _service_contrats_disponible(), reason="contrats.services.contrat_creer_brouillon absent")
def test_embauche_en_contrat_aide_prepare_un_brouillon_de_contrat(par):
    forum = ForumFactory(tenu=True, date=JOUR)
    commune_employeur = StructureFactory(commune_employeur=True)
    exposant = ExposantFactory(forum=forum, structure=commune_employeur)
    OffreFactory(exposant=exposant, intitule="Agent d'entretien des espaces publics", type_contrat="contrat_aide")
    present = ParticipationFactory(forum=forum, present=True)
    r = services.embauche_enregistrer(
        participation=present,
        exposant=exposant,
        type_contrat=TypeContrat.CONTRAT_AIDE,
        date_debut=JOUR + datetime.timedelta(days=15),
        par=par,
        creer_brouillon_contrat=True,
    )
    assert r.contrat is not None and r.contrat.pk
    assert r.contrat.beneficiaire == present.beneficiaire
    assert r.contrat.employeur == commune_employeur
    assert r.contrat.intitule_poste == "Agent d'entretien des espaces publics"


@pytest.mark.skipif(not _service_contrats_disponible(), reason="contrats.services.contrat_creer_brouillon absent")
def test_brouillon_refuse_pour_un_employeur_marchand_annule_aussi_l_embauche(par):
    forum = ForumFactory(tenu=True)
    exposant = ExposantFactory(forum=forum)  # entreprise : secteur marchand
    present = ParticipationFactory(forum=forum, present=True)
    with pytest.raises(ValidationError):
        services.embauche_enregistrer(
            participation=present,
            exposant=exposant,
            type_contrat=TypeContrat.CONTRAT_AIDE,
            date_debut=JOUR,
            par=par,
            creer_brouillon_contrat=True,
        )
    present.refresh_from_db()
    assert present.embauche_par is None


def test_brouillon_sans_application_contrats_est_une_erreur_de_champ(par, monkeypatch):
    monkeypatch.setattr(services, "_contrat_creer_brouillon", lambda: None)
    forum = ForumFactory(tenu=True)
    exposant = ExposantFactory(forum=forum)
    present = ParticipationFactory(forum=forum, present=True)
    with pytest.raises(ValidationError) as e:
        services.embauche_enregistrer(
            participation=present,
            exposant=exposant,
            type_contrat=TypeContrat.CONTRAT_AIDE,
            date_debut=JOUR,
            par=par,
            creer_brouillon_contrat=True,
        )
    assert "creer_brouillon_contrat" in e.value.error_dict


# ----------------------------------------------------------------------------------- bilan (arithmétique)


def test_bilan_du_forum(par):
    forum = ForumFactory(tenu=True, capacite=10)
    e1, e2 = ExposantFactory(forum=forum), ExposantFactory(forum=forum)
    OffreFactory(exposant=e1, nombre_postes=3)
    OffreFactory(exposant=e1, nombre_postes=2)
    OffreFactory(exposant=e2, nombre_postes=4)
    presents = [ParticipationFactory(forum=forum, present=True) for _ in range(4)]
    ParticipationFactory(forum=forum, present=True, sur_place=True, date_invitation=None, date_inscription=None)
    ParticipationFactory(forum=forum)  # inscrit non pointé
    ParticipationFactory(forum=forum, absent=True)
    ParticipationFactory(forum=forum, excuse=True)
    ParticipationFactory(forum=forum, invite=True)
    services.entretien_enregistrer(exposant=e1, participations=presents[:3], par=par)
    services.entretien_enregistrer(exposant=e2, participations=presents[:1], par=par)
    services.embauche_enregistrer(participation=presents[0], exposant=e1, type_contrat="cdi", date_debut=JOUR, par=par)

    b = bilan_forum(forum)
    assert b["participants"] == 9
    assert b["invites"] == 8  # toutes sauf la venue sans inscription
    assert b["inscrits"] == 6  # 4 présents inscrits + 1 inscrit + 1 absent
    assert b["presents"] == 5
    assert b["presents_inscrits"] == 4
    assert b["sur_place"] == 1
    assert b["places_prises"] == 6 and b["places_libres"] == 4
    assert b["taux_presence"] == Decimal("66.7")  # 4 / 6
    assert b["entretiens"] == 4 and b["personnes_entretien"] == 3
    assert b["embauches"] == 1
    assert b["embauches_pour_100"] == 20  # 1 / 5 x 100
    assert (b["offres"], b["postes"]) == (3, 9)


def test_bilan_d_un_forum_vide_sans_division_par_zero():
    b = bilan_forum(ForumFactory())
    assert b["taux_presence"] is None and b["embauches_pour_100"] is None and b["postes"] == 0

"""L'entrée du forum (tablette) : la capacité, c'est qui est dans la salle.

Le jour J, une personne en liste d'attente ou invitée entre quand une place est libre ; les inscrits pas encore
arrivés ne retiennent leur place que jusqu'au délai de retenue après l'heure de début (ou jusqu'à ce que
l'agent la libère) ; le premier de la liste d'attente est proposé d'abord ; un pointage s'annule, tracé."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from forums import services
from forums.models import Participation
from forums.selecteurs import etat_salle
from tests.beneficiaires.factories import BeneficiaireFactory

from .factories import EntretienFactory, ForumFactory, ParticipationFactory

S = Participation.Statut
JOUR = datetime.date(2018, 3, 15)
pytestmark = pytest.mark.django_db


def a(heure, minute=0, jour=JOUR):
    return timezone.make_aware(datetime.datetime.combine(jour, datetime.time(heure, minute)))


@pytest.fixture
def par(admin_user):
    return admin_user


@pytest.fixture
def salle():
    """3 places, 3 inscrits, 1 en liste d'attente, 1 invité ; le forum commence à 9h30, jour J."""
    forum = ForumFactory(capacite=3, date=JOUR, heure_debut=datetime.time(9, 30), delai_liberation=30)
    forum.inscrits = [ParticipationFactory(forum=forum) for _ in range(3)]
    forum.attente = ParticipationFactory(forum=forum, statut=S.ATTENTE, rang_attente=1)
    forum.invite = ParticipationFactory(forum=forum, invite=True)
    return forum


def test_avant_le_delai_les_inscrits_attendus_retiennent_leur_place(salle, par):
    services.participation_pointer(participation=salle.inscrits[0], par=par, quand=a(9, 35))
    with pytest.raises(ValidationError, match=r"2 inscrits pas encore arrivés retiennent leur place jusqu'à"):
        services.participation_pointer(participation=salle.attente, par=par, quand=a(9, 50))
    assert etat_salle(salle, a(9, 50))["places_libres"] == 0


def test_l_agent_libere_une_place_et_la_liste_d_attente_entre(salle, par):
    services.participation_pointer(participation=salle.inscrits[0], par=par, quand=a(9, 35))
    services.participation_liberer_place(participation=salle.inscrits[1], par=par, jour=JOUR)
    salle.inscrits[1].refresh_from_db()
    assert salle.inscrits[1].statut == S.ABSENT
    # Pas de promotion automatique le jour J : la place est libre à la porte, le premier de la liste est proposé.
    etat = etat_salle(salle, a(9, 50))
    assert etat["places_libres"] == 1 and etat["prochain_attente"] == salle.attente
    p = services.participation_pointer(participation=salle.attente, par=par, quand=a(9, 50))
    assert p.statut == S.PRESENT and p.rang_attente is None
    # La salle est pleine : l'invité attend ; l'historique dit qui a libéré la place.
    with pytest.raises(ValidationError, match="complet"):
        services.participation_pointer(participation=salle.invite, par=par, quand=a(9, 55))
    assert salle.inscrits[1].history.first().history_user == par


def test_passe_le_delai_un_invite_entre_et_les_inscrits_absents_ne_retiennent_plus(salle, par):
    services.participation_pointer(participation=salle.inscrits[0], par=par, quand=a(9, 35))
    etat = etat_salle(salle, a(10, 1))
    assert etat["retenues_expirees"] and etat["places_libres"] == 2
    p = services.participation_pointer(participation=salle.invite, par=par, quand=a(10, 1))
    assert p.statut == S.PRESENT
    assert {x.statut for x in Participation.objects.filter(pk__in=[i.pk for i in salle.inscrits[1:]])} == {S.ABSENT}
    # Un inscrit en retard entre encore s'il reste une place, puis la salle est pleine.
    services.participation_pointer(participation=salle.inscrits[1], par=par, quand=a(10, 20))
    with pytest.raises(ValidationError, match="complet"):
        services.participation_pointer(participation=salle.inscrits[2], par=par, quand=a(10, 30))
    assert salle.participations.occupant_une_place().count() == 3


def test_le_delai_vient_du_reglage_quand_le_forum_n_en_a_pas(par):
    forum = ForumFactory(capacite=1, date=JOUR, heure_debut=datetime.time(9, 30))
    ParticipationFactory(forum=forum)
    invite = ParticipationFactory(forum=forum, invite=True)
    with override_settings(FORUM_DELAI_LIBERATION_MINUTES=60):
        with pytest.raises(ValidationError, match="complet"):
            services.participation_pointer(participation=invite, par=par, quand=a(10, 15))
        services.participation_pointer(participation=invite, par=par, quand=a(10, 31))


def test_la_liberation_automatique_seulement_le_jour_du_forum(par):
    """Forum tenu, feuille d'émargement saisie après coup : un inscrit garde sa place."""
    forum = ForumFactory(tenu=True, capacite=1, date=JOUR)
    ParticipationFactory(forum=forum)
    invite = ParticipationFactory(forum=forum, invite=True)
    with pytest.raises(ValidationError, match="complet"):
        services.participation_pointer(participation=invite, par=par, quand=a(15, 0, JOUR + datetime.timedelta(days=2)))


def test_venue_sans_inscription_passe_le_delai(salle, par):
    p = services.participation_ajouter_sur_place(forum=salle, beneficiaire=BeneficiaireFactory(), par=par, quand=a(11))
    assert p.statut == S.PRESENT and p.sur_place


def test_liberer_seulement_un_inscrit(salle, par):
    with pytest.raises(ValidationError, match="Seule la place d'une personne inscrite"):
        services.participation_liberer_place(participation=salle.invite, par=par, jour=JOUR)
    with pytest.raises(ValidationError, match="pointage est ouvert"):
        veille = JOUR - datetime.timedelta(days=1)
        services.participation_liberer_place(participation=salle.inscrits[0], par=par, jour=veille)


def test_annuler_un_pointage_rend_le_statut_d_avant_et_se_trace(salle, par):
    services.participation_liberer_place(participation=salle.inscrits[2], par=par, jour=JOUR)
    services.participation_pointer(participation=salle.attente, par=par, quand=a(9, 40))
    services.participation_pointer(participation=salle.inscrits[0], par=par, quand=a(9, 41))
    p = services.participation_annuler_pointage(participation=salle.attente, par=par, jour=JOUR)
    assert p.statut == S.ATTENTE and p.rang_attente == 1 and p.date_pointage is None
    p = services.participation_annuler_pointage(participation=salle.inscrits[0], par=par, jour=JOUR)
    assert p.statut == S.INSCRIT
    assert p.history.first().history_user == par
    with pytest.raises(ValidationError, match="n'est pas pointé"):
        services.participation_annuler_pointage(participation=p, par=par, jour=JOUR)


def test_annuler_le_pointage_d_une_venue_sans_inscription_la_retire(salle, par):
    services.participation_liberer_place(participation=salle.inscrits[0], par=par, jour=JOUR)
    p = services.participation_ajouter_sur_place(
        forum=salle, beneficiaire=BeneficiaireFactory(), par=par, jour=JOUR, quand=a(9, 40)
    )
    pk = p.pk
    assert services.participation_annuler_pointage(participation=p, par=par, jour=JOUR) is None
    assert not Participation.objects.filter(pk=pk).exists()
    assert Participation.history.filter(id=pk, history_type="-").get().history_user == par


def test_annuler_un_pointage_refuse_si_entretien_saisi(par):
    e = EntretienFactory(participation__forum__date=JOUR)
    with pytest.raises(ValidationError, match="retirez-les d'abord"):
        services.participation_annuler_pointage(participation=e.participation, par=par, jour=JOUR)


def test_page_d_entree_propose_la_liste_d_attente_et_les_gestes(client, salle, admin_user):
    client.force_login(admin_user)
    aujourdhui = timezone.localdate()
    salle.date = aujourdhui
    salle.heure_debut = datetime.time(0, 0)
    salle.heure_fin = datetime.time(23, 59)
    salle.delai_liberation = 24 * 60 - 1  # retenues toute la journée
    salle.save()
    url = reverse("forums:pointage", args=[salle.pk])
    client.post(reverse("forums:pointer", args=[salle.pk, salle.inscrits[0].pk]), {"action": "pointer"})
    client.post(reverse("forums:pointer", args=[salle.pk, salle.inscrits[1].pk]), {"action": "liberer"})
    page = client.get(url).content.decode()
    assert "À proposer en premier (liste d'attente, rang 1)" in page and "Faire entrer" in page
    assert "Libérer sa place" in page and "Annuler le pointage" in page
    client.post(reverse("forums:pointer", args=[salle.pk, salle.attente.pk]), {"action": "pointer"})
    salle.attente.refresh_from_db()
    assert salle.attente.statut == S.PRESENT
    client.post(reverse("forums:pointer", args=[salle.pk, salle.attente.pk]), {"action": "annuler_pointage"})
    salle.attente.refresh_from_db()
    assert salle.attente.statut == S.ATTENTE

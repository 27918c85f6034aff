import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from forums.models import Exposant, OffreEmploi, Participation

from .factories import ExposantFactory, ForumFactory, ParticipationFactory

S = Participation.Statut
pytestmark = pytest.mark.django_db


def assert_viole(objet, message):
    with pytest.raises(ValidationError, match=message):
        objet.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        objet.save()


def test_une_seule_participation_par_personne_et_par_forum():
    p = ParticipationFactory()
    double = Participation(forum=p.forum, beneficiaire=p.beneficiaire, statut=S.INVITE)
    assert_viole(double, "figure déjà parmi les participants")


def test_rang_d_attente_si_et_seulement_si_en_attente():
    p = ParticipationFactory.build(forum=ForumFactory(), beneficiaire=ParticipationFactory().beneficiaire)
    p.statut, p.rang_attente = S.ATTENTE, None
    assert_viole(p, "Seule une personne en liste d'attente a un rang")
    p.statut, p.rang_attente = S.INSCRIT, 3
    assert_viole(p, "Seule une personne en liste d'attente a un rang")


def test_rang_d_attente_unique_par_forum():
    a = ParticipationFactory(statut=S.ATTENTE, rang_attente=1)
    b = ParticipationFactory.build(forum=a.forum, beneficiaire=ParticipationFactory().beneficiaire)
    b.statut, b.rang_attente = S.ATTENTE, 1
    assert_viole(b, "rang de la liste d'attente est déjà attribué")


def test_venue_sans_inscription_est_presente_et_pointee():
    p = ParticipationFactory.build(forum=ForumFactory(), beneficiaire=ParticipationFactory().beneficiaire)
    p.statut, p.sur_place = S.INSCRIT, True
    assert_viole(p, "venue sans inscription est présente")
    p.statut, p.sur_place, p.date_pointage = S.PRESENT, False, None
    assert_viole(p, "présente a une heure de pointage")


def test_embauche_complete_et_seulement_pour_un_present():
    forum = ForumFactory(tenu=True)
    e = ExposantFactory(forum=forum)
    p = ParticipationFactory.build(forum=forum, beneficiaire=ParticipationFactory().beneficiaire)
    p.statut, p.date_pointage, p.embauche_par = S.PRESENT, timezone.now(), e
    assert_viole(p, "Une embauche indique l'employeur, le type de contrat et la date")
    p.statut, p.embauche_type_contrat, p.embauche_date_debut = S.ABSENT, "cdi", datetime.date(2018, 4, 1)
    assert_viole(p, "Seule une personne présente au forum peut y être embauchée")


def test_forum_heures_et_capacite():
    f = ForumFactory.build(commune=ForumFactory().commune, heure_debut=datetime.time(14), heure_fin=datetime.time(9))
    assert_viole(f, "L'heure de fin doit suivre")
    f = ForumFactory.build(commune=ForumFactory().commune, capacite=0)
    assert_viole(f, "au moins une place")


def test_exposant_unique_par_forum_et_offre_au_moins_un_poste():
    e = ExposantFactory()
    assert_viole(Exposant(forum=e.forum, structure=e.structure), "expose déjà à ce forum")
    assert_viole(OffreEmploi(exposant=e, intitule="Agent", type_contrat="cdi", nombre_postes=0), "au moins un poste")


def test_participation_historisee():
    p = ParticipationFactory()
    p.statut = S.EXCUSE
    p.save()
    assert p.history.count() == 2
    assert str(p) == f"{p.beneficiaire} — {p.forum}"

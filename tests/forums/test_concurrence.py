"""Garanties sous concurrence réelle (PostgreSQL) : verrou de la ligne du forum."""

import pytest
from django.core.exceptions import ValidationError

from forums import services
from forums.models import Participation
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.concurrence import en_parallele

from .factories import ForumFactory, ParticipationFactory

S = Participation.Statut


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_inscriptions_simultanees_exactement_k_inscrits_le_reste_en_attente_dans_l_ordre(postgresql_requis):
    n, k = 20, 5
    par = UserFactory(administrateur=True)
    forum = ForumFactory(capacite=k)
    gens = [BeneficiaireFactory() for _ in range(n)]

    resultats = en_parallele(lambda i: services.participation_inscrire(forum=forum, beneficiaire=gens[i], par=par), n=n)

    erreurs = [r for r in resultats if isinstance(r, Exception)]
    assert erreurs == []
    inscrits = Participation.objects.filter(forum=forum, statut=S.INSCRIT)
    attente = list(Participation.objects.filter(forum=forum, statut=S.ATTENTE).order_by("rang_attente"))
    assert inscrits.count() == k
    assert len(attente) == n - k
    # Rangs 1..n-k sans trou ni doublon, attribués dans l'ordre où le verrou a été obtenu.
    assert [p.rang_attente for p in attente] == list(range(1, n - k + 1))
    horodatages = [p.date_inscription for p in attente]
    assert horodatages == sorted(horodatages)
    assert max(p.date_inscription for p in inscrits) <= attente[0].date_inscription


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_annulations_et_inscriptions_simultanees_ne_depassent_jamais_la_capacite(postgresql_requis):
    k = 4
    par = UserFactory(administrateur=True)
    forum = ForumFactory(capacite=k)
    inscrits = [ParticipationFactory(forum=forum) for _ in range(k)]
    nouveaux = [BeneficiaireFactory() for _ in range(8)]

    def travail(i):
        if i < len(inscrits):
            return services.participation_excuser(participation=inscrits[i], par=par)
        return services.participation_inscrire(forum=forum, beneficiaire=nouveaux[i - len(inscrits)], par=par)

    resultats = en_parallele(travail, n=len(inscrits) + len(nouveaux))
    assert [r for r in resultats if isinstance(r, Exception)] == []
    assert Participation.objects.filter(forum=forum).occupant_une_place().count() == k
    assert Participation.objects.filter(forum=forum, statut=S.ATTENTE).count() == len(nouveaux) - k


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_invitations_simultanees_des_memes_personnes_sans_doublon(postgresql_requis):
    par = UserFactory(administrateur=True)
    forum = ForumFactory()
    gens = [BeneficiaireFactory() for _ in range(10)]

    resultats = en_parallele(lambda i: services.invitations_envoyer(forum=forum, beneficiaires=gens, par=par), n=6)

    assert [r for r in resultats if isinstance(r, Exception | ValidationError)] == []
    assert sum(r.invitees for r in resultats) == 10
    assert Participation.objects.filter(forum=forum).count() == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_venues_sans_inscription_simultanees_dans_la_limite_des_places(postgresql_requis):
    par = UserFactory(administrateur=True)
    forum = ForumFactory(tenu=True, capacite=3)
    gens = [BeneficiaireFactory() for _ in range(10)]

    resultats = en_parallele(
        lambda i: services.participation_ajouter_sur_place(forum=forum, beneficiaire=gens[i], par=par), n=10
    )

    assert sum(1 for r in resultats if not isinstance(r, Exception)) == 3
    assert all(isinstance(r, ValidationError) for r in resultats if isinstance(r, Exception))
    assert Participation.objects.filter(forum=forum, statut=S.PRESENT).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_porte_passe_le_delai_invites_simultanes_dans_la_limite_des_places(postgresql_requis):
    """Jour J, délai de retenue passé : 3 inscrits pas arrivés, 8 invités pointés en même temps ;
    exactement 3 entrent, les inscrits passent absents une seule fois."""
    import datetime

    from django.utils import timezone

    par = UserFactory(administrateur=True)
    jour = datetime.date(2018, 3, 15)
    forum = ForumFactory(capacite=3, date=jour, heure_debut=datetime.time(9, 30), delai_liberation=10)
    inscrits = [ParticipationFactory(forum=forum) for _ in range(3)]
    invites = [ParticipationFactory(forum=forum, invite=True) for _ in range(8)]
    quand = timezone.make_aware(datetime.datetime.combine(jour, datetime.time(11)))

    resultats = en_parallele(
        lambda i: services.participation_pointer(participation=invites[i], par=par, quand=quand), n=8
    )

    assert sum(1 for r in resultats if not isinstance(r, Exception)) == 3
    assert all(isinstance(r, ValidationError) for r in resultats if isinstance(r, Exception))
    assert Participation.objects.filter(forum=forum, statut=S.PRESENT).count() == 3
    assert Participation.objects.filter(pk__in=[p.pk for p in inscrits], statut=S.ABSENT).count() == 3
    assert Participation.objects.filter(forum=forum).occupant_une_place().count() == 3

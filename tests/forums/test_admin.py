import datetime

import pytest
from django.urls import reverse

from forums.models import Forum

from .factories import EntretienFactory, ForumFactory, OffreFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


def test_pages_d_administration(client, admin_user):
    forum = ForumFactory()
    OffreFactory(exposant__forum=forum)
    p = ParticipationFactory(forum=forum)
    EntretienFactory()
    client.force_login(admin_user)
    for modele in ("forum", "exposant", "offreemploi", "participation", "entretien"):
        assert client.get(reverse(f"admin:forums_{modele}_changelist")).status_code == 200, modele
    assert client.get(reverse("admin:forums_forum_change", args=[forum.pk])).status_code == 200
    assert client.get(reverse("admin:forums_participation_change", args=[p.pk])).status_code == 200
    assert client.get(reverse("admin:forums_participation_history", args=[p.pk])).status_code == 200


def test_creation_par_l_admin_passe_par_le_service(client, admin_user, bassins):
    client.force_login(admin_user)
    reponse = client.post(
        reverse("admin:forums_forum_add"),
        {
            "titre": "Forum des métiers de la propreté",
            "secteur": "proprete",
            "date": "15/03/2018",
            "heure_debut": "09:30",
            "heure_fin": "16:30",
            "adresse": "Salle des fêtes",
            "commune": bassins["Montargis"].commune_test.pk,
            "capacite": 100,
            "description": "",
            "exposants-TOTAL_FORMS": "0",
            "exposants-INITIAL_FORMS": "0",
        },
    )
    assert reponse.status_code == 302, reponse.content.decode()[:2000]
    forum = Forum.objects.get()
    assert forum.cree_par == admin_user and forum.statut == Forum.Statut.EN_PREPARATION


def test_action_d_administration_changer_de_statut(client, admin_user):
    forum = ForumFactory(en_preparation=True, date=datetime.date(2018, 3, 15))
    client.force_login(admin_user)
    client.post(
        reverse("admin:forums_forum_changelist"),
        {"action": "ouvrir_inscriptions", "_selected_action": [forum.pk]},
    )
    forum.refresh_from_db()
    assert forum.statut == Forum.Statut.INSCRIPTIONS_OUVERTES
    client.post(reverse("admin:forums_forum_changelist"), {"action": "clore", "_selected_action": [forum.pk]})
    forum.refresh_from_db()
    assert forum.statut == Forum.Statut.INSCRIPTIONS_OUVERTES  # transition refusée, message d'erreur

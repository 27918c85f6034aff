"""Chaque ouverture de la fiche d'une personne est journalisée (qui, quand), sans nom dans le journal ; une
fiche refusée (hors périmètre) ne laisse pas d'entrée au nom de la personne."""

import pytest
from django.urls import reverse

from comptes.models import JournalConsultation
from tests.securite import monde as M


@pytest.mark.django_db
def test_ouvrir_la_fiche_journalise_la_consultation(client, bassins):
    m = M.construire(bassins)
    url = reverse("beneficiaires:detail", args=[m.personne.pk])
    for role in ("administrateur", "pilotage", "referent", "prestataire"):
        client.force_login(m.users[role])
        assert client.get(url).status_code == 200
    entrees = list(JournalConsultation.objects.pour(m.personne).order_by("date", "pk"))
    assert [e.utilisateur for e in entrees] == [m.users[r] for r in ("administrateur", "pilotage", "referent",
                                                                      "prestataire")]  # fmt: skip
    assert all("Personne-Orleans" not in e.libelle for e in entrees)
    for role in ("referent_autre", "prestataire_autre", "agent_mobilite"):
        client.force_login(m.users[role])
        assert client.get(url).status_code in (403, 404)
    assert JournalConsultation.objects.pour(m.personne).count() == 4

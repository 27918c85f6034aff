"""Portefeuilles par bassin et réaffectation en masse : comptes, périmètre, règles, historique et fil."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from beneficiaires.models import StatutParcours
from beneficiaires.services import beneficiaires_reaffecter
from beneficiaires.timeline import evenements
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory

JOUR = timezone.localdate()


@pytest.fixture
def orleans(bassins):
    return bassins["Orléans"]


@pytest.fixture
def collegue(orleans):
    return UserFactory(referent=True, bassins=[orleans], last_name="Collègue")


def personne(bassin, **champs):
    return BeneficiaireFactory(commune=bassin.commune_test, **champs)


def test_page_du_bassin_compte_par_referent(client, referent, collegue, orleans, bassins):
    personne(orleans, referent=referent, date_orientation=JOUR - datetime.timedelta(days=40))
    personne(orleans, referent=referent, date_orientation=JOUR - datetime.timedelta(days=5))
    personne(orleans, referent=referent, statut_parcours=StatutParcours.EN_PARCOURS)
    personne(orleans, referent=referent, statut_parcours=StatutParcours.ARCHIVE)  # n'est plus suivie
    personne(bassins["Gien"], referent=referent)  # hors du bassin : comptée ailleurs
    personne(orleans)
    client.force_login(referent)
    reponse = client.get(reverse("beneficiaires:portefeuille", args=[orleans.pk]))
    assert reponse.status_code == 200
    lignes = {r.pk: (r.suivies, r.a_evaluer, r.en_retard) for r in reponse.context["portefeuilles"]}
    assert lignes == {referent.pk: (3, 2, 1), collegue.pk: (0, 0, 0)}
    assert reponse.context["sans_referent"] == 1


def test_un_referent_ne_voit_pas_le_bassin_d_un_autre(client, referent, bassins):
    client.force_login(referent)
    assert client.get(reverse("beneficiaires:portefeuille", args=[bassins["Gien"].pk])).status_code == 404


def test_reaffecter_depuis_la_page(client, referent, collegue, orleans):
    a, b, c = (personne(orleans, referent=referent) for _ in range(3))
    client.force_login(referent)
    url = reverse("beneficiaires:portefeuille", args=[orleans.pk]) + f"?referent={referent.pk}"
    assert {p.pk for p in client.get(url).context["personnes"]} == {a.pk, b.pk, c.pk}
    reponse = client.post(url, {"beneficiaires": [a.pk, b.pk], "referent": collegue.pk})
    assert reponse.status_code == 302
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert (a.referent, b.referent, c.referent) == (collegue, collegue, referent)
    # Tracé : une version d'historique par personne, avec l'auteur, et l'événement dans le fil.
    version = a.history.first()
    assert version.history_user == referent and "Réaffectation" in version.history_change_reason
    assert f"Référent désigné : {collegue}" in [e.titre for e in evenements(a, referent)]


def test_reaffecter_refuse_un_referent_d_un_autre_bassin(referent, referent_gien, orleans):
    a = personne(orleans, referent=referent)
    with pytest.raises(ValidationError) as erreur:
        beneficiaires_reaffecter(beneficiaires=[a], referent=referent_gien, par=referent)
    assert "ne suit pas le bassin" in str(erreur.value)
    a.refresh_from_db()
    assert a.referent == referent


def test_reaffecter_refuse_une_personne_hors_perimetre(referent, referent_gien, bassins, orleans, collegue):
    chez_moi = personne(orleans, referent=referent)
    ailleurs = personne(bassins["Gien"], referent=referent_gien)
    with pytest.raises(ValidationError):
        beneficiaires_reaffecter(beneficiaires=[chez_moi, ailleurs], referent=collegue, par=referent)
    chez_moi.refresh_from_db()
    assert chez_moi.referent == referent  # tout ou rien


def test_la_page_refuse_une_personne_hors_liste(client, referent, collegue, orleans, bassins):
    ailleurs = personne(bassins["Gien"])
    client.force_login(referent)
    url = reverse("beneficiaires:portefeuille", args=[orleans.pk]) + "?referent=aucun"
    reponse = client.post(url, {"beneficiaires": [ailleurs.pk], "referent": collegue.pk})
    assert reponse.status_code == 200 and "beneficiaires" in reponse.context["form"].errors
    ailleurs.refresh_from_db()
    assert ailleurs.referent is None


def test_le_pilotage_consulte_sans_reaffecter(client, pilotage, referent, collegue, orleans):
    a = personne(orleans, referent=referent)
    client.force_login(pilotage)
    url = reverse("beneficiaires:portefeuille", args=[orleans.pk]) + f"?referent={referent.pk}"
    assert client.get(url).status_code == 200
    assert client.post(url, {"beneficiaires": [a.pk], "referent": collegue.pk}).status_code == 403


def test_requetes_constantes(client, referent, orleans, django_assert_max_num_queries):
    client.force_login(referent)
    url = reverse("beneficiaires:portefeuille", args=[orleans.pk]) + f"?referent={referent.pk}"
    for _ in range(3):
        personne(orleans, referent=referent)
    with django_assert_max_num_queries(30) as peu:
        assert client.get(url).status_code == 200
    for _ in range(60):
        personne(orleans, referent=UserFactory(referent=True, bassins=[orleans]))
        personne(orleans, referent=referent)
    with django_assert_max_num_queries(len(peu.captured_queries)):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("valeur", ["99999999999999999999", "abc", "-1", "\x00"])
def test_referent_d_url_hostile_ignore(client, referent, orleans, valeur):
    client.force_login(referent)
    reponse = client.get(reverse("beneficiaires:portefeuille", args=[orleans.pk]), {"referent": valeur})
    assert reponse.status_code == 200 and reponse.context["personnes"] == []

"""Réaffecter depuis la liste des bénéficiaires : cocher des personnes, choisir « Réaffecter à », une action.
Seuls les rôles qui réaffectent voient les cases ; seuls les référents de leurs bassins sont proposés ; une personne
hors périmètre ou un référent hors bassin : refus, rien d'écrit ; chaque personne garde la trace (historique, fil)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from beneficiaires.timeline import evenements
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory

LISTE = reverse("beneficiaires:liste")
REAFFECTER = reverse("beneficiaires:reaffecter")


@pytest.fixture
def orleans(bassins):
    return bassins["Orléans"]


@pytest.fixture
def collegue(orleans):
    return UserFactory(referent=True, bassins=[orleans], last_name="Collègue")


def personne(bassin, **champs):
    return BeneficiaireFactory(commune=bassin.commune_test, **champs)


def textes_messages(reponse):
    return [str(m) for m in get_messages(reponse.wsgi_request)]


def test_la_liste_propose_cases_et_referents_de_mes_bassins(client, referent, collegue, referent_gien, orleans):
    a = personne(orleans, referent=referent)
    client.force_login(referent)
    page = client.get(LISTE).content.decode()
    assert f'name="beneficiaires" value="{a.pk}"' in page and 'form="form-reaffecter"' in page
    assert f'aria-label="Choisir {a}"' in page  # chaque case a un nom accessible
    assert 'aria-label="Cocher toutes les personnes de la page"' in page
    assert '<label class="form-label" for="reaffecter-referent">Réaffecter à</label>' in page
    proposes = client.get(LISTE).context["referents_reaffectation"]
    assert proposes == [(referent.pk, str(referent)), (collegue.pk, str(collegue))]  # pas le référent de Gien
    assert "csrfmiddlewaretoken" in page
    assert page.count('id="reaffecter-referent"') == 1 and page.count('id="id_referent"') == 1  # filtre « Référent »


def test_referents_proposes_gardes_en_cache_et_perimes_par_une_ecriture_des_comptes(
    client, referent, collegue, orleans
):
    """Les options de « Réaffecter à » sont relues du cache d'une page à l'autre (aucune requête sur les comptes
    hors session et utilisateur) ; un référent ajouté au bassin, un collègue désactivé y sont à la page suivante."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    personne(orleans, referent=referent)
    client.force_login(referent)
    client.get(LISTE)
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(f"{LISTE}?page=1").context["referents_reaffectation"] == [
            (referent.pk, str(referent)),
            (collegue.pk, str(collegue)),
        ]
    assert not any("DISTINCT" in q["sql"] and "comptes_user" in q["sql"] for q in requetes.captured_queries)
    nouveau = UserFactory(referent=True, bassins=[orleans], last_name="Arrivée")
    assert nouveau.pk in [pk for pk, _ in client.get(f"{LISTE}?page=1&x=1").context["referents_reaffectation"]]
    collegue.is_active = False
    collegue.save()
    assert collegue.pk not in [pk for pk, _ in client.get(LISTE).context["referents_reaffectation"]]


def test_le_pilotage_ne_voit_ni_cases_ni_formulaire(client, pilotage, referent, orleans):
    personne(orleans, referent=referent)
    client.force_login(pilotage)
    reponse = client.get(LISTE)
    page = reponse.content.decode()
    assert reponse.status_code == 200 and 'name="beneficiaires"' not in page and "Réaffecter à" not in page
    assert "choix" not in reponse.context["table"].columns.names()


def test_reaffecter_les_personnes_cochees(client, referent, collegue, orleans):
    a, b, c = (personne(orleans, referent=referent) for _ in range(3))
    client.force_login(referent)
    retour = f"{LISTE}?q=nom&page=1"
    reponse = client.post(REAFFECTER, {"beneficiaires": [a.pk, b.pk], "referent": collegue.pk, "retour": retour})
    assert reponse.status_code == 302 and reponse["Location"] == retour  # retour à la liste filtrée
    for x in (a, b, c):
        x.refresh_from_db()
    assert (a.referent, b.referent, c.referent) == (collegue, collegue, referent)
    assert textes_messages(reponse) == [f"2 personnes confiées à {collegue}. Leur fil le mentionne."]
    # Tracé : l'historique de chaque fiche (auteur, raison) et l'événement dans son fil.
    version = a.history.first()
    assert version.history_user == referent and "Réaffectation" in version.history_change_reason
    assert f"Référent désigné : {collegue}" in [e.titre for e in evenements(a, referent)]
    assert f"Référent désigné : {collegue}" in [e.titre for e in evenements(b, referent)]


def test_une_seule_personne_message_au_singulier(client, referent, collegue, orleans):
    a = personne(orleans, referent=referent)
    client.force_login(referent)
    reponse = client.post(REAFFECTER, {"beneficiaires": [a.pk], "referent": collegue.pk})
    assert reponse["Location"] == LISTE
    assert textes_messages(reponse) == [f"1 personne confiée à {collegue}. Son fil le mentionne."]


def test_personne_hors_perimetre_refusee_rien_d_ecrit(client, referent, collegue, referent_gien, bassins, orleans):
    chez_moi = personne(orleans, referent=referent)
    ailleurs = personne(bassins["Gien"], referent=referent_gien)
    client.force_login(referent)
    reponse = client.post(REAFFECTER, {"beneficiaires": [chez_moi.pk, ailleurs.pk], "referent": collegue.pk})
    assert reponse.status_code == 302
    chez_moi.refresh_from_db(), ailleurs.refresh_from_db()
    assert (chez_moi.referent, ailleurs.referent) == (referent, referent_gien)  # tout ou rien
    assert chez_moi.history.count() == 1  # aucune version de plus
    assert "pas dans votre périmètre" in textes_messages(reponse)[0]


def test_referent_hors_de_mes_bassins_refuse(client, referent, referent_gien, orleans):
    a = personne(orleans, referent=referent)
    client.force_login(referent)
    reponse = client.post(REAFFECTER, {"beneficiaires": [a.pk], "referent": referent_gien.pk})
    a.refresh_from_db()
    assert a.referent == referent and "ne suit aucun de vos bassins" in textes_messages(reponse)[0]


def test_referent_qui_ne_suit_pas_le_bassin_de_la_personne_refuse(client, admin_user, referent, referent_gien, orleans):
    # L'administrateur voit tous les référents ; le service refuse quand même celui qui ne suit pas le bassin.
    a = personne(orleans, referent=referent)
    client.force_login(admin_user)
    reponse = client.post(REAFFECTER, {"beneficiaires": [a.pk], "referent": referent_gien.pk})
    a.refresh_from_db()
    assert a.referent == referent and "ne suit pas le bassin" in textes_messages(reponse)[0]


def test_rien_de_coche(client, referent, collegue):
    client.force_login(referent)
    reponse = client.post(REAFFECTER, {"referent": collegue.pk})
    assert textes_messages(reponse) == ["Cochez au moins une personne à réaffecter."]


def test_retour_vers_une_autre_adresse_ignore(client, referent, collegue, orleans):
    a = personne(orleans, referent=referent)
    client.force_login(referent)
    for retour in ("https://exemple.org/beneficiaires/", "/admin/", "//exemple.org/beneficiaires/"):
        reponse = client.post(REAFFECTER, {"beneficiaires": [a.pk], "referent": collegue.pk, "retour": retour})
        assert reponse["Location"] == LISTE


def test_le_pilotage_ne_reaffecte_pas(client, pilotage, referent, collegue, orleans):
    a = personne(orleans, referent=referent)
    client.force_login(pilotage)
    assert client.post(REAFFECTER, {"beneficiaires": [a.pk], "referent": collegue.pk}).status_code == 403
    a.refresh_from_db()
    assert a.referent == referent


def test_liste_requetes_constantes_avec_les_cases(client, referent, orleans, django_assert_max_num_queries):
    client.force_login(referent)
    for _ in range(3):
        personne(orleans, referent=referent)
    with django_assert_max_num_queries(30) as peu:
        assert client.get(LISTE).status_code == 200
    for _ in range(40):
        personne(orleans, referent=UserFactory(referent=True, bassins=[orleans]))
    with django_assert_max_num_queries(len(peu.captured_queries)):
        reponse = client.get(LISTE)
    assert reponse.status_code == 200 and reponse.content.decode().count('name="beneficiaires"') == 43


def test_une_personne_sans_commune_cochee_par_l_administrateur(client, admin_user, collegue, orleans):
    """L'administrateur voit les personnes « à rattacher » (sans commune) : les cocher donne un refus clair, pas
    une erreur serveur, et rien n'est écrit."""
    sans_commune = BeneficiaireFactory(commune=None, adresse_brute="12 rue X 59402 Nice")
    avec = personne(orleans)
    client.force_login(admin_user)
    reponse = client.post(REAFFECTER, {"beneficiaires": [sans_commune.pk, avec.pk], "referent": collegue.pk})
    assert reponse.status_code == 302
    assert any("n'a pas de commune" in t for t in textes_messages(reponse))
    avec.refresh_from_db()
    sans_commune.refresh_from_db()
    assert avec.referent_id is None and sans_commune.referent_id is None


def test_message_au_singulier_quand_rien_ne_change(client, referent, collegue, orleans):
    a = personne(orleans, referent=collegue)
    client.force_login(referent)
    reponse = client.post(REAFFECTER, {"beneficiaires": [a.pk], "referent": collegue.pk})
    assert any("la personne cochée est déjà suivie par" in t for t in textes_messages(reponse))

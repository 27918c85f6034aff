"""Règles des forums qu'une mutation du code cassait sans test : filtre par bassin des invitations, saisie des
entretiens et embauches jamais avant la date du forum, recherche normalisée et redirection encodée, administration."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from forums import services
from forums.models import Entretien, Exposant, Forum, OffreEmploi, Participation
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory

from .factories import ExposantFactory, ForumFactory, OffreFactory, ParticipationFactory

D = datetime.date
UN_JOUR = datetime.timedelta(days=1)
pytestmark = pytest.mark.django_db


# --- Invitations : le filtre par bassin, pour un utilisateur qui en voit plusieurs ------------------------


def test_le_filtre_par_bassin_restreint_l_apercu_d_un_referent_a_deux_bassins(client, bassins):
    referent = UserFactory(referent=True, bassins=[bassins["Orléans"], bassins["Montargis"]])
    forum = ForumFactory(en_preparation=True)
    orleans = [BeneficiaireFactory(commune=bassins["Orléans"].commune_test) for _ in range(2)]
    montargis = [BeneficiaireFactory(commune=bassins["Montargis"].commune_test) for _ in range(3)]
    client.force_login(referent)
    url = reverse("forums:inviter", args=[forum.pk])
    for bassin, attendus in ((bassins["Montargis"], montargis), (bassins["Orléans"], orleans)):
        reponse = client.get(url, {"bassin": bassin.pk})
        assert reponse.status_code == 200
        assert {b.pk for b in reponse.context["apercu"]} == {b.pk for b in attendus}
    # Confirmer depuis le filtre « Montargis » n'invite pas une personne d'Orléans, même cochée.
    reponse = client.post(
        url + f"?bassin={bassins['Montargis'].pk}", {"beneficiaires": [montargis[0].pk, orleans[0].pk]}
    )
    assert not Participation.objects.filter(beneficiaire=orleans[0]).exists()


# --- Entretiens et embauches : jamais avant la date du forum ---------------------------------------------


@pytest.fixture
def veille():
    forum = ForumFactory(date=D(2030, 3, 15))  # inscriptions ouvertes
    present = ParticipationFactory(forum=forum, statut="present", date_pointage=timezone.now())
    return forum, present, ExposantFactory(forum=forum)


def test_pas_d_entretien_avant_la_date_du_forum(veille, admin_user):
    forum, present, exposant = veille
    with pytest.raises(ValidationError, match="jour du forum"):
        services.entretien_enregistrer(
            exposant=exposant, participations=[present], par=admin_user, jour=forum.date - UN_JOUR
        )
    assert not Entretien.objects.exists()
    services.entretien_enregistrer(exposant=exposant, participations=[present], par=admin_user, jour=forum.date)
    assert Entretien.objects.count() == 1


def test_pas_d_embauche_avant_la_date_du_forum(veille, admin_user):
    forum, present, exposant = veille
    with pytest.raises(ValidationError, match="jour du forum"):
        services.embauche_enregistrer(
            participation=present,
            exposant=exposant,
            type_contrat="cdi",
            date_debut=D(2030, 4, 1),
            par=admin_user,
            jour=forum.date - UN_JOUR,
        )
    present.refresh_from_db()
    assert present.embauche_par is None
    services.embauche_enregistrer(
        participation=present, exposant=exposant, type_contrat="cdi", date_debut=D(2030, 4, 1), par=admin_user,
        jour=forum.date,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="jour du forum"):
        services.embauche_annuler(participation=present, par=admin_user, jour=forum.date - UN_JOUR)


def test_un_forum_ne_se_declare_pas_tenu_avant_sa_date(admin_user):
    forum = ForumFactory(date=D(2030, 3, 15))
    with pytest.raises(ValidationError, match="ne peut pas être déclaré tenu"):
        services.forum_changer_statut(forum=forum, statut=Forum.Statut.TENU, par=admin_user, jour=D(2030, 3, 14))


@pytest.mark.parametrize("decalage, ouvert", [(-1, False), (0, True), (1, False)])
def test_pointage_et_resultats_partagent_la_meme_fenetre(veille, admin_user, decalage, ouvert):
    forum, present, exposant = veille
    jour = forum.date + datetime.timedelta(days=decalage)
    assert forum.pointage_ouvert(jour) is ouvert
    try:
        services.entretien_enregistrer(exposant=exposant, participations=[present], par=admin_user, jour=jour)
        accepte = True
    except ValidationError:
        accepte = False
    assert accepte is ouvert


# --- Pointage : recherche normalisée et redirection encodée -----------------------------------------------


def test_la_redirection_du_pointage_encode_la_recherche(client, admin_user):
    forum = ForumFactory(date=timezone.localdate())
    p = ParticipationFactory(forum=forum)
    client.force_login(admin_user)
    q = "Zoé & Léa=1#x"
    reponse = client.post(reverse("forums:pointer", args=[forum.pk, p.pk]), {"q": q})
    assert reponse.status_code == 302
    assert reponse["Location"].endswith("?q=Zo%C3%A9+%26+L%C3%A9a%3D1%23x")
    suivie = client.get(reponse["Location"])
    assert suivie.context["q"] == q


def test_pointage_et_ajout_sur_place_cherchent_de_la_meme_facon(client, admin_user):
    forum = ForumFactory(date=timezone.localdate())
    heloise = BeneficiaireFactory(nom="Lefèvre", prenoms="Héloïse")
    ParticipationFactory(forum=forum, beneficiaire=heloise)
    client.force_login(admin_user)
    for vue in ("forums:pointage", "forums:sur_place"):
        reponse = client.get(reverse(vue, args=[forum.pk]), {"q": "HELOISE lefev"})
        trouves = [getattr(r, "beneficiaire", r) for r in reponse.context["resultats"]]
        assert heloise in trouves, vue
        reponse = client.get(reverse(vue, args=[forum.pk]), {"q": "heloise martin"})
        assert reponse.context["resultats"] == [], vue


# --- Administration : un forum clos ne reçoit plus d'exposant ni d'offre, même par l'admin -----------------


def test_l_administration_ne_contourne_pas_les_services_des_exposants_et_offres(client, admin_user):
    forum = ForumFactory(clos=True)
    exposant = ExposantFactory(forum=forum)
    offre = OffreFactory(exposant=exposant)
    client.force_login(admin_user)
    for nom, objet in (("exposant", exposant), ("offreemploi", offre)):
        assert client.get(reverse(f"admin:forums_{nom}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:forums_{nom}_add")).status_code == 403
        assert client.post(reverse(f"admin:forums_{nom}_change", args=[objet.pk]), {}).status_code == 403
        assert client.post(reverse(f"admin:forums_{nom}_delete", args=[objet.pk]), {"post": "yes"}).status_code == 403
    assert Exposant.objects.filter(forum=forum).count() == 1 and OffreEmploi.objects.count() == 1


def test_l_administration_ne_supprime_ni_participation_ni_entretien(client, admin_user):
    p = ParticipationFactory()
    client.force_login(admin_user)
    r = client.post(reverse("admin:forums_participation_delete", args=[p.pk]), {"post": "yes"})
    assert r.status_code == 403
    assert Participation.objects.filter(pk=p.pk).exists()


def test_l_administration_refuse_une_capacite_sous_les_places_prises(client, admin_user):
    forum = ForumFactory(capacite=5)
    for _ in range(3):
        ParticipationFactory(forum=forum)
    client.force_login(admin_user)
    donnees = {
        "titre": forum.titre,
        "secteur": forum.secteur,
        "date": forum.date.isoformat(),
        "heure_debut": "09:30",
        "heure_fin": "16:30",
        "adresse": forum.adresse,
        "commune": forum.commune_id,
        "capacite": 2,
        "exposants-TOTAL_FORMS": 0,
        "exposants-INITIAL_FORMS": 0,
    }
    reponse = client.post(reverse("admin:forums_forum_change", args=[forum.pk]), donnees)
    assert reponse.status_code == 200
    assert "3 places sont déjà prises" in reponse.content.decode()
    forum.refresh_from_db()
    assert forum.capacite == 5

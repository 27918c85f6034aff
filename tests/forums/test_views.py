import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from forums.models import Entretien, Exposant, Forum, OffreEmploi, Participation
from tests.beneficiaires.factories import BeneficiaireFactory, EvaluationFactory
from tests.comptes.factories import UserFactory
from tests.referentiel.factories import StructureFactory

from .factories import EntretienFactory, ExposantFactory, ForumFactory, OffreFactory, ParticipationFactory

S = Participation.Statut
pytestmark = pytest.mark.django_db


@pytest.fixture
def forum(bassins):
    """Un forum tenu à Montargis : un exposant, une offre, une personne d'Orléans présente, une de Gien."""
    f = ForumFactory(tenu=True, commune=bassins["Montargis"].commune_test, date=datetime.date(2018, 3, 15))
    e = ExposantFactory(forum=f)
    OffreFactory(exposant=e)
    f.p_orleans = ParticipationFactory(
        forum=f, present=True, beneficiaire=BeneficiaireFactory(commune=bassins["Orléans"].commune_test, nom="Dupré")
    )
    f.p_gien = ParticipationFactory(forum=f, beneficiaire=BeneficiaireFactory(commune=bassins["Gien"].commune_test))
    f.exposant = e
    return f


def urls_lecture(forum):
    return [
        reverse("forums:liste"),
        reverse("forums:detail", args=[forum.pk]),
        reverse("forums:participations"),
        reverse("forums:offres"),
        reverse("forums:entretiens"),
        reverse("forums:lettres", args=[forum.pk]),
        reverse("forums:emargement", args=[forum.pk]),
        reverse("forums:exposant_resultats", args=[forum.pk, forum.exposant.pk]),
        reverse("forums:participation", args=[forum.p_orleans.pk]),
    ]


def urls_ecriture(forum):
    return [
        reverse("forums:creer"),
        reverse("forums:modifier", args=[forum.pk]),
        reverse("forums:exposant_ajouter", args=[forum.pk]),
        reverse("forums:offre_ajouter", args=[forum.pk, forum.exposant.pk]),
        reverse("forums:inviter", args=[forum.pk]),
        reverse("forums:pointage", args=[forum.pk]),
        reverse("forums:sur_place", args=[forum.pk]),
        reverse("forums:inscrire_personne") + f"?beneficiaire={forum.p_orleans.beneficiaire.pk}",
    ]


# --------------------------------------------------------------------------------------------- accès


@pytest.mark.parametrize(
    "role,lecture,ecriture",
    [
        ("administrateur", 200, 200),
        ("pilotage", 200, 403),
        ("referent", 200, 200),
        ("prestataire", 403, 403),
        ("agent_mobilite", 403, 403),
    ],
)
def test_matrice_d_acces(client, forum, bassins, role, lecture, ecriture):
    kwargs = {role: True}
    if role == "referent":
        kwargs["bassins"] = [bassins["Orléans"]]
    client.force_login(UserFactory(**kwargs))
    for url in urls_lecture(forum):
        assert client.get(url).status_code == lecture, url
    for url in urls_ecriture(forum):
        assert client.get(url).status_code == ecriture, url


def test_anonyme_renvoye_vers_la_connexion(client, forum):
    reponse = client.get(reverse("forums:liste"))
    assert reponse.status_code == 302 and "connexion" in reponse["Location"]


def test_pilotage_ne_peut_rien_ecrire(client, forum, pilotage):
    client.force_login(pilotage)
    url = reverse("forums:pointer", args=[forum.pk, forum.p_gien.pk])
    assert client.post(url).status_code == 403
    assert client.post(reverse("forums:statut", args=[forum.pk]), {"statut": "clos"}).status_code == 403
    forum.p_gien.refresh_from_db()
    assert forum.p_gien.statut == S.INSCRIT


def test_personne_d_un_autre_bassin_404(client, forum, referent):
    """Le référent d'Orléans ne voit pas la participation d'une personne de Gien."""
    client.force_login(referent)
    assert client.get(reverse("forums:participation", args=[forum.p_gien.pk])).status_code == 404
    url = reverse("forums:participation", args=[forum.p_gien.pk])
    assert client.post(url, {"action": "excuser"}).status_code == 404
    assert client.post(reverse("forums:pointer", args=[forum.pk, forum.p_gien.pk])).status_code == 404
    url = reverse("forums:inscrire_personne") + f"?beneficiaire={forum.p_gien.beneficiaire.pk}"
    assert client.get(url).status_code == 404
    reponse = client.post(reverse("forums:sur_place", args=[forum.pk]), {"beneficiaire": forum.p_gien.beneficiaire.pk})
    assert reponse.status_code == 404
    forum.p_gien.refresh_from_db()
    assert forum.p_gien.statut == S.INSCRIT


def test_listes_limitees_au_perimetre(client, forum, referent):
    client.force_login(referent)
    reponse = client.get(reverse("forums:participations"))
    assert [p.pk for p in reponse.context["table"].data] == [forum.p_orleans.pk]
    reponse = client.get(reverse("forums:pointage", args=[forum.pk]))
    assert [p.pk for p in reponse.context["resultats"]] == [forum.p_orleans.pk]
    reponse = client.get(reverse("forums:emargement", args=[forum.pk]))
    assert [p.pk for p in reponse.context["participations"]] == [forum.p_orleans.pk]


def test_export_des_participations_reserve_et_journalise(client, forum, admin_user):
    client.force_login(admin_user)
    reponse = client.get(reverse("forums:participations") + "?_export=csv")
    assert reponse.status_code == 200
    assert "Dupré".upper() in reponse.content.decode().upper()


# ---------------------------------------------------------------------------------- forum : pages, statut


def test_page_du_forum_montre_exposants_offres_et_chiffres(client, forum, admin_user):
    client.force_login(admin_user)
    reponse = client.get(forum.get_absolute_url())
    contenu = reponse.content.decode()
    assert forum.exposant.structure.nom in contenu
    assert "Agent de propreté" in contenu
    assert reponse.context["bilan"]["presents"] == 1
    assert reponse.context["bilan"]["inscrits"] == 2
    assert 'style="' not in contenu and "onclick" not in contenu


def test_creer_un_forum(client, admin_user, bassins):
    client.force_login(admin_user)
    reponse = client.post(
        reverse("forums:creer"),
        {
            "titre": "Forum des métiers de la propreté",
            "secteur": "proprete",
            "date": "2018-03-15",
            "heure_debut": "09:30",
            "heure_fin": "16:30",
            "adresse": "Salle des fêtes",
            "commune": bassins["Montargis"].commune_test.pk,
            "capacite": 100,
        },
    )
    forum = Forum.objects.get()
    assert reponse.status_code == 302 and reponse["Location"] == forum.get_absolute_url()
    assert forum.cree_par == admin_user and forum.statut == Forum.Statut.EN_PREPARATION


def test_creer_un_forum_heures_inversees_erreur_sur_le_formulaire(client, admin_user, bassins):
    client.force_login(admin_user)
    reponse = client.post(
        reverse("forums:creer"),
        {
            "titre": "Forum",
            "secteur": "proprete",
            "date": "2018-03-15",
            "heure_debut": "16:30",
            "heure_fin": "09:30",
            "adresse": "Salle",
            "commune": bassins["Montargis"].commune_test.pk,
            "capacite": 100,
        },
    )
    assert reponse.status_code == 200
    assert "L'heure de fin doit suivre l'heure de début." in reponse.context["form"].errors["__all__"]
    assert not Forum.objects.exists()


def test_changer_le_statut(client, admin_user):
    forum = ForumFactory(en_preparation=True)
    client.force_login(admin_user)
    client.post(reverse("forums:statut", args=[forum.pk]), {"statut": "inscriptions"})
    forum.refresh_from_db()
    assert forum.statut == Forum.Statut.INSCRIPTIONS_OUVERTES
    reponse = client.post(reverse("forums:statut", args=[forum.pk]), {"statut": "clos"}, follow=True)
    assert "ne peut pas passer" in reponse.content.decode()
    forum.refresh_from_db()
    assert forum.statut == Forum.Statut.INSCRIPTIONS_OUVERTES


def test_ajouter_exposant_puis_offre(client, admin_user):
    forum = ForumFactory()
    structure = StructureFactory(commune_employeur=True)
    client.force_login(admin_user)
    client.post(reverse("forums:exposant_ajouter", args=[forum.pk]), {"structure": structure.pk, "stand": "A1"})
    exposant = Exposant.objects.get(forum=forum)
    client.post(
        reverse("forums:offre_ajouter", args=[forum.pk, exposant.pk]),
        {"intitule": "Agent d'entretien", "type_contrat": "contrat_aide", "nombre_postes": 2},
    )
    assert OffreEmploi.objects.get(exposant=exposant).nombre_postes == 2
    # Le même employeur n'est plus proposé (un exposant par forum).
    reponse = client.get(reverse("forums:exposant_ajouter", args=[forum.pk]))
    assert structure not in reponse.context["form"].fields["structure"].queryset


# --------------------------------------------------------------------------------------------- invitations


def test_invitation_groupee_apercu_puis_confirmation(client, referent, bassins):
    forum = ForumFactory(en_preparation=True)
    orleans = bassins["Orléans"].commune_test
    cible = [EvaluationFactory(beneficiaire__commune=orleans, metiers_vises="Agent de propreté").beneficiaire]
    majuscules = EvaluationFactory(beneficiaire__commune=orleans, metiers_vises="agent de PROPRETÉ urbaine")
    cible.append(majuscules.beneficiaire)
    for b in cible:
        b.evaluation_courante = b.evaluations.get()
        b.save()
    autre_metier = EvaluationFactory(beneficiaire__commune=orleans, metiers_vises="Cariste").beneficiaire
    autre_metier.evaluation_courante = autre_metier.evaluations.get()
    autre_metier.save()
    deja = BeneficiaireFactory(commune=orleans)
    ParticipationFactory(forum=forum, beneficiaire=deja, invite=True)
    hors_perimetre = BeneficiaireFactory(commune=bassins["Gien"].commune_test)
    client.force_login(referent)

    url = reverse("forums:inviter", args=[forum.pk]) + "?metier=propret"
    reponse = client.get(url)
    assert reponse.status_code == 200
    assert {b.pk for b in reponse.context["apercu"]} == {cible[0].pk, cible[1].pk}  # insensible à la casse
    url = reverse("forums:inviter", args=[forum.pk]) + f"?bassin={bassins['Orléans'].pk}"
    reponse = client.get(url)
    assert {b.pk for b in reponse.context["apercu"]} == {cible[0].pk, cible[1].pk, autre_metier.pk}
    assert reponse.context["deja"] == 1

    # Confirmation : une personne décochée n'est pas invitée ; une personne hors périmètre est refusée.
    reponse = client.post(url, {"beneficiaires": [cible[0].pk, cible[1].pk, hors_perimetre.pk]})
    assert reponse.status_code == 200
    assert not Participation.objects.filter(beneficiaire=hors_perimetre).exists()
    reponse = client.post(url, {"beneficiaires": [cible[0].pk, cible[1].pk]})
    assert reponse.status_code == 302
    assert set(Participation.objects.filter(forum=forum, statut=S.INVITE).values_list("beneficiaire", flat=True)) == {
        cible[0].pk,
        cible[1].pk,
        deja.pk,
    }
    assert Participation.objects.get(forum=forum, beneficiaire=cible[0]).invite_par == referent


def test_invitation_filtre_par_frein_et_statut_de_parcours(client, admin_user, bassins):
    forum = ForumFactory()
    commune = bassins["Orléans"].commune_test
    avec = EvaluationFactory(beneficiaire__commune=commune, frein_mobilite=2).beneficiaire
    sans = EvaluationFactory(beneficiaire__commune=commune).beneficiaire
    for b in (avec, sans):
        b.evaluation_courante = b.evaluations.get()
        b.statut_parcours = "en_parcours"
        b.save()
    client.force_login(admin_user)
    base = reverse("forums:inviter", args=[forum.pk])
    reponse = client.get(base + "?freins=frein_mobilite&statut_parcours=en_parcours")
    assert [b.pk for b in reponse.context["apercu"]] == [avec.pk]
    reponse = client.get(base + "?sans_frein_mobilite=on")
    assert [b.pk for b in reponse.context["apercu"]] == [sans.pk]
    reponse = client.get(base + "?statut_parcours=a_evaluer")
    assert reponse.context["total"] == 0


def test_inviter_une_personne_depuis_sa_fiche(client, referent, bassins):
    forum = ForumFactory(capacite=1)
    ParticipationFactory(forum=forum)
    b = BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    client.force_login(referent)
    url = reverse("forums:inscrire_personne") + f"?beneficiaire={b.pk}"
    reponse = client.post(url, {"beneficiaire": b.pk, "forum": forum.pk, "action": "inscrire"})
    p = Participation.objects.get(forum=forum, beneficiaire=b)
    assert reponse.status_code == 302 and reponse["Location"] == p.get_absolute_url()
    assert p.statut == S.ATTENTE and p.rang_attente == 1


# ------------------------------------------------------------------------------ participation : actions


def test_actions_sur_une_participation(client, admin_user):
    forum = ForumFactory(capacite=1)
    inscrite = ParticipationFactory(forum=forum)
    attente = ParticipationFactory(forum=forum, statut=S.ATTENTE, rang_attente=1)
    client.force_login(admin_user)
    client.post(inscrite.get_absolute_url(), {"action": "annuler"})
    inscrite.refresh_from_db()
    attente.refresh_from_db()
    assert inscrite.statut == S.INVITE
    assert attente.statut == S.INSCRIT
    reponse = client.post(inscrite.get_absolute_url(), {"action": "inscrire"}, follow=True)
    inscrite.refresh_from_db()
    assert inscrite.statut == S.ATTENTE
    assert "liste d'attente" in reponse.content.decode()


# ------------------------------------------------------------------------------------------- pointage


def test_pointage_recherche_sans_accents_et_un_geste_pour_pointer(client, admin_user, bassins):
    forum = ForumFactory(tenu=True)
    heloise = ParticipationFactory(forum=forum, beneficiaire=BeneficiaireFactory(nom="Lefèvre", prenoms="Héloïse"))
    ParticipationFactory(forum=forum, beneficiaire=BeneficiaireFactory(nom="Martin", prenoms="Paul"))
    client.force_login(admin_user)
    url = reverse("forums:pointage", args=[forum.pk])
    reponse = client.get(url, {"q": "HELOISE lefev"})
    assert [p.pk for p in reponse.context["resultats"]] == [heloise.pk]
    reponse = client.post(reverse("forums:pointer", args=[forum.pk, heloise.pk]), {"q": "heloise"})
    assert reponse.status_code == 302 and reponse["Location"].endswith("?q=heloise")
    heloise.refresh_from_db()
    assert heloise.statut == S.PRESENT


def test_pointage_partiel_htmx(client, admin_user):
    forum = ForumFactory(tenu=True)
    ParticipationFactory(forum=forum, beneficiaire=BeneficiaireFactory(nom="Zola"))
    client.force_login(admin_user)
    reponse = client.get(reverse("forums:pointage", args=[forum.pk]), {"q": "zola"}, HTTP_HX_REQUEST="true")
    contenu = reponse.content.decode()
    assert "<html" not in contenu and "ZOLA" in contenu


def test_pointage_ferme_avant_le_jour_du_forum(client, admin_user):
    forum = ForumFactory(date=timezone.localdate() + datetime.timedelta(days=5))
    p = ParticipationFactory(forum=forum)
    client.force_login(admin_user)
    reponse = client.post(reverse("forums:pointer", args=[forum.pk, p.pk]), follow=True)
    assert "pointage est ouvert" in reponse.content.decode()
    p.refresh_from_db()
    assert p.statut == S.INSCRIT


def test_venue_sans_inscription(client, referent, bassins):
    forum = ForumFactory(tenu=True)
    b = BeneficiaireFactory(commune=bassins["Orléans"].commune_test, nom="Nouveau")
    client.force_login(referent)
    reponse = client.get(reverse("forums:sur_place", args=[forum.pk]), {"q": "nouveau"})
    assert [x.pk for x in reponse.context["resultats"]] == [b.pk]
    client.post(reverse("forums:sur_place", args=[forum.pk]), {"beneficiaire": b.pk})
    p = Participation.objects.get(forum=forum, beneficiaire=b)
    assert p.statut == S.PRESENT and p.sur_place


# -------------------------------------------------------------------------------------- après le forum


def test_saisie_des_entretiens_et_d_une_embauche(client, forum, admin_user):
    client.force_login(admin_user)
    url = reverse("forums:exposant_resultats", args=[forum.pk, forum.exposant.pk])
    client.post(url, {"participations": [forum.p_orleans.pk]})
    assert Entretien.objects.filter(exposant=forum.exposant, participation=forum.p_orleans).exists()
    reponse = client.post(
        reverse("forums:embauche", args=[forum.pk, forum.exposant.pk]),
        {"participation": forum.p_orleans.pk, "type_contrat": "cdi", "date_debut": "2018-04-02"},
    )
    assert reponse.status_code == 302
    forum.p_orleans.refresh_from_db()
    assert forum.p_orleans.embauche_par == forum.exposant
    assert forum.p_orleans.embauche_date_debut == datetime.date(2018, 4, 2)


def test_embauche_brouillon_refuse_hors_contrat_aide_erreur_sur_le_champ(client, forum, admin_user):
    client.force_login(admin_user)
    reponse = client.post(
        reverse("forums:embauche", args=[forum.pk, forum.exposant.pk]),
        {
            "participation": forum.p_orleans.pk,
            "type_contrat": "cdi",
            "date_debut": "2018-04-02",
            "creer_brouillon_contrat": "on",
        },
    )
    assert reponse.status_code == 200
    assert "creer_brouillon_contrat" in reponse.context["embauche_form"].errors


# ----------------------------------------------------------------------------------------- impressions


def test_lettres_une_page_par_personne_avec_lieu_et_heure(client, forum, admin_user):
    client.force_login(admin_user)
    reponse = client.get(reverse("forums:lettres", args=[forum.pk]) + "?statut=tous")
    contenu = reponse.content.decode()
    assert contenu.count('<article class="lettre"') == 1  # la personne inscrite (la présente n'a plus besoin de lettre)
    assert "09h30" in contenu and forum.adresse in contenu
    assert "forums/impression.css" in contenu
    assert 'style="' not in contenu


def test_feuille_d_emargement(client, forum, admin_user):
    client.force_login(admin_user)
    reponse = client.get(reverse("forums:emargement", args=[forum.pk]))
    assert len(reponse.context["participations"]) == 2
    assert "Signature" in reponse.content.decode()


# ---------------------------------------------------------------------------------- nombre de requêtes


def peupler(forum, n, bassin_commune):
    for i in range(n):
        e = ExposantFactory(forum=forum)
        OffreFactory(exposant=e)
        OffreFactory(exposant=e, nombre_postes=1)
        p = ParticipationFactory(
            forum=forum, present=True, beneficiaire=BeneficiaireFactory(commune=bassin_commune, nom=f"Martin{i}")
        )
        Entretien.objects.create(participation=p, exposant=e, saisi_par=p.forum.cree_par or UserFactory())
        ParticipationFactory(forum=forum, beneficiaire=BeneficiaireFactory(commune=bassin_commune, nom=f"Martin-B{i}"))


@pytest.mark.parametrize("n", [3, 30])
def test_nombre_de_requetes_constant(client, referent, bassins, django_assert_max_num_queries, n):
    forum = ForumFactory(tenu=True, commune=bassins["Montargis"].commune_test)
    peupler(forum, n, bassins["Orléans"].commune_test)
    client.force_login(referent)
    pages = {
        reverse("forums:detail", args=[forum.pk]): 13,
        reverse("forums:pointage", args=[forum.pk]) + "?q=martin": 12,
        reverse("forums:pointage", args=[forum.pk]): 12,
        reverse("forums:sur_place", args=[forum.pk]) + "?q=martin": 10,
        reverse("forums:liste"): 11,
        reverse("forums:participations"): 12,
        reverse("forums:participations") + f"?forum={forum.pk}&etape=entretien": 13,
        reverse("forums:offres"): 13,
        reverse("forums:entretiens"): 12,
        reverse("forums:lettres", args=[forum.pk]): 9,
        reverse("forums:emargement", args=[forum.pk]): 9,
        reverse("forums:exposant_resultats", args=[forum.pk, forum.exposants.first().pk]): 15,
        reverse("forums:inviter", args=[forum.pk]) + f"?bassin={bassins['Orléans'].pk}": 12,
    }
    for url, maximum in pages.items():
        with django_assert_max_num_queries(maximum):
            assert client.get(url).status_code == 200, url


def test_participation_detail_requetes(client, admin_user, django_assert_max_num_queries):
    p = ParticipationFactory(present=True)
    for _ in range(5):
        EntretienFactory(participation=p)
    client.force_login(admin_user)
    with django_assert_max_num_queries(15):
        assert client.get(p.get_absolute_url()).status_code == 200


def test_entrees_invalides_sans_erreur_serveur(client, admin_user):
    forum = ForumFactory(tenu=True)
    client.force_login(admin_user)
    assert client.post(reverse("forums:sur_place", args=[forum.pk]), {"beneficiaire": "abc"}).status_code == 404
    reponse = client.get(reverse("forums:inviter", args=[ForumFactory().pk]) + "?bassin=abc")
    assert reponse.status_code == 200 and reponse.context["total"] is None
    reponse = client.get(reverse("forums:pointage", args=[forum.pk]), {"q": "x" * 500})
    assert reponse.status_code == 200
    reponse = client.get(reverse("forums:lettres", args=[forum.pk]), {"statut": "n'importe"})
    assert reponse.context["choix"] == "tous"
    assert client.get(reverse("forums:inscrire_personne") + "?beneficiaire=abc").status_code == 404

import datetime

import pytest
from django.urls import reverse

from beneficiaires.models import Beneficiaire
from placement import services
from placement import urls as placement_urls
from placement.models import Orientation, ResultatPaye, TypeSortie
from tests.comptes.factories import UserFactory
from tests.placement.outils import J0, declarer, jusqu_a_entree, orienter, personne_de

pytestmark = pytest.mark.django_db

J = datetime.timedelta(days=1)


@pytest.fixture
def scene(personne, bassins, referent, lot_orleans, lot_gien, agent_a):
    """Trois personnes d'Orléans orientées vers le prestataire A : proposée, en accompagnement, sortie en CDI."""
    proposee = orienter(personne, referent)
    accompagnee = jusqu_a_entree(personne_de(bassins["Orléans"]), referent, agent_a)
    sortie = jusqu_a_entree(personne_de(bassins["Orléans"]), referent, agent_a)
    services.sortie_enregistrer(
        orientation=sortie, par=agent_a, type=TypeSortie.CDI, date=J0 + 30 * J, employeur_nom="Boulangerie"
    )
    resultat = declarer(accompagnee, agent_a, "entree")
    return {
        "proposee": proposee,
        "accompagnee": accompagnee,
        "sortie": sortie,
        "personne": personne,
        "resultat": resultat,
    }


def urls_objet(scene):
    """Chaque URL du placement qui désigne une orientation ou une personne, avec l'objet de la scène qui convient."""
    o = scene["proposee"]
    return {
        "detail": reverse("placement:detail", args=[o.pk]),
        "accepter": reverse("placement:accepter", args=[o.pk]),
        "refuser": reverse("placement:refuser", args=[o.pk]),
        "demarrer": reverse("placement:demarrer", args=[scene["accompagnee"].pk]),
        "suivi": reverse("placement:suivi", args=[scene["accompagnee"].pk]),
        "sortie": reverse("placement:sortie", args=[scene["accompagnee"].pk]),
        "maintien": reverse("placement:maintien", args=[scene["sortie"].pk]),
        "orienter": reverse("placement:orienter", args=[scene["personne"].pk]),
        "declarer": reverse("placement:declarer", args=[scene["sortie"].pk]),
        **{
            nom: reverse(f"placement:{nom}", args=[scene["resultat"].pk])
            for nom in ("resultat", "justificatif", "resultat_valider", "resultat_rejeter", "resultat_payer")
        },
    }


URLS_LISTES = {"liste", "lots", "etat"}


def test_toutes_les_urls_du_placement_sont_couvertes_par_le_test_d_isolement(scene):
    noms = {p.name for p in placement_urls.urlpatterns}
    assert noms == set(urls_objet(scene)) | URLS_LISTES


@pytest.mark.parametrize("methode", ["get", "post"])
def test_un_autre_prestataire_recoit_404_sur_chaque_url_objet(client, scene, agent_b, methode):
    client.force_login(agent_b)
    for nom, url in urls_objet(scene).items():
        reponse = getattr(client, methode)(url, {"date": "2018-03-20", "motif_refus": "autre"})
        # orienter : rôle sans droit (403) quelle que soit la personne ; la page d'orientation ne prend pas de POST
        # (405, quelle que soit l'orientation) : aucune réponse ne révèle l'existence de l'objet.
        # Vérifier un résultat est réservé au Département (403 pour tout prestataire).
        if nom in ("orienter", "resultat_valider", "resultat_rejeter", "resultat_payer"):
            attendu = 403
        elif methode == "post" and nom in ("detail", "resultat", "justificatif"):
            attendu = 405
        else:
            attendu = 404
        assert reponse.status_code == attendu, (nom, methode, reponse.status_code)
    # Rien n'a changé.
    scene["proposee"].refresh_from_db()
    assert scene["proposee"].statut == Orientation.Statut.PROPOSEE


def test_un_autre_prestataire_ne_voit_personne_dans_les_listes(client, scene, agent_b, lot_orleans, prestataire_a):
    client.force_login(agent_b)
    nom = str(scene["personne"])
    for url in [
        reverse("placement:liste"),
        reverse("placement:liste") + f"?lot={lot_orleans.pk}",
        reverse("placement:liste") + f"?prestataire={prestataire_a.pk}",
        reverse("placement:lots"),
        reverse("placement:etat"),
    ]:
        reponse = client.get(url)
        assert reponse.status_code == 200, url
        assert nom not in reponse.content.decode(), url
    lots_vus = list(client.get(reverse("placement:lots")).context["table"].data.data)
    assert lot_orleans not in lots_vus and len(lots_vus) == 1
    assert client.get(reverse("placement:etat") + f"?prestataire={prestataire_a.pk}").status_code == 404


def test_perimetre_prestataire_sur_le_registre_des_personnes(scene, agent_a, agent_b):
    personne = scene["personne"]
    assert Beneficiaire.objects.visibles_par(agent_a).filter(pk=personne.pk).exists()
    assert not Beneficiaire.objects.visibles_par(agent_b).filter(pk=personne.pk).exists()
    try:
        url_fiche = reverse("beneficiaires:detail", args=[personne.pk])
    except Exception:  # noqa: BLE001 - la fiche appartient à une autre application
        return
    from django.test import Client

    c = Client()
    c.force_login(agent_b)
    assert c.get(url_fiche).status_code == 404


def test_le_prestataire_voit_ses_orientations(client, scene, agent_a):
    client.force_login(agent_a)
    contenu = client.get(reverse("placement:liste")).content.decode()
    assert str(scene["personne"]) in contenu
    assert client.get(reverse("placement:detail", args=[scene["proposee"].pk])).status_code == 200


def test_le_prestataire_ne_voit_que_ce_que_l_orientation_demande(client, scene, agent_a):
    client.force_login(agent_a)
    contenu = client.get(reverse("placement:detail", args=[scene["proposee"].pk])).content.decode()
    assert "0601020304" in contenu  # contact
    assert "Agent d&#x27;entretien" in contenu or "Agent d'entretien" in contenu  # métiers visés
    assert "Mobilité (fort)" in contenu  # freins
    assert "SYNTHESE-CONFIDENTIELLE" not in contenu  # la synthèse de l'évaluation reste au référent


ROLES = ["admin", "pilotage", "referent", "referent_gien", "agent_a", "agent_b", "mobilite"]


@pytest.fixture
def utilisateurs(admin_user, pilotage, referent, referent_gien, agent_a, agent_b, agent_mobilite):
    return dict(
        zip(ROLES, [admin_user, pilotage, referent, referent_gien, agent_a, agent_b, agent_mobilite], strict=True)
    )


MATRICE = {
    # url: statuts attendus pour admin, pilotage, référent Orléans, référent Gien, prestataire A, B, mobilité
    "liste": [200, 200, 200, 200, 200, 200, 403],
    "lots": [200, 200, 200, 200, 200, 200, 403],
    "etat": [200, 200, 403, 403, 200, 200, 403],
    "detail": [200, 200, 200, 404, 200, 404, 403],
    "accepter": [200, 403, 403, 403, 200, 404, 403],
    "refuser": [200, 403, 403, 403, 200, 404, 403],
    "demarrer": [200, 403, 403, 403, 200, 404, 403],
    "suivi": [200, 403, 403, 403, 200, 404, 403],
    "sortie": [200, 403, 403, 403, 200, 404, 403],
    "maintien": [200, 403, 403, 403, 200, 404, 403],
    "orienter": [200, 403, 200, 404, 403, 403, 403],
    "declarer": [200, 403, 403, 403, 200, 404, 403],
    "resultat": [200, 200, 403, 403, 200, 404, 403],
    "justificatif": [200, 200, 403, 403, 200, 404, 403],
    "resultat_valider": [405, 405, 403, 403, 403, 403, 403],
    "resultat_rejeter": [200, 200, 403, 403, 403, 403, 403],
    "resultat_payer": [200, 200, 403, 403, 403, 403, 403],
}


def test_matrice_des_acces(client, scene, utilisateurs):
    urls = {**urls_objet(scene), **{n: reverse(f"placement:{n}") for n in URLS_LISTES}}
    assert set(MATRICE) == set(urls)
    ecarts = []
    for nom, attendus in MATRICE.items():
        for role, attendu in zip(ROLES, attendus, strict=True):
            client.force_login(utilisateurs[role])
            statut = client.get(urls[nom]).status_code
            if statut != attendu:
                ecarts.append(f"{nom} / {role} : {statut} au lieu de {attendu}")
    assert not ecarts, ecarts


def test_anonyme_renvoye_vers_la_connexion(client, scene):
    for url in [reverse("placement:liste"), reverse("placement:detail", args=[scene["proposee"].pk])]:
        reponse = client.get(url)
        assert reponse.status_code == 302 and "connexion" in reponse["Location"]


# --- Parcours par les formulaires ----------------------------------------------------------------------


def test_le_referent_oriente_depuis_la_fiche(client, personne, referent, lot_orleans):
    client.force_login(referent)
    url = reverse("placement:orienter", args=[personne.pk])
    reponse = client.post(url, {"lot": lot_orleans.pk, "date_proposition": "2018-03-01", "observations": "Emploi"})
    o = Orientation.objects.get(beneficiaire=personne)
    assert reponse.status_code == 302 and reponse["Location"] == o.get_absolute_url()
    assert (o.lot, o.prescripteur, o.observations) == (lot_orleans, referent, "Emploi")
    # Seconde orientation : refusée, message lié au formulaire.
    reponse = client.post(url, {"lot": lot_orleans.pk, "date_proposition": "2018-03-02"})
    assert reponse.status_code == 200
    assert "déjà une orientation en cours" in reponse.content.decode()


def test_action_orienter_sur_la_fiche(personne, referent, agent_a):
    from beneficiaires.fiche import actions_pour

    assert any(a["libelle"] == "Orienter vers un prestataire" for a in actions_pour(personne, referent))
    assert not any(a["libelle"] == "Orienter vers un prestataire" for a in actions_pour(personne, agent_a))


def test_le_prestataire_accepte_puis_fait_entrer(client, scene, agent_a):
    client.force_login(agent_a)
    o = scene["proposee"]
    reponse = client.post(reverse("placement:accepter", args=[o.pk]), {"date": "2018-03-05"})
    assert reponse.status_code == 302
    o.refresh_from_db()
    assert o.statut == Orientation.Statut.ACCEPTEE
    client.post(reverse("placement:demarrer", args=[o.pk]), {"date": "2018-03-10"})
    o.refresh_from_db()
    assert o.statut == Orientation.Statut.EN_ACCOMPAGNEMENT
    assert not ResultatPaye.objects.filter(orientation=o).exists()  # à déclarer, avec son justificatif
    assert "Déclarer un résultat" in client.get(o.get_absolute_url()).content.decode()


def test_refus_sans_motif_affiche_l_erreur(client, scene, agent_a):
    client.force_login(agent_a)
    o = scene["proposee"]
    reponse = client.post(reverse("placement:refuser", args=[o.pk]), {"date": "2018-03-05", "motif_refus": ""})
    assert reponse.status_code == 200
    assert "is-invalid" in reponse.content.decode()
    o.refresh_from_db()
    assert o.statut == Orientation.Statut.PROPOSEE
    reponse = client.post(reverse("placement:refuser", args=[o.pk]), {"date": "2018-03-05", "motif_refus": "profil"})
    o.refresh_from_db()
    assert (reponse.status_code, o.statut, o.motif_refus) == (302, "refusee", "profil")


def test_capacite_atteinte_affichee_au_prestataire(client, scene, agent_a, lot_orleans):
    lot_orleans.capacite = 2  # déjà 2 places occupées par la scène
    lot_orleans.save()
    client.force_login(agent_a)
    reponse = client.post(reverse("placement:accepter", args=[scene["proposee"].pk]), {"date": "2018-03-05"})
    assert reponse.status_code == 200
    assert "capacité du lot est atteinte" in reponse.content.decode()


def test_suivi_sortie_et_maintien_par_les_formulaires(client, scene, agent_a):
    client.force_login(agent_a)
    o = scene["accompagnee"]
    r = client.post(
        reverse("placement:suivi", args=[o.pk]),
        {"date": "2018-03-20", "nature": "entretien", "note": "Point CV", "prochaine_etape": ""},
    )
    assert r.status_code == 302 and o.suivis.count() == 1
    r = client.post(
        reverse("placement:sortie", args=[o.pk]),
        {"type": "interim", "date": "2018-04-02", "employeur_nom": "Intérim Loiret", "duree_contrat_mois": "7"},
    )
    assert r.status_code == 302
    o.refresh_from_db()
    assert o.statut == "sortie" and o.sortie.positive
    r = client.post(
        reverse("placement:maintien", args=[o.pk]), {"echeance": "1", "en_emploi": "oui", "date_constat": "2018-05-02"}
    )
    assert r.status_code == 302 and o.sortie.maintiens.get().en_emploi is True


def test_maintien_sans_sortie_refuse(client, scene, agent_a):
    client.force_login(agent_a)
    url = reverse("placement:maintien", args=[scene["accompagnee"].pk])
    assert client.get(url).status_code == 200
    reponse = client.post(url, {"echeance": "1", "en_emploi": "oui", "date_constat": "2018-05-02"})
    assert reponse.status_code == 200
    assert "Aucune sortie" in reponse.content.decode()


def test_liste_signale_l_attente_de_plus_de_15_jours(client, scene, admin_user):
    client.force_login(admin_user)
    contenu = client.get(reverse("placement:liste")).content.decode()
    assert "Sans réponse depuis" in contenu
    reponse = client.get(reverse("placement:liste") + "?attente=true")
    assert list(reponse.context["table"].data.data) == [scene["proposee"]]


def test_filtres_bassin_statut_prestataire(client, scene, admin_user, bassins, prestataire_a, prestataire_b):
    client.force_login(admin_user)
    url = reverse("placement:liste")

    def nb(params):
        return client.get(url, params).context["nb_resultats"]

    assert nb({}) == 3
    assert nb({"bassin": bassins["Orléans"].pk}) == 3
    assert nb({"bassin": bassins["Gien"].pk}) == 0
    assert nb({"statut": "sortie"}) == 1
    assert nb({"prestataire": prestataire_a.pk}) == 3
    assert nb({"prestataire": prestataire_b.pk}) == 0
    assert nb({"proposee_apres": "2018-03-02"}) == 0


def test_export_csv_de_la_liste(client, scene, admin_user, agent_a):
    client.force_login(admin_user)
    reponse = client.get(reverse("placement:liste") + "?_export=csv")
    assert reponse.status_code == 200
    assert scene["personne"].nom.upper() in reponse.content.decode()
    client.force_login(agent_a)
    assert client.get(reverse("placement:liste") + "?_export=csv").status_code == 403


# --- Nombre de requêtes constant ---------------------------------------------------------------------------


def _peupler(n, bassins, referent, agent_a):
    for _ in range(n):
        o = jusqu_a_entree(personne_de(bassins["Orléans"]), referent, agent_a)
        services.suivi_enregistrer(orientation=o, par=agent_a, date=J0 + 12 * J, nature="telephone", note="Point")
        services.sortie_enregistrer(
            orientation=o, par=agent_a, type=TypeSortie.CDI, date=J0 + 20 * J, employeur_nom="X"
        )


@pytest.mark.parametrize("n", [3, 30])
def test_requetes_liste_constantes(
    client, admin_user, agent_a, bassins, referent, lot_orleans, n, django_assert_max_num_queries
):
    lot_orleans.capacite = 100
    lot_orleans.save()
    _peupler(n, bassins, referent, agent_a)
    for user in (admin_user, agent_a):
        client.force_login(user)
        # 17 : la liste des lots du filtre lit leurs bassins (libellé « Marché … — Lot 1 Orléans — … ») ; la version
        # du référentiel est lue pour chercher le filtre en cache (jamais gardé : il lit les lots).
        with django_assert_max_num_queries(17):
            assert client.get(reverse("placement:liste")).status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_requetes_detail_constantes(client, personne, agent_a, referent, lot_orleans, n, django_assert_max_num_queries):
    o = jusqu_a_entree(personne, referent, agent_a)
    for i in range(n):
        services.suivi_enregistrer(orientation=o, par=agent_a, date=J0 + (11 + i) * J, nature="entretien", note="x")
    s = services.sortie_enregistrer(
        orientation=o, par=agent_a, type=TypeSortie.CDI, date=J0 + 60 * J, employeur_nom="X"
    )
    services.maintien_en_emploi_enregistrer(sortie=s, par=agent_a, echeance=1, en_emploi=True, date_constat=J0 + 95 * J)
    client.force_login(agent_a)
    with django_assert_max_num_queries(22):
        assert client.get(o.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_requetes_etat_et_lots_constantes(
    client, admin_user, agent_a, bassins, referent, lot_orleans, lot_gien, n, django_assert_max_num_queries
):
    lot_orleans.capacite = 100
    lot_orleans.save()
    _peupler(n, bassins, referent, agent_a)
    for user in (admin_user, agent_a):
        client.force_login(user)
        with django_assert_max_num_queries(15):
            assert client.get(reverse("placement:etat")).status_code == 200
        with django_assert_max_num_queries(15):
            assert client.get(reverse("placement:lots")).status_code == 200


def test_le_fil_de_la_personne_montre_le_placement(scene, referent, agent_b, django_assert_max_num_queries):
    from beneficiaires.timeline import sources
    from placement.timeline import placement as source_placement

    assert source_placement in sources()
    with django_assert_max_num_queries(4):
        titres = [e.titre for e in source_placement(scene["personne"], referent)]
    assert any("Orientation proposée" in t for t in titres)
    assert source_placement(scene["personne"], agent_b) == []


def test_menu_placement(admin_user, agent_a, agent_mobilite, referent):
    from commun.menu_registre import entrees_pour

    def libelles(u):
        return {e["libelle"] for e in entrees_pour(u)}

    assert {"Placement", "État des résultats"} <= libelles(admin_user)
    assert {"Placement", "État des résultats"} <= libelles(agent_a)
    assert "Placement" in libelles(referent) and "État des résultats" not in libelles(referent)
    assert "Placement" not in libelles(agent_mobilite)


def test_un_utilisateur_sans_role_placement_est_refuse(client, db):
    client.force_login(UserFactory(agent_mobilite=True))
    assert client.get(reverse("placement:liste")).status_code == 403


def test_le_prestataire_voit_la_capacite_utilisee_de_ses_lots(client, scene, agent_a, agent_b, lot_orleans, lot_gien):
    client.force_login(agent_a)
    reponse = client.get(reverse("placement:liste"))
    assert [(lot.pk, lot.places_occupees, lot.places_restantes) for lot in reponse.context["mes_lots"]] == [
        (lot_orleans.pk, 2, 8)
    ]
    assert "2 places occupées sur 10" in reponse.content.decode()
    client.force_login(agent_b)
    assert [lot.pk for lot in client.get(reverse("placement:liste")).context["mes_lots"]] == [lot_gien.pk]


def test_action_impossible_dans_l_etat_expliquee_sans_formulaire(client, scene, agent_a):
    client.force_login(agent_a)
    reponse = client.get(reverse("placement:accepter", args=[scene["accompagnee"].pk]))
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "pas possible dans l&#x27;état actuel" in contenu or "pas possible dans l'état actuel" in contenu
    assert 'method="post"' not in contenu.split("<main")[1]
    reponse = client.get(reverse("placement:accepter", args=[scene["proposee"].pk]))
    assert 'method="post"' in reponse.content.decode().split("<main")[1]

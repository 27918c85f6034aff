import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.urls import reverse

from beneficiaires import acces
from beneficiaires.models import (
    FREINS,
    Beneficiaire,
    CorrespondanceColonnes,
    Evaluation,
    ImportBeneficiaires,
    StatutParcours,
)
from beneficiaires.timeline import evenements
from commun.menu_registre import entrees_pour
from comptes.models import JournalExport
from tests.beneficiaires.factories import BeneficiaireFactory, EvaluationFactory, FoyerFactory, en_vigueur
from tests.beneficiaires.test_importation import FAMILLE, en_csv
from tests.comptes.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def orleanais(bassins, referent):
    return BeneficiaireFactory(
        commune=bassins["Orléans"].commune_test, nom="Lefèvre", prenoms="Héloïse", referent=referent
    )


@pytest.fixture
def prestataire(db):
    return UserFactory(prestataire=True)


def client_de(client, user):
    client.force_login(user)
    return client


# --- Accès ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, attendu",
    [("admin_user", 200), ("pilotage", 200), ("referent", 200), ("prestataire", 403), ("agent_mobilite", 403)],
)
def test_acces_a_la_liste_par_role(client, request, role, attendu):
    user = request.getfixturevalue(role)
    assert client_de(client, user).get(reverse("beneficiaires:liste")).status_code == attendu


def test_un_referent_de_gien_ne_voit_pas_une_personne_d_orleans(client, orleanais, referent_gien):
    reponse = client_de(client, referent_gien).get(orleanais.get_absolute_url())
    assert reponse.status_code == 404


def test_un_referent_d_orleans_voit_sa_personne(client, orleanais, referent):
    reponse = client_de(client, referent).get(orleanais.get_absolute_url())
    assert reponse.status_code == 200
    assert "LEFÈVRE Héloïse" in reponse.content.decode()


def test_la_liste_d_un_referent_se_limite_a_ses_bassins(client, orleanais, bassins, referent_gien):
    BeneficiaireFactory(commune=bassins["Gien"].commune_test, nom="Giennois")
    contenu = client_de(client, referent_gien).get(reverse("beneficiaires:liste")).content.decode()
    assert "Giennois" in contenu and "Lefèvre" not in contenu


def test_un_prestataire_ne_voit_personne_sans_orientation(client, orleanais, prestataire):
    assert client_de(client, prestataire).get(orleanais.get_absolute_url()).status_code == 404


def test_un_prestataire_oriente_voit_une_fiche_restreinte(client, orleanais, prestataire, referent, monkeypatch):
    monkeypatch.setattr(acces, "_portees", [lambda user: Q(pk=orleanais.pk)])
    e = EvaluationFactory(
        beneficiaire=orleanais, evaluateur=referent, synthese="Synthèse confidentielle", metiers_vises="Cariste",
        frein_mobilite=2,
    )  # fmt: skip
    en_vigueur(e)
    reponse = client_de(client, prestataire).get(orleanais.get_absolute_url())
    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert "Cariste" in contenu and "Mobilité" in contenu
    assert "Synthèse confidentielle" not in contenu
    assert "Fil du parcours" not in contenu and "Membres du foyer" not in contenu
    assert client.get(e.get_absolute_url()).status_code == 403


def test_le_pilotage_ne_modifie_pas(client, orleanais, pilotage):
    client_de(client, pilotage)
    assert client.get(reverse("beneficiaires:modifier", args=[orleanais.pk])).status_code == 403
    assert client.post(reverse("beneficiaires:archiver", args=[orleanais.pk])).status_code == 403


# --- Recherche et filtres ------------------------------------------------------------------------------


def noms(reponse):
    return sorted(str(b) for b in reponse.context["table"].data.data)


@pytest.mark.parametrize("recherche", ["heloise", "HÉLOÏSE", "lefevre helo", str(1000000)])
def test_recherche_sans_accents_ni_casse(client, orleanais, bassins, admin_user, recherche):
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test, nom="Autre", prenoms="Personne")
    numero = orleanais.foyer.numero_allocataire
    terme = numero if recherche.isdigit() else recherche
    reponse = client_de(client, admin_user).get(reverse("beneficiaires:liste"), {"q": terme})
    assert noms(reponse) == ["LEFÈVRE Héloïse"]


def test_filtres_bassin_frein_et_non_evalue(client, orleanais, bassins, admin_user, referent):
    gien = BeneficiaireFactory(commune=bassins["Gien"].commune_test, nom="Gien")
    e = EvaluationFactory(beneficiaire=orleanais, evaluateur=referent, frein_logement=1)
    en_vigueur(e)
    client_de(client, admin_user)
    url = reverse("beneficiaires:liste")
    assert noms(client.get(url, {"bassin": bassins["Gien"].pk})) == [str(gien)]
    commune = bassins["Gien"].commune_test
    reponse = client.get(url, {"commune_choix": commune.pk})
    assert noms(reponse) == [str(gien)]
    # Autocomplétion : la zone porte le libellé et l'identifiant de la seule commune choisie.
    assert f'value="{commune}"' in reponse.content.decode()
    assert f'data-valeur="{commune.pk}"' in reponse.content.decode()
    assert noms(client.get(url, {"frein": "frein_logement"})) == ["LEFÈVRE Héloïse"]
    assert noms(client.get(url, {"frein": "frein_sante"})) == []
    assert noms(client.get(url, {"non_evalue": "on"})) == [str(gien)]


def test_filtre_etat_du_droit_multiple_et_archives_masques(client, bassins, admin_user):
    commune = bassins["Orléans"].commune_test
    a = BeneficiaireFactory(commune=commune, foyer=FoyerFactory(etat_droit=2, commune=commune), nom="Deux")
    BeneficiaireFactory(commune=commune, foyer=FoyerFactory(etat_droit=5, commune=commune), nom="Cinq")
    archive = BeneficiaireFactory(commune=commune, nom="Archive", statut_parcours=StatutParcours.ARCHIVE)
    client_de(client, admin_user)
    url = reverse("beneficiaires:liste")
    assert noms(client.get(url, {"etat_droit": [2, 3, 4]})) == [str(a), str(archive)][:1]
    assert str(archive) not in noms(client.get(url))
    assert noms(client.get(url, {"statut": "archive"})) == [str(archive)]


# --- Nombre de requêtes --------------------------------------------------------------------------------


@pytest.mark.parametrize("nombre", [3, 30])
def test_liste_requetes_constantes(client, bassins, admin_user, referent, django_assert_max_num_queries, nombre):
    for i in range(nombre):
        b = BeneficiaireFactory(commune=bassins["Orléans"].commune_test, referent=referent)
        if i % 2:
            e = EvaluationFactory(beneficiaire=b, evaluateur=referent)
            en_vigueur(e)
    client_de(client, admin_user)
    with django_assert_max_num_queries(14):
        reponse = client.get(reverse("beneficiaires:liste"), {"sort": "commune"})
    assert reponse.status_code == 200


@pytest.mark.parametrize("nombre", [3, 30])
def test_fiche_requetes_constantes(client, bassins, referent, django_assert_max_num_queries, nombre):
    commune = bassins["Orléans"].commune_test
    b = BeneficiaireFactory(commune=commune, referent=referent)
    for i in range(nombre):
        BeneficiaireFactory(commune=commune, foyer=b.foyer, role="ENF", prenoms=f"Enfant {i}")
        EvaluationFactory(beneficiaire=b, evaluateur=referent, date=datetime.date(2017, 1, 1) + datetime.timedelta(i))
    client_de(client, referent)
    # Même borne pour 3 et 30 lignes ; elle laisse la place aux sources du fil des autres applications
    # (une ou deux requêtes chacune), au premier accès au cache des types de contenu (journal) et à la lecture
    # de la version des données (corps en cache).
    with django_assert_max_num_queries(27):
        reponse = client.get(b.get_absolute_url())
    assert reponse.status_code == 200
    assert len(reponse.context["membres"]) == nombre


# --- Export --------------------------------------------------------------------------------------------


def test_export_csv_journalise(client, orleanais, referent):
    reponse = client_de(client, referent).get(reverse("beneficiaires:liste"), {"_export": "csv", "q": "heloise"})
    assert reponse.status_code == 200
    assert "LEFÈVRE" in reponse.content.decode()
    journal = JournalExport.objects.get()
    assert journal.utilisateur == referent and journal.lignes == 1 and "heloise" in journal.filtres


def test_export_xlsx_par_le_pilotage(client, orleanais, pilotage):
    reponse = client_de(client, pilotage).get(reverse("beneficiaires:liste"), {"_export": "xlsx"})
    assert reponse.status_code == 200 and JournalExport.objects.filter(format="xlsx").count() == 1


@pytest.mark.parametrize("role", ["prestataire", "agent_mobilite"])
def test_export_refuse_aux_autres_roles(client, orleanais, request, role):
    reponse = client_de(client, request.getfixturevalue(role)).get(reverse("beneficiaires:liste"), {"_export": "csv"})
    assert reponse.status_code == 403
    assert not JournalExport.objects.exists()


# --- Formulaires ---------------------------------------------------------------------------------------


def test_inscrire_une_personne(client, bassins, referent):
    reponse = client_de(client, referent).post(
        reverse("beneficiaires:creer"),
        {
            "numero_allocataire": "555",
            "organisme": "CAF",
            "etat_droit": 2,
            "role": "DEM",
            "nom": "Nouveau",
            "prenoms": "Jean",
            "date_naissance": "1980-01-01",
            "commune": bassins["Orléans"].commune_test.pk,
        },
    )
    b = Beneficiaire.objects.get(nom="Nouveau")
    assert reponse.status_code == 302 and reponse.url == b.get_absolute_url()
    assert b.recherche == "nouveau jean 555"


def test_inscrire_hors_bassin_est_refuse(client, bassins, referent):
    reponse = client_de(client, referent).post(
        reverse("beneficiaires:creer"),
        {"numero_allocataire": "555", "organisme": "CAF", "etat_droit": 2, "role": "DEM", "nom": "N", "prenoms": "J",
         "date_naissance": "1980-01-01", "commune": bassins["Gien"].commune_test.pk},
    )  # fmt: skip
    assert reponse.status_code == 200 and "commune" in reponse.context["form"].errors
    assert not Beneficiaire.objects.exists()


def test_inscrire_sous_le_numero_d_un_foyer_d_orleans_depuis_gien(client, bassins, orleanais, referent_gien):
    """Le formulaire montre à Gien, pour le numéro d'un foyer d'Orléans, l'erreur d'un numéro inutilisable ;
    la date laissée vide ne fait pas apparaître celle du foyer d'Orléans."""
    foyer = orleanais.foyer
    donnees = {"organisme": "CAF", "etat_droit": 5, "date_ouverture_droit": "", "role": "DEM", "nom": "Intrus",
               "prenoms": "J", "date_naissance": "1980-01-01", "commune": bassins["Gien"].commune_test.pk}  # fmt: skip
    client_de(client, referent_gien)
    reponse = client.post(reverse("beneficiaires:creer"), {**donnees, "numero_allocataire": foyer.numero_allocataire})
    invalide = client.post(reverse("beneficiaires:creer"), {**donnees, "numero_allocataire": "??"})
    assert reponse.status_code == invalide.status_code == 200
    erreurs = reponse.context["form"].errors
    assert erreurs == invalide.context["form"].errors and list(erreurs) == ["numero_allocataire"]
    assert foyer.date_ouverture_droit.strftime("%Y-%m-%d") not in reponse.content.decode()
    foyer.refresh_from_db()
    assert foyer.etat_droit == 2
    assert not Beneficiaire.objects.filter(nom="Intrus").exists()


def test_modifier_la_fiche(client, orleanais, referent):
    url = reverse("beneficiaires:modifier", args=[orleanais.pk])
    client_de(client, referent)
    formulaire = client.get(url).context["form"]
    donnees = {k: v for k, v in formulaire.initial.items() if v is not None}
    donnees.update(telephone="0611223344", commune=orleanais.commune_id, date_naissance="1985-06-15")
    reponse = client.post(url, donnees)
    assert reponse.status_code == 302
    orleanais.refresh_from_db()
    assert orleanais.telephone == "0611223344"


def test_archiver_par_post(client, orleanais, referent):
    client_de(client, referent)
    assert client.get(reverse("beneficiaires:archiver", args=[orleanais.pk])).status_code == 200
    orleanais.refresh_from_db()
    assert orleanais.statut_parcours != StatutParcours.ARCHIVE
    client.post(reverse("beneficiaires:archiver", args=[orleanais.pk]))
    orleanais.refresh_from_db()
    assert orleanais.statut_parcours == StatutParcours.ARCHIVE


def test_designer_le_referent(client, orleanais, admin_user, bassins):
    autre = UserFactory(referent=True, bassins=[bassins["Orléans"]])
    client_de(client, admin_user).post(reverse("beneficiaires:referent", args=[orleanais.pk]), {"referent": autre.pk})
    orleanais.refresh_from_db()
    assert orleanais.referent == autre


def test_parcours_d_evaluation_par_les_pages(client, orleanais, referent):
    client_de(client, referent)
    client.post(
        reverse("beneficiaires:evaluation_planifier", args=[orleanais.pk]),
        {"date": "2030-01-15", "evaluateur": referent.pk},
    )
    prevue = Evaluation.objects.get()
    assert prevue.statut == Evaluation.Statut.PREVUE
    donnees = {
        "evaluateur": referent.pk, "date": "2017-11-20", "metiers_vises": "Cariste", "experience_annees": 2,
        "heures_disponibles": 30, "parcours_recommande": "emploi_direct", "synthese": "RAS",
        "frein_mobilite": 2, "frein_logement": 0, "frein_sante": 0, "frein_garde_enfants": 1, "frein_langue": 0,
        "frein_numerique": 0, "frein_endettement": 0, "frein_administratif": 0,
    }  # fmt: skip
    reponse = client.post(reverse("beneficiaires:evaluation_realiser", args=[prevue.pk]), donnees)
    assert reponse.status_code == 302
    orleanais.refresh_from_db()
    assert orleanais.evaluation_courante == prevue
    assert orleanais.statut_parcours == StatutParcours.EN_PARCOURS
    detail = client.get(prevue.get_absolute_url())
    assert detail.status_code == 200 and "Cariste" in detail.content.decode()


def test_rendez_vous_d_evaluation_et_lettre_de_convocation(client, orleanais, referent, django_assert_max_num_queries):
    client_de(client, referent)
    reponse = client.post(
        reverse("beneficiaires:evaluation_planifier", args=[orleanais.pk]),
        {"date": "2030-01-15", "heure": "14:30", "lieu": "Maison du Département, 15 rue Jeanne d'Arc, Orléans",
         "evaluateur": referent.pk},
    )  # fmt: skip
    assert reponse.status_code == 302
    prevue = Evaluation.objects.get()
    assert prevue.heure == datetime.time(14, 30) and prevue.lieu.startswith("Maison du Département")
    fiche = client.get(orleanais.get_absolute_url()).content.decode()
    url = reverse("beneficiaires:evaluation_convocation", args=[prevue.pk])
    assert "à 14h30" in fiche and url in fiche
    with django_assert_max_num_queries(12):
        lettre = client.get(url)
    html = lettre.content.decode()
    assert "Convocation à un entretien d'évaluation" in html
    assert "Mardi 15 janvier 2030" in html and "14h30" in html
    assert "Maison du Département, 15 rue Jeanne d&#x27;Arc, Orléans" in html
    assert orleanais.foyer.numero_allocataire in html
    # Une évaluation réalisée ou annulée ne se convoque plus.
    client.post(reverse("beneficiaires:evaluation_annuler", args=[prevue.pk]))
    assert client.get(url).status_code == 404


def test_date_future_refusee_sur_le_formulaire(client, orleanais, referent):
    donnees = {"evaluateur": referent.pk, "date": "2999-01-01", "experience_annees": 0, "heures_disponibles": 35}
    donnees.update({champ: 0 for champ, _ in FREINS})
    reponse = client_de(client, referent).post(reverse("beneficiaires:evaluation_saisir", args=[orleanais.pk]), donnees)
    assert reponse.status_code == 200 and "date" in reponse.context["form"].errors


def test_annuler_une_evaluation(client, orleanais, referent):
    prevue = EvaluationFactory(beneficiaire=orleanais, evaluateur=referent, prevue=True)
    client_de(client, referent).post(reverse("beneficiaires:evaluation_annuler", args=[prevue.pk]))
    prevue.refresh_from_db()
    assert prevue.statut == Evaluation.Statut.ANNULEE


# --- Fil du parcours -----------------------------------------------------------------------------------


def test_fil_du_plus_recent_au_plus_ancien(orleanais, referent):
    Beneficiaire.objects.filter(pk=orleanais.pk).update(orientation="pro", date_orientation=datetime.date(2017, 10, 1))
    orleanais.refresh_from_db()
    EvaluationFactory(beneficiaire=orleanais, evaluateur=referent, date=datetime.date(2017, 11, 15))
    EvaluationFactory(beneficiaire=orleanais, evaluateur=referent, date=datetime.date(2018, 2, 1), prevue=True)
    fil = evenements(orleanais, referent)
    titres = [e.titre for e in fil if not e.titre.startswith("Référent désigné")]
    assert titres == ["Entrée dans le registre", "Évaluation prévue", "Évaluation réalisée", "Orientation"]
    assert [e.cle_tri.replace(tzinfo=None) for e in fil] == sorted(
        (e.cle_tri.replace(tzinfo=None) for e in fil), reverse=True
    )


def test_le_fil_n_expose_pas_les_evaluations_au_prestataire(orleanais, referent, prestataire):
    EvaluationFactory(beneficiaire=orleanais, evaluateur=referent)
    assert all(e.categorie != "evaluation" for e in evenements(orleanais, prestataire))


# --- Menu ----------------------------------------------------------------------------------------------


def test_menu_par_role(admin_user, pilotage, referent, prestataire):
    def libelles(u):
        return {e["libelle"] for e in entrees_pour(u)}

    assert {"Bénéficiaires", "Importer une liste"} <= libelles(admin_user)
    assert {"Bénéficiaires", "Importer une liste"} <= libelles(pilotage)
    assert "Bénéficiaires" in libelles(referent) and "Importer une liste" not in libelles(referent)
    assert "Bénéficiaires" not in libelles(prestataire)


# --- Page d'import -------------------------------------------------------------------------------------


def deposer(client, contenu, nom="liste.csv", source="CAF Loiret"):
    return client.post(reverse("beneficiaires:import"), {"fichier": SimpleUploadedFile(nom, contenu), "source": source})


@pytest.fixture
def orleans_import(db):
    from tests.referentiel.factories import BassinFactory, CommuneFactory

    return CommuneFactory(code_insee="45234", nom="Orléans", codes_postaux="45000", bassin_emploi=BassinFactory())


def test_import_en_trois_etapes(client, admin_user, orleans_import, django_capture_on_commit_callbacks):
    client_de(client, admin_user)
    reponse = deposer(client, en_csv(FAMILLE))
    depot = ImportBeneficiaires.objects.get()
    assert reponse.status_code == 302 and reponse.url == depot.get_absolute_url()
    apercu = client.get(depot.get_absolute_url())
    assert apercu.context["bilan"]["crees"] == 3 and not Beneficiaire.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # la tâche d'import, une fois la requête validée
        client.post(reverse("beneficiaires:import_confirmer", args=[depot.pk]))
    depot.refresh_from_db()
    assert depot.statut == ImportBeneficiaires.Statut.IMPORTE and depot.bilan["crees"] == 3
    assert bytes(depot.contenu) == b""
    assert Beneficiaire.objects.count() == 3
    assert Beneficiaire.objects.first().history.first().history_user == admin_user
    # Confirmer deux fois n'importe pas deux fois.
    client.post(reverse("beneficiaires:import_confirmer", args=[depot.pk]))
    assert Beneficiaire.history.count() == 3


def test_import_page_correspondance_des_colonnes(client, pilotage, orleans_import):
    client_de(client, pilotage)
    entetes = ["Identifiant dossier", "Nom", "Prénoms", "Date de naissance", "Commune"]
    lignes = [{"Identifiant dossier": "77", "Nom": "Roux", "Prénoms": "Léo", "Date de naissance": "01/01/1980",
               "Commune": "Orléans"}]  # fmt: skip
    deposer(client, en_csv(lignes, entetes=entetes), source="Logiciel X")
    depot = ImportBeneficiaires.objects.get()
    reponse = client.get(depot.get_absolute_url())
    assert reponse.status_code == 302 and reponse.url.endswith("/colonnes/")
    formulaire = client.get(reponse.url)
    # Toutes les colonnes, reconnues ou non, chacune avec « ignorer cette colonne ».
    form = formulaire.context["form"]
    assert [form[f"colonne_{i}"].initial for i in range(5)] == ["", "nom", "prenoms", "date_naissance", "commune"]
    assert formulaire.content.decode().count("Ignorer cette colonne") == 5
    choix = {"colonne_1": "nom", "colonne_2": "prenoms", "colonne_3": "date_naissance", "colonne_4": "commune"}
    assert client.post(reponse.url, {"colonne_0": "", **choix}).context["form"].errors  # le numéro manque toujours
    client.post(reponse.url, {"colonne_0": "numero_allocataire", **choix})
    assert CorrespondanceColonnes.objects.get(source="Logiciel X").correspondances == {
        "identifiant dossier": "numero_allocataire", "nom": "nom", "prenoms": "prenoms",
        "date de naissance": "date_naissance", "commune": "commune",
    }  # fmt: skip
    assert client.get(depot.get_absolute_url()).context["bilan"]["crees"] == 1


def test_import_refuse_un_fichier_d_un_autre_type(client, admin_user):
    reponse = deposer(client_de(client, admin_user), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", nom="liste.csv")
    assert reponse.status_code == 200
    assert "ni un CSV ni un classeur" in str(reponse.context["form"].errors["fichier"])
    assert not ImportBeneficiaires.objects.exists()


def test_import_refuse_un_fichier_trop_gros(client, admin_user, settings):
    settings.IMPORT_TAILLE_MAX = 10
    reponse = deposer(client_de(client, admin_user), en_csv(FAMILLE))
    assert "taille autorisée" in str(reponse.context["form"].errors["fichier"])


def test_import_refuse_au_referent(client, referent):
    assert client_de(client, referent).get(reverse("beneficiaires:import")).status_code == 403


def test_abandonner_un_depot(client, admin_user, orleans_import):
    client_de(client, admin_user)
    deposer(client, en_csv(FAMILLE))
    depot = ImportBeneficiaires.objects.get()
    client.post(reverse("beneficiaires:import_abandonner", args=[depot.pk]))
    depot.refresh_from_db()
    assert depot.statut == ImportBeneficiaires.Statut.ABANDONNE and not Beneficiaire.objects.exists()


@pytest.mark.parametrize("nom_url", ["evaluation_saisir", "evaluation_planifier", "modifier", "archiver"])
def test_mauvais_role_403_avant_le_perimetre_404(client, orleanais, prestataire, nom_url):
    reponse = client_de(client, prestataire).get(reverse(f"beneficiaires:{nom_url}", args=[orleanais.pk]))
    assert reponse.status_code == 403


def test_le_fil_montre_statuts_et_referents_depuis_l_historique(orleanais, referent, bassins):
    from beneficiaires.services import beneficiaire_archiver, beneficiaire_assigner_referent

    autre = UserFactory(referent=True, bassins=[bassins["Orléans"]], first_name="Nadia", last_name="Autre")
    beneficiaire_assigner_referent(beneficiaire=orleanais, referent=autre, par=referent)
    beneficiaire_archiver(beneficiaire=orleanais, par=referent)
    titres = [e.titre for e in evenements(orleanais, referent)]
    assert "Statut du parcours : Archivé" in titres
    assert "Référent désigné : Nadia Autre" in titres
    assert f"Référent désigné : {referent}" in titres


def test_filtre_sdd_indifferent_par_defaut(client, bassins, admin_user):
    """Sans choix vide, la liste déroulante montrait « Oui » : renvoyer le formulaire filtrait sans le vouloir."""
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test, soumis_droits_devoirs=True)
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test, soumis_droits_devoirs=False, role="ENF")
    client_de(client, admin_user)
    html = client.get(reverse("beneficiaires:liste")).content.decode()
    choix = html[html.index('name="sdd"') : html.index("</select>", html.index('name="sdd"'))]
    assert '<option value="" selected>Indifférent</option>' in choix
    # Le formulaire renvoyé tel quel (sdd vide) garde les deux personnes.
    reponse = client.get(reverse("beneficiaires:liste"), {"sdd": ""})
    assert reponse.context["table"].paginator.count == 2
    assert client.get(reverse("beneficiaires:liste"), {"sdd": "false"}).context["table"].paginator.count == 1


@pytest.mark.parametrize("nom_url", ["beneficiaires:evaluation_planifier", "beneficiaires:evaluation_saisir"])
def test_les_pages_d_evaluation_n_offrent_que_les_evaluateurs_du_bassin(
    client, bassins, referent, referent_gien, admin_user, nom_url
):
    """Gien ne peut ni choisir ni envoyer un référent d'Orléans comme évaluateur d'une personne de Gien."""
    gienois = BeneficiaireFactory(commune=bassins["Gien"].commune_test)
    url = reverse(nom_url, args=[gienois.pk])
    client_de(client, referent_gien)
    offerts = set(client.get(url).context["form"].fields["evaluateur"].queryset)
    assert referent_gien in offerts and admin_user in offerts and referent not in offerts
    reponse = client.post(url, {"date": "2026-11-02", "evaluateur": referent.pk})
    assert reponse.status_code == 200 and "evaluateur" in reponse.context["form"].errors
    assert not gienois.evaluations.exists()

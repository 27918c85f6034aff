"""RGPD : découverte générique des données liées, dernière activité, anonymisation, droit d'accès."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from beneficiaires.models import Beneficiaire, Evaluation, Foyer
from beneficiaires.rgpd import (
    conservation_appliquer,
    date_limite,
    dernieres_activites,
    donnees_personne,
    modeles_lies,
    personnes_a_anonymiser,
    soustraire_mois,
)
from comptes.models import JournalConsultation, JournalExport
from tests.beneficiaires.factories import BeneficiaireFactory, EvaluationFactory, FoyerFactory

AUJOURD_HUI = datetime.date(2026, 6, 15)
HistBenef = Beneficiaire.history.model
HistEval = Evaluation.history.model


def a_minuit(jour):
    return timezone.make_aware(datetime.datetime.combine(jour, datetime.time(12)))


def vieillir(personne, jour):
    """Toute l'activité propre de la personne (fiche, historique, évaluations) ramenée au `jour`."""
    Beneficiaire.objects.filter(pk=personne.pk).update(date_creation=a_minuit(jour))
    HistBenef.objects.filter(id=personne.pk).update(history_date=a_minuit(jour))
    Evaluation.objects.filter(beneficiaire=personne).update(date=jour, date_creation=a_minuit(jour))
    HistEval.objects.filter(beneficiaire=personne).update(history_date=a_minuit(jour), date=jour)


def test_soustraire_mois():
    assert soustraire_mois(datetime.date(2026, 6, 15), 24) == datetime.date(2024, 6, 15)
    assert soustraire_mois(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 2, 28)
    assert soustraire_mois(datetime.date(2026, 1, 10), 13) == datetime.date(2024, 12, 10)


def test_limite_suit_le_reglage(settings):
    settings.CONSERVATION_MOIS = 24
    assert date_limite(AUJOURD_HUI) == datetime.date(2024, 6, 15)
    settings.CONSERVATION_MOIS = 36
    assert date_limite(AUJOURD_HUI) == datetime.date(2023, 6, 15)


@pytest.mark.django_db
def test_modeles_lies_decouverts_par_les_relations_inverses():
    trouvees = {s.etiquette: s for s in modeles_lies()}
    assert trouvees["beneficiaires.evaluation"].chemin == "beneficiaire"
    assert "beneficiaires.beneficiaire" not in trouvees
    assert not any(".historical" in e for e in trouvees)
    personne = BeneficiaireFactory()
    for s in trouvees.values():
        # Chaque chemin se résout jusqu'à la personne (une erreur de champ lèverait FieldError).
        assert s.modele._base_manager.filter(**{s.chemin: personne.pk}).count() == 0
        assert s.chemin.count("__") == s.profondeur - 1


@pytest.mark.django_db
def test_derniere_activite_une_requete_par_modele():
    def mesurer(n):
        personnes = BeneficiaireFactory.create_batch(n)
        for p in personnes:
            EvaluationFactory(beneficiaire=p)
        qs = Beneficiaire.objects.filter(pk__in=[p.pk for p in personnes])
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as requetes:
            resultat = dernieres_activites(qs)
        assert len(resultat) == n
        return len(requetes)

    assert mesurer(3) == mesurer(30)
    assert mesurer(3) <= 2 + 2 * len(modeles_lies())


@pytest.mark.django_db
def test_derniere_activite_prend_la_date_la_plus_recente_des_donnees_liees():
    personne = BeneficiaireFactory()
    EvaluationFactory(beneficiaire=personne)
    vieillir(personne, datetime.date(2020, 1, 1))
    Evaluation.objects.filter(beneficiaire=personne).update(date=datetime.date(2025, 3, 2))
    assert dernieres_activites(Beneficiaire.objects.filter(pk=personne.pk)) == {personne.pk: datetime.date(2025, 3, 2)}


@pytest.mark.django_db
def test_modification_recente_de_la_fiche_compte_comme_activite():
    personne = BeneficiaireFactory()
    vieillir(personne, datetime.date(2020, 1, 1))
    HistBenef.objects.filter(id=personne.pk).update(history_date=a_minuit(datetime.date(2025, 12, 24)))
    assert dernieres_activites(Beneficiaire.objects.filter(pk=personne.pk))[personne.pk] == datetime.date(2025, 12, 24)


@pytest.mark.django_db
def test_limite_exacte_conservee_veille_anonymisee():
    limite = date_limite(AUJOURD_HUI)
    au_jour = BeneficiaireFactory()
    veille = BeneficiaireFactory()
    vieillir(au_jour, limite)
    vieillir(veille, limite - datetime.timedelta(days=1))
    assert personnes_a_anonymiser(AUJOURD_HUI) == [veille.pk]


@pytest.mark.django_db
def test_evaluation_recente_protege_la_personne():
    personne = BeneficiaireFactory()
    EvaluationFactory(beneficiaire=personne)
    vieillir(personne, datetime.date(2019, 1, 1))
    assert personnes_a_anonymiser(AUJOURD_HUI) == [personne.pk]
    Evaluation.objects.filter(beneficiaire=personne).update(date=datetime.date(2025, 1, 1))
    assert personnes_a_anonymiser(AUJOURD_HUI) == []


@pytest.fixture
def foyer_inactif(db, bassins):
    commune = bassins["Gien"].commune_test
    foyer = FoyerFactory(numero_allocataire="7654321", commune=commune)
    demandeur = BeneficiaireFactory(
        foyer=foyer,
        commune=commune,
        nom="Lefèvre",
        nom_naissance="Durand",
        prenoms="Josiane Marie",
        date_naissance=datetime.date(1971, 8, 23),
        telephone="0612345678",
        email="josiane@example.org",
        adresse="3 rue des Lilas",
        statut_parcours="en_parcours",
    )
    Beneficiaire.objects.filter(pk=demandeur.pk).update(telephone="0699999999")
    demandeur.refresh_from_db()
    demandeur.telephone = "0611111111"
    demandeur.save()  # une deuxième version d'historique, avec l'ancien numéro
    EvaluationFactory(beneficiaire=demandeur, synthese="Suivie par Mme X, rencontre au CCAS.")
    conjoint = BeneficiaireFactory(foyer=foyer, commune=commune, role="CJT", nom="Lefèvre", prenoms="Gérard")
    vieillir(demandeur, datetime.date(2021, 5, 1))
    return foyer, demandeur, conjoint


@pytest.mark.django_db
def test_essai_liste_sans_rien_modifier_et_sans_nom(foyer_inactif):
    foyer, demandeur, conjoint = foyer_inactif
    sortie = StringIO()
    call_command("appliquer_conservation", "--essai", stdout=sortie)
    texte = sortie.getvalue()
    assert "1 personne serait anonymisée" in texte
    assert str(demandeur.pk) in texte
    assert "Lefèvre" not in texte and "Josiane" not in texte
    demandeur.refresh_from_db()
    assert demandeur.nom == "Lefèvre" and demandeur.date_anonymisation is None


@pytest.mark.django_db
def test_anonymisation_complete_et_statistiques_conservees(foyer_inactif):
    foyer, demandeur, conjoint = foyer_inactif
    resultat = conservation_appliquer()
    assert resultat["personnes"] == [demandeur.pk]
    d = Beneficiaire.objects.get(pk=demandeur.pk)
    assert d.nom == "Anonyme" and d.prenoms == f"Personne {d.pk}" and d.nom_naissance == ""
    assert d.telephone == d.email == d.adresse == ""
    assert d.date_naissance == datetime.date(1971, 1, 1)
    assert d.date_anonymisation is not None
    assert "lefevre" not in d.recherche and "josiane" not in d.recherche
    # Statistiques conservées.
    assert d.commune == demandeur.commune and d.role == "DEM" and d.statut_parcours == "en_parcours"
    assert d.civilite == demandeur.civilite and d.date_creation.date() == datetime.date(2021, 5, 1)
    # Historique : aucune version ne garde l'identité.
    for version in HistBenef.objects.filter(id=d.pk):
        assert version.nom == "Anonyme" and version.prenoms == f"Personne {d.pk}"
        assert version.telephone == "" and version.email == "" and version.adresse == ""
        assert version.date_naissance == datetime.date(1971, 1, 1)
    assert HistBenef.objects.filter(id=d.pk).latest("history_date").history_change_reason.startswith("Anonymisation")
    # Texte libre de l'évaluation effacé, le reste de l'évaluation gardé.
    evaluation = Evaluation.objects.get(beneficiaire=d)
    assert evaluation.synthese == "Anonymisé" and evaluation.metiers_vises == "Agent d'entretien"
    assert not HistEval.objects.filter(beneficiaire=d, synthese__contains="CCAS").exists()
    # Le conjoint, actif, est intact ; le foyer garde son numéro tant qu'un membre n'est pas anonymisé.
    conjoint.refresh_from_db()
    assert conjoint.nom == "Lefèvre" and conjoint.date_anonymisation is None
    assert Foyer.objects.get(pk=foyer.pk).numero_allocataire == "7654321"


@pytest.mark.django_db
def test_foyer_anonymise_quand_tous_ses_membres_le_sont(foyer_inactif):
    foyer, demandeur, conjoint = foyer_inactif
    vieillir(conjoint, datetime.date(2020, 2, 2))
    assert sorted(conservation_appliquer()["personnes"]) == sorted([demandeur.pk, conjoint.pk])
    foyer.refresh_from_db()
    assert foyer.numero_allocataire == f"ANON{foyer.pk}"
    assert not Foyer.history.model.objects.filter(id=foyer.pk, numero_allocataire="7654321").exists()
    assert foyer.commune_id and foyer.etat_droit == 2


@pytest.mark.django_db
def test_anonymisation_idempotente(foyer_inactif):
    conservation_appliquer()
    nb_versions = HistBenef.objects.count()
    assert conservation_appliquer()["personnes"] == []
    assert HistBenef.objects.count() == nb_versions


@pytest.mark.django_db
def test_anonymisation_revérifie_sous_verrou(foyer_inactif):
    """Une activité survenue entre le repérage et l'anonymisation protège la personne."""
    from beneficiaires import rgpd

    foyer, demandeur, conjoint = foyer_inactif
    original = rgpd.personnes_a_anonymiser

    def reperage_puis_activite(aujourd_hui=None):
        ids = original(aujourd_hui)
        Evaluation.objects.filter(beneficiaire=demandeur).update(date=timezone.localdate())
        return ids

    rgpd.personnes_a_anonymiser = reperage_puis_activite
    try:
        assert conservation_appliquer()["personnes"] == []
    finally:
        rgpd.personnes_a_anonymiser = original
    demandeur.refresh_from_db()
    assert demandeur.date_anonymisation is None and demandeur.nom == "Lefèvre"


@pytest.mark.django_db
def test_commande_purge_les_journaux_anciens(referent, foyer_inactif, settings):
    from comptes.services import consultation_journaliser

    settings.JOURNAL_CONSERVATION_MOIS = 12
    entree = consultation_journaliser(par=referent, objet=foyer_inactif[1])
    JournalConsultation.objects.filter(pk=entree.pk).update(date=timezone.now() - datetime.timedelta(days=500))
    sortie = StringIO()
    call_command("appliquer_conservation", "--essai", stdout=sortie)
    assert "1 consultation," in sortie.getvalue()
    assert JournalConsultation.objects.count() == 1
    call_command("appliquer_conservation", stdout=StringIO())
    assert JournalConsultation.objects.count() == 0


# --- Droit d'accès ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_contient_toutes_les_donnees_de_la_personne(foyer_inactif):
    foyer, demandeur, conjoint = foyer_inactif
    donnees = donnees_personne(demandeur)
    texte = json.dumps(donnees, ensure_ascii=False)
    json.loads(texte)
    champs = {c["nom"]: c["valeur"] for c in donnees["personne"]["champs"]}
    assert champs["nom"] == "Lefèvre" and champs["date_naissance"] == "1971-08-23"
    assert champs["email"] == "josiane@example.org"
    foyer_champs = {c["nom"]: c["valeur"] for c in donnees["foyer"]["champs"]}
    assert foyer_champs["numero_allocataire"] == "7654321"
    assert donnees["foyer"]["autres_membres"] == [{"role": "Conjoint"}]
    assert "Gérard" not in texte  # les autres membres sont d'autres personnes
    evaluations = next(s for s in donnees["sections"] if s["modele"] == "beneficiaires.evaluation")
    assert len(evaluations["lignes"]) == 1
    assert "CCAS" in texte
    # Chaque modèle lié trouvé a sa section, même vide.
    assert {s["modele"] for s in donnees["sections"]} == {s.etiquette for s in modeles_lies()}
    historique = donnees["historique"][0]
    assert historique["modele"] == "beneficiaires.historicalbeneficiaire"
    assert len(historique["versions"]) == 2
    assert "0612345678" in texte  # l'ancien numéro, dans l'historique
    assert "recherche" not in {c["nom"] for c in donnees["personne"]["champs"]}


@pytest.mark.django_db
def test_export_affichage_en_francais(foyer_inactif):
    demandeur = foyer_inactif[1]
    donnees = donnees_personne(demandeur, affichage=True)
    champs = {c["nom"]: c["valeur"] for c in donnees["personne"]["champs"]}
    assert champs["date_naissance"] == "23/08/1971"
    assert champs["soumis_droits_devoirs"] == "oui"
    assert champs["statut_parcours"] == "En parcours"


@pytest.mark.django_db
def test_commande_exporter_personne_json_et_html(foyer_inactif, admin_user, tmp_path):
    demandeur = foyer_inactif[1]
    sortie = StringIO()
    call_command("exporter_personne", demandeur.pk, "--par", admin_user.username, stdout=sortie)
    donnees = json.loads(sortie.getvalue())
    assert donnees["personne"]["id"] == demandeur.pk
    fichier = tmp_path / "p.html"
    call_command(
        "exporter_personne", demandeur.pk, "--par", admin_user.username, "--format", "html", "--sortie", str(fichier),
        stderr=StringIO(),
    )  # fmt: skip
    html = fichier.read_text(encoding="utf-8")
    assert "<h1>Données personnelles de la personne n° " in html and "Lefèvre" in html and "23/08/1971" in html
    journal = list(JournalExport.objects.order_by("date"))
    assert [(j.format, j.filtres, j.utilisateur) for j in journal] == [
        ("json", f"beneficiaire={demandeur.pk}", admin_user),
        ("html", f"beneficiaire={demandeur.pk}", admin_user),
    ]


@pytest.mark.django_db
def test_commande_exporter_personne_refusee_hors_administrateur(foyer_inactif, referent):
    with pytest.raises(CommandError, match="Seul un administrateur"):
        call_command("exporter_personne", foyer_inactif[1].pk, "--par", referent.username, stdout=StringIO())
    with pytest.raises(CommandError, match="Aucun compte actif"):
        call_command("exporter_personne", foyer_inactif[1].pk, "--par", "inconnu", stdout=StringIO())
    assert JournalExport.objects.count() == 0


@pytest.mark.django_db
def test_commande_exporter_personne_inconnue(admin_user):
    with pytest.raises(CommandError, match="Aucune personne n° 999999"):
        call_command("exporter_personne", 999999, "--par", admin_user.username, stdout=StringIO())


@pytest.mark.django_db
@pytest.mark.urls("tests.securite.urls_rgpd")
def test_page_donnees_personne_reservee_aux_administrateurs(client, foyer_inactif, admin_user, pilotage, referent):
    demandeur = foyer_inactif[1]
    url = reverse("beneficiaires:rgpd_donnees", args=[demandeur.pk])
    url_json = reverse("beneficiaires:rgpd_donnees_json", args=[demandeur.pk])
    for user in (pilotage, referent):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.get(url_json).status_code == 403
    assert JournalExport.objects.count() == 0
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(admin_user)
    page = client.get(url)
    assert page.status_code == 200
    contenu = page.content.decode()
    assert "Lefèvre" in contenu and "23/08/1971" in contenu and "Télécharger en JSON" in contenu
    assert "no-store" in page["Cache-Control"]
    telechargement = client.get(url_json)
    assert telechargement.status_code == 200
    assert telechargement["Content-Disposition"] == f'attachment; filename="donnees-personne-{demandeur.pk}.json"'
    assert json.loads(telechargement.content)["personne"]["id"] == demandeur.pk
    assert list(JournalExport.objects.order_by("date").values_list("format", "utilisateur")) == [
        ("html", admin_user.pk),
        ("json", admin_user.pk),
    ]
    assert JournalConsultation.objects.pour(demandeur).count() == 2
    assert client.get(reverse("beneficiaires:rgpd_donnees", args=[999999])).status_code == 404


def test_duree_de_conservation_par_defaut_24_mois():
    """Sans réglage, la durée est celle du référentiel CNIL : 2 ans après la dernière activité."""
    from plan_emploi.settings import env

    assert env.scheme["CONSERVATION_MOIS"] == (int, 24)
    assert date_limite(datetime.date(2026, 12, 6)) == datetime.date(2024, 12, 6)
    assert date_limite(datetime.date(2026, 2, 28)) == datetime.date(2024, 2, 28)


@pytest.mark.django_db
def test_anonymisation_au_jour_pres_de_bout_en_bout(settings):
    """De la sélection à l'anonymisation sous verrou : le jour de la limite est conservé, la veille anonymisée."""
    settings.CONSERVATION_MOIS = 24
    limite = datetime.date(2024, 6, 15)
    au_jour, veille = BeneficiaireFactory(), BeneficiaireFactory()
    vieillir(au_jour, limite)
    vieillir(veille, limite - datetime.timedelta(days=1))
    resultat = conservation_appliquer(aujourd_hui=AUJOURD_HUI)
    assert resultat["limite"] == limite
    assert resultat["personnes"] == [veille.pk]
    au_jour.refresh_from_db()
    veille.refresh_from_db()
    assert au_jour.date_anonymisation is None and veille.date_anonymisation is not None

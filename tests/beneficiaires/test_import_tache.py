"""L'import confirmé s'exécute en tâche : la page de l'import montre son avancement (lignes traitées sur le total,
élément <progress>, rechargement seul) à qui l'a lancé, et à lui seul ; la tâche est idempotente, un échec se voit
et la tâche rejouée termine le travail. Sur PostgreSQL, l'avancement est visible pendant la transaction d'import."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.urls import reverse

from beneficiaires import services
from beneficiaires.models import Beneficiaire, ImportBeneficiaires
from beneficiaires.taches import importer_liste
from commun.models import Progression
from commun.services import progression_demarrer, progression_suivre
from commun.taches import RELANCES, contexte_essai, executer_en_processus, sera_reessayee
from tests.beneficiaires.test_importation import FAMILLE, en_csv
from tests.comptes.factories import UserFactory


@pytest.fixture
def orleans_import(db):
    from tests.referentiel.factories import BassinFactory, CommuneFactory

    return CommuneFactory(code_insee="45234", nom="Orléans", codes_postaux="45000", bassin_emploi=BassinFactory())


@pytest.fixture
def depot(orleans_import, pilotage):
    depot = services.import_deposer(par=pilotage, fichier_nom="liste.csv", contenu=en_csv(FAMILLE), source="CAF")
    services.import_apercevoir(depot=depot, par=pilotage)  # l'aperçu compte les lignes : le total de l'avancement
    depot.refresh_from_db()
    return depot


def confirmer(client, depot):
    return client.post(reverse("beneficiaires:import_confirmer", args=[depot.pk]))


def essai(depot, par, *, deja_faits=0):
    """La tâche comme l'ouvrier l'exécute, à son (deja_faits + 1)e essai (contexte de Procrastinate)."""
    arguments = {"depot_id": depot.pk, "par_id": par.pk}
    return importer_liste(contexte_essai(importer_liste, arguments, deja_faits), **arguments)


def test_confirmer_lance_la_tache_puis_la_page_montre_l_avancement(
    client, depot, pilotage, django_capture_on_commit_callbacks
):
    client.force_login(pilotage)
    with django_capture_on_commit_callbacks() as taches:
        reponse = confirmer(client, depot)
    assert reponse.status_code == 302 and reponse.url == depot.get_absolute_url()
    assert len(taches) == 1 and not Beneficiaire.objects.exists()  # rien d'importé pendant la requête
    depot.refresh_from_db()
    avancement = depot.progression
    assert depot.statut == ImportBeneficiaires.Statut.EN_COURS
    assert (avancement.utilisateur, avancement.total, avancement.fait) == (pilotage, 3, 0)

    page = client.get(depot.get_absolute_url()).content.decode()
    assert '<progress class="w-100 mb-2" max="100" value="0"' in page and "0 ligne traitée sur 3" in page
    assert f'aria-labelledby="titre-avancement-{avancement.pk}"' in page
    assert '<meta http-equiv="refresh" content="2">' in page  # rechargement seul, sans JavaScript

    taches[0]()  # la tâche, comme un ouvrier l'exécuterait
    depot.refresh_from_db(), avancement.refresh_from_db()
    assert depot.statut == ImportBeneficiaires.Statut.IMPORTE and Beneficiaire.objects.count() == 3
    assert avancement.etat == Progression.Etat.TERMINEE and avancement.fait == avancement.total == 3
    assert avancement.url_resultat == depot.get_absolute_url() and "3 ligne" in avancement.resultat
    fini = client.get(depot.get_absolute_url())
    assert fini.context["bilan"]["crees"] == 3  # le bilan remplace l'avancement
    assert "<progress" not in fini.content.decode() and 'http-equiv="refresh"' not in fini.content.decode()


def test_l_avancement_n_est_montre_qu_a_qui_a_lance_l_import(
    client, depot, pilotage, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(pilotage)
    with django_capture_on_commit_callbacks():
        confirmer(client, depot)
    depot.refresh_from_db()
    autre = UserFactory(pilotage=True)
    client.force_login(autre)
    page = client.get(depot.get_absolute_url())
    assert page.status_code == 200  # l'import se voit, pas son avancement
    assert "<progress" not in page.content.decode() and "est en cours, lancé par" in page.content.decode()
    assert client.get(reverse("commun:progression", args=[depot.progression_id])).status_code == 404
    client.force_login(admin_user)
    assert client.get(reverse("commun:progression", args=[depot.progression_id])).status_code == 404
    client.force_login(pilotage)
    assert client.get(reverse("commun:progression", args=[depot.progression_id])).status_code == 200


def test_confirmer_deux_fois_ne_lance_qu_une_tache(client, depot, pilotage, django_capture_on_commit_callbacks):
    client.force_login(pilotage)
    with django_capture_on_commit_callbacks() as taches:
        confirmer(client, depot)
        confirmer(client, depot)
    assert len(taches) == 1 and Progression.objects.count() == 1
    with pytest.raises(Exception, match="en cours"):
        services.import_abandonner(depot=depot, par=pilotage)


def test_avancement_au_fil_des_ecritures(depot, pilotage):
    notes = []
    services.import_confirmer(depot=depot, par=pilotage, avancement=lambda fait, total: notes.append((fait, total)))
    assert notes and notes[-1] == (3, 3)
    assert [f for f, _t in notes] == sorted(f for f, _t in notes)  # n'avance que vers l'avant


def test_tache_idempotente(depot, pilotage, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.import_lancer(depot=depot, par=pilotage)
    versions = Beneficiaire.history.count()
    essai(depot, pilotage)  # rejouée (l'ouvrier a perdu la réponse de la base)
    assert Beneficiaire.objects.count() == 3 and Beneficiaire.history.count() == versions
    depot.refresh_from_db()
    assert depot.progression.etat == Progression.Etat.TERMINEE


def test_echec_visible_puis_nouvel_essai(depot, pilotage, monkeypatch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as taches:
        services.import_lancer(depot=depot, par=pilotage)
    assert len(taches) == 1
    vrai = services.import_confirmer

    def panne(**kwargs):
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(services, "import_confirmer", panne)
    with pytest.raises(RuntimeError):
        essai(depot, pilotage)
    depot.refresh_from_db()
    assert depot.statut == ImportBeneficiaires.Statut.EN_COURS and not Beneficiaire.objects.exists()
    assert depot.progression.etat == Progression.Etat.ECHEC
    assert "Un nouvel essai aura lieu" in depot.progression.resultat
    monkeypatch.setattr(services, "import_confirmer", vrai)
    essai(depot, pilotage, deja_faits=1)  # le nouvel essai de l'ouvrier
    depot.refresh_from_db()
    assert depot.statut == ImportBeneficiaires.Statut.IMPORTE and depot.progression.etat == Progression.Etat.TERMINEE


def lancer(depot, par, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as taches:
        services.import_lancer(depot=depot, par=par)
    assert len(taches) == 1
    depot.refresh_from_db()
    return depot


def test_erreur_de_l_application_sans_nouvel_essai_le_fichier_repasse_depose(
    client, depot, pilotage, monkeypatch, django_capture_on_commit_callbacks
):
    """Une ValidationError se répéterait à l'identique : pas de nouvel essai ; le fichier se relance ou
    s'abandonne, et sa page dit pourquoi l'import a échoué."""
    depot = lancer(depot, pilotage, django_capture_on_commit_callbacks)
    appels = []

    def refus(**kwargs):
        appels.append(kwargs)
        raise ValidationError("La colonne « nom » est vide sur toutes les lignes.")

    monkeypatch.setattr(services, "import_confirmer", refus)
    executer_en_processus(importer_liste, {"depot_id": depot.pk, "par_id": pilotage.pk})  # comme sur SQLite
    assert len(appels) == 1  # un seul essai, pas les six de la stratégie de relance
    # Sous un ouvrier : la tâche relève le refus (elle finit « failed » dans la file) et n'est pas relancée.
    with pytest.raises(ValidationError) as refus_releve:
        essai(lancer(depot, pilotage, django_capture_on_commit_callbacks), pilotage)
    contexte = contexte_essai(importer_liste, {"depot_id": depot.pk, "par_id": pilotage.pk}, 0)
    assert not sera_reessayee(contexte, refus_releve.value) and len(appels) == 2
    depot.refresh_from_db()
    avancement = depot.progression
    assert depot.statut == ImportBeneficiaires.Statut.DEPOSE and bytes(depot.contenu)
    assert avancement.etat == Progression.Etat.ECHEC
    assert "La colonne « nom » est vide sur toutes les lignes." in avancement.resultat
    assert "relancez l'import, ou abandonnez" in avancement.resultat and "nouvel essai" not in avancement.resultat
    client.force_login(pilotage)
    page = client.get(depot.get_absolute_url()).content.decode()
    assert "La colonne « nom » est vide" in page and "3. Confirmer l'import" in page
    assert 'http-equiv="refresh"' not in page

    monkeypatch.undo()  # le fichier corrigé (ici : l'erreur levée) se relance et s'importe
    depot = lancer(depot, pilotage, django_capture_on_commit_callbacks)
    essai(depot, pilotage)
    depot.refresh_from_db()
    assert depot.statut == ImportBeneficiaires.Statut.IMPORTE and Beneficiaire.objects.count() == 3
    assert depot.progression.etat == Progression.Etat.TERMINEE and depot.progression_id != avancement.pk


def test_erreur_technique_repetee_au_dernier_essai_le_fichier_repasse_depose(
    client, depot, pilotage, monkeypatch, django_capture_on_commit_callbacks
):
    depot = lancer(depot, pilotage, django_capture_on_commit_callbacks)
    appels = []

    def panne(**kwargs):
        appels.append(kwargs)
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(services, "import_confirmer", panne)
    executer_en_processus(importer_liste, {"depot_id": depot.pk, "par_id": pilotage.pk})
    assert len(appels) == 1 + RELANCES.max_attempts  # tous les essais de la stratégie, puis plus rien
    depot.refresh_from_db()
    assert depot.statut == ImportBeneficiaires.Statut.DEPOSE and not Beneficiaire.objects.exists()
    resultat = depot.progression.resultat
    assert depot.progression.etat == Progression.Etat.ECHEC
    assert f"après {1 + RELANCES.max_attempts} essais" in resultat and "ne sera plus réessayé" in resultat
    assert "nouvel essai aura lieu" not in resultat

    services.import_abandonner(depot=depot, par=pilotage)  # abandonnable
    depot.refresh_from_db()
    assert depot.statut == ImportBeneficiaires.Statut.ABANDONNE and bytes(depot.contenu) == b""


def test_avant_le_dernier_essai_le_message_annonce_un_nouvel_essai(
    depot, pilotage, monkeypatch, django_capture_on_commit_callbacks
):
    depot = lancer(depot, pilotage, django_capture_on_commit_callbacks)

    def panne(**kwargs):
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(services, "import_confirmer", panne)
    with pytest.raises(RuntimeError):
        essai(depot, pilotage, deja_faits=RELANCES.max_attempts - 1)  # l'avant-dernier
    depot.refresh_from_db()
    assert depot.statut == ImportBeneficiaires.Statut.EN_COURS
    assert "Un nouvel essai aura lieu" in depot.progression.resultat
    with pytest.raises(RuntimeError):
        essai(depot, pilotage, deja_faits=RELANCES.max_attempts)  # le dernier : l'ouvrier n'en fera plus
    depot.refresh_from_db()
    assert depot.statut == ImportBeneficiaires.Statut.DEPOSE
    assert "ne sera plus réessayé" in depot.progression.resultat


def test_erreur_transitoire_puis_succes_importe_une_seule_fois(
    depot, pilotage, monkeypatch, django_capture_on_commit_callbacks
):
    depot = lancer(depot, pilotage, django_capture_on_commit_callbacks)
    vrai = services.import_confirmer
    appels = []

    def une_panne_puis_le_vrai(**kwargs):
        appels.append(kwargs)
        if len(appels) == 1:
            raise RuntimeError("connexion perdue")
        return vrai(**kwargs)

    monkeypatch.setattr(services, "import_confirmer", une_panne_puis_le_vrai)
    executer_en_processus(importer_liste, {"depot_id": depot.pk, "par_id": pilotage.pk})
    assert len(appels) == 2
    depot.refresh_from_db()
    assert depot.statut == ImportBeneficiaires.Statut.IMPORTE and Beneficiaire.objects.count() == 3
    assert depot.progression.etat == Progression.Etat.TERMINEE and depot.bilan["crees"] == 3
    versions = Beneficiaire.history.count()
    essai(depot, pilotage, deja_faits=2)  # un essai de trop (réponse perdue) : rien de plus
    assert Beneficiaire.objects.count() == 3 and Beneficiaire.history.count() == versions


def test_import_en_cours_en_echec_abandonnable_depuis_sa_page(
    client, depot, pilotage, monkeypatch, django_capture_on_commit_callbacks
):
    depot = lancer(depot, pilotage, django_capture_on_commit_callbacks)
    client.force_login(pilotage)
    assert "Abandonner ce fichier" not in client.get(depot.get_absolute_url()).content.decode()  # il travaille

    def panne(**kwargs):
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(services, "import_confirmer", panne)
    with pytest.raises(RuntimeError):
        essai(depot, pilotage)
    page = client.get(depot.get_absolute_url()).content.decode()
    assert "Un nouvel essai aura lieu" in page and "Abandonner ce fichier" in page
    reponse = client.post(reverse("beneficiaires:import_abandonner", args=[depot.pk]))
    assert reponse.status_code == 302
    depot.refresh_from_db()
    assert depot.statut == ImportBeneficiaires.Statut.ABANDONNE
    assert bytes(depot.contenu) == b"" and bytes(depot.lignes) == b"" and depot.apercu == {}
    assert "abandonné" in depot.progression.resultat
    monkeypatch.undo()
    essai(depot, pilotage, deja_faits=1)  # le nouvel essai prévu ne fait rien
    depot.refresh_from_db()
    assert depot.statut == ImportBeneficiaires.Statut.ABANDONNE and not Beneficiaire.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_avancement_visible_pendant_la_transaction_de_la_tache(est_postgresql):
    if not est_postgresql:
        pytest.skip("Une seconde connexion qui écrit pendant une transaction ouverte : PostgreSQL seulement.")
    user = UserFactory(pilotage=True)
    avancement = progression_demarrer(utilisateur=user, libelle="Import", total=10)
    lecteur = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with transaction.atomic(), progression_suivre(avancement.pk) as noter:
            assert connection.in_atomic_block
            noter(4, 10)
            with lecteur.cursor() as curseur:  # une autre session : la page d'avancement
                curseur.execute("SELECT fait, etat FROM commun_progression WHERE id = %s", [avancement.pk])
                assert curseur.fetchone() == (4, Progression.Etat.EN_COURS)
            noter(99, 10)  # jamais au-delà du total
            with lecteur.cursor() as curseur:
                curseur.execute("SELECT fait FROM commun_progression WHERE id = %s", [avancement.pk])
                assert curseur.fetchone() == (10,)
    finally:
        lecteur.close()

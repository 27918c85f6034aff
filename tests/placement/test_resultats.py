"""Résultats payés seulement une fois vérifiés par le Département : déclaration avec justificatif (PDF, PNG, JPEG
reconnus par leur contenu, taille bornée, stockage privé), validation ou rejet motivé, paiement ; historique et fil
de la personne ; accès au justificatif par rôle et périmètre."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from beneficiaires.timeline import evenements
from comptes.models import JournalExport
from placement import services
from placement.models import ResultatPaye, StatutResultat, TypeSortie
from tests.comptes.factories import UserFactory
from tests.placement.outils import J0, PDF, declarer, jusqu_a_entree, justificatif, personne_de

pytestmark = pytest.mark.django_db

ENTREE = ResultatPaye.Nature.ENTREE


def image(format_):
    tampon = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(tampon, format=format_)
    return tampon.getvalue()


@pytest.fixture
def en_accompagnement(bassins, referent, lot_orleans, agent_a):
    return jusqu_a_entree(personne_de(bassins["Orléans"]), referent, agent_a)


def test_l_entree_n_est_plus_payee_sur_la_parole_du_prestataire(en_accompagnement):
    # Aujourd'hui : l'entrée en accompagnement créait un « résultat payé » sans contrôle.
    assert not ResultatPaye.objects.exists()
    assert ResultatPaye.objects.total() == Decimal("0.00")


def test_declaration_validation_paiement(en_accompagnement, agent_a, pilotage):
    r = declarer(en_accompagnement, agent_a, ENTREE)
    assert r.statut == StatutResultat.DECLARE and r.prix_unitaire == Decimal("400.00")
    assert r.date == en_accompagnement.date_entree and r.justificatif_type == "application/pdf"
    assert ResultatPaye.objects.total() == Decimal("0.00")  # déclaré : pas encore dû
    r = services.resultat_valider(resultat=r, par=pilotage)
    assert r.statut == StatutResultat.VALIDE and r.decide_par == pilotage
    assert ResultatPaye.objects.total() == Decimal("400.00")  # service fait : dû
    r = services.resultat_marquer_paye(
        resultat=r, par=pilotage, date_paiement=datetime.date(2026, 1, 5), reference="M-1"
    )
    assert r.statut == StatutResultat.PAYE and ResultatPaye.objects.total() == Decimal("400.00")
    # Chaque étape est historisée, attribuée.
    assert [h.statut for h in r.history.order_by("history_date", "history_id")] == ["declare", "valide", "paye"]
    with pytest.raises(ValidationError, match="déjà déclaré"):
        declarer(en_accompagnement, agent_a, ENTREE)


def test_rejet_motive_puis_nouvelle_declaration(en_accompagnement, agent_a, admin_user):
    r = declarer(en_accompagnement, agent_a, ENTREE)
    with pytest.raises(ValidationError, match="motivé"):
        services.resultat_rejeter(resultat=r, par=admin_user, motif="  ")
    r = services.resultat_rejeter(resultat=r, par=admin_user, motif="Attestation non signée.")
    assert r.statut == StatutResultat.REJETE and ResultatPaye.objects.total() == Decimal("0.00")
    with pytest.raises(ValidationError, match="validé"):
        services.resultat_marquer_paye(resultat=r, par=admin_user, date_paiement=datetime.date(2026, 1, 5))
    nouveau = declarer(en_accompagnement, agent_a, ENTREE)
    assert nouveau.statut == StatutResultat.DECLARE


def test_seul_le_departement_verifie(en_accompagnement, agent_a, referent, admin_user):
    r = declarer(en_accompagnement, agent_a, ENTREE)
    for user in (agent_a, referent):
        with pytest.raises(ValidationError, match="Département"):
            services.resultat_valider(resultat=r, par=user)
    # Un administrateur qui déclare ne valide pas sa propre déclaration.
    r2_orientation = en_accompagnement
    services.resultat_rejeter(resultat=r, par=admin_user, motif="Illisible.")
    r2 = declarer(r2_orientation, admin_user, ENTREE)
    with pytest.raises(ValidationError, match="déclaré"):
        services.resultat_valider(resultat=r2, par=admin_user)


def test_un_resultat_non_acquis_ne_se_declare_pas(bassins, referent, lot_orleans, agent_a, agent_b, en_accompagnement):
    with pytest.raises(ValidationError, match="pas acquis"):
        declarer(en_accompagnement, agent_a, ResultatPaye.Nature.SORTIE_POSITIVE)
    with pytest.raises(ValidationError, match="titulaire"):
        declarer(en_accompagnement, agent_b, ENTREE)
    services.sortie_enregistrer(
        orientation=en_accompagnement, par=agent_a, type=TypeSortie.ABANDON, date=J0 + datetime.timedelta(days=30)
    )
    with pytest.raises(ValidationError, match="pas acquis"):
        declarer(en_accompagnement, agent_a, ResultatPaye.Nature.SORTIE_POSITIVE)


@pytest.mark.parametrize(
    ("nom", "contenu", "type_attendu"),
    [
        ("contrat.pdf", PDF, "application/pdf"),
        ("photo.png", image("PNG"), "image/png"),
        ("scan.jpg", image("JPEG"), "image/jpeg"),
        ("contrat.PDF", image("PNG"), "image/png"),  # le contenu fait foi, pas le nom
    ],
)
def test_formats_acceptes_par_le_contenu(en_accompagnement, agent_a, nom, contenu, type_attendu, settings):
    r = services.resultat_declarer(
        orientation=en_accompagnement, nature=ENTREE, justificatif=justificatif(nom, contenu), par=agent_a
    )
    assert r.justificatif_type == type_attendu and r.nom_fichier == nom
    # Nom aléatoire dans le stockage privé, hors de la racine web et des fichiers statiques.
    chemin = Path(r.justificatif.path)
    assert nom not in chemin.name and chemin.is_file()
    assert Path(settings.STORAGES["justificatifs"]["OPTIONS"]["location"]) in chemin.parents
    assert not str(chemin).startswith(str(settings.STATIC_ROOT))


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "PDF"),
        (b"MZ\x90\x00 executable", "PDF"),
        (b"%PDF-1.4 tronque sans fin", "PDF"),
        (image("PNG")[:40], "PDF"),  # PNG tronqué
        (image("GIF"), "PDF"),
        (b"", "vide"),
    ],
)
def test_formats_refuses(en_accompagnement, agent_a, contenu, message):
    with pytest.raises(ValidationError, match=message):
        services.resultat_declarer(
            orientation=en_accompagnement, nature=ENTREE, justificatif=justificatif("x.pdf", contenu), par=agent_a
        )
    assert not ResultatPaye.objects.exists()


def test_taille_maximale(en_accompagnement, agent_a, settings):
    settings.JUSTIFICATIF_TAILLE_MAX_MO = 1
    gros = PDF[:-7] + b"0" * (1024 * 1024) + b"\n%%EOF\n"
    with pytest.raises(ValidationError, match="1 Mo"):
        services.resultat_declarer(
            orientation=en_accompagnement, nature=ENTREE, justificatif=justificatif("gros.pdf", gros), par=agent_a
        )


def test_fil_de_la_personne(en_accompagnement, agent_a, pilotage, referent):
    r = declarer(en_accompagnement, agent_a, ENTREE)
    services.resultat_valider(resultat=r, par=pilotage)
    titres = [e.titre for e in evenements(en_accompagnement.beneficiaire, pilotage)]
    assert "Résultat déclaré : entrée en accompagnement" in titres
    assert "Résultat validé (service fait) : entrée en accompagnement" in titres
    # Le référent voit les étapes, pas les montants.
    details = [e.detail for e in evenements(en_accompagnement.beneficiaire, referent) if "Résultat" in e.titre]
    assert details and not any("€" in (d or "") for d in details)


# --- Pages ---------------------------------------------------------------------------------------------


def test_parcours_par_les_pages(client, en_accompagnement, agent_a, pilotage):
    client.force_login(agent_a)
    url = reverse("placement:declarer", args=[en_accompagnement.pk])
    reponse = client.get(url)
    assert reponse.status_code == 200 and 'enctype="multipart/form-data"' in reponse.content.decode()
    faux = SimpleUploadedFile("contrat.pdf", b"pas un pdf", content_type="application/pdf")
    reponse = client.post(url, {"nature": ENTREE, "justificatif": faux})
    assert reponse.status_code == 200 and "doit être un PDF" in reponse.content.decode()
    reponse = client.post(url, {"nature": ENTREE, "justificatif": justificatif()})
    r = ResultatPaye.objects.get()
    assert reponse.status_code == 302 and r.statut == StatutResultat.DECLARE
    # Le prestataire ne valide pas.
    assert client.post(reverse("placement:resultat_valider", args=[r.pk])).status_code == 403
    client.force_login(pilotage)
    assert client.post(reverse("placement:resultat_valider", args=[r.pk])).status_code == 302
    r.refresh_from_db()
    assert r.statut == StatutResultat.VALIDE
    reponse = client.post(reverse("placement:resultat_payer", args=[r.pk]), {"date_paiement": "2026-12-01"})
    r.refresh_from_db()
    assert reponse.status_code == 302 and r.statut == StatutResultat.PAYE


def test_rejet_par_la_page(client, en_accompagnement, agent_a, admin_user):
    r = declarer(en_accompagnement, agent_a, ENTREE)
    client.force_login(admin_user)
    url = reverse("placement:resultat_rejeter", args=[r.pk])
    assert "obligatoire" in client.post(url, {"motif_rejet": ""}).content.decode()
    assert client.post(url, {"motif_rejet": "Contrat non signé."}).status_code == 302
    r.refresh_from_db()
    assert r.statut == StatutResultat.REJETE and r.motif_rejet == "Contrat non signé."


def test_justificatif_servi_par_role_et_perimetre(client, en_accompagnement, agent_a, agent_b, referent, pilotage):
    r = declarer(en_accompagnement, agent_a, ENTREE)
    url = reverse("placement:justificatif", args=[r.pk])
    for user, attendu in ((agent_a, 200), (pilotage, 200), (agent_b, 404), (referent, 403)):
        client.force_login(user)
        reponse = client.get(url)
        assert reponse.status_code == attendu, user
        if attendu == 200:
            assert b"".join(reponse.streaming_content) == PDF
            assert reponse["Content-Disposition"].startswith("attachment;")
            assert "no-store" in reponse["Cache-Control"]
            assert reponse["Content-Type"] == "application/pdf"
            entree = JournalExport.objects.latest("pk")
            assert (entree.utilisateur, entree.filtres, entree.format) == (user, f"resultat={r.pk}", "pdf")
    client.logout()
    assert client.get(url).status_code == 302


def test_etat_distingue_declares_valides_rejetes_payes(client, bassins, referent, lot_orleans, agent_a, pilotage):
    statuts = []
    for _ in range(4):
        o = jusqu_a_entree(personne_de(bassins["Orléans"]), referent, agent_a)
        statuts.append(declarer(o, agent_a, ENTREE))
    declare, valide, rejete, paye = statuts
    services.resultat_valider(resultat=valide, par=pilotage)
    services.resultat_rejeter(resultat=rejete, par=pilotage, motif="Illisible.")
    services.resultat_marquer_paye(
        resultat=services.resultat_valider(resultat=paye, par=pilotage),
        par=pilotage,
        date_paiement=datetime.date.today(),
    )
    client.force_login(pilotage)
    reponse = client.get(reverse("placement:etat"))
    (ligne,) = reponse.context["synthese"]
    assert (ligne["quantite_declare"], ligne["quantite_valide"], ligne["quantite_rejete"], ligne["quantite_paye"]) == (
        1,
        1,
        1,
        1,
    )
    assert ligne["montant"] == Decimal("800.00")
    totaux = reponse.context["totaux"]
    assert totaux["declare"] == totaux["rejete"] == totaux["valide"] == totaux["paye"] == Decimal("400.00")
    assert reponse.context["total"] == Decimal("800.00")
    contenu = reponse.content.decode()
    assert "Marché 2017–2030 — Lot 1 Orléans — Insertion Emploi Centre" in contenu
    assert "Validés, à payer" in contenu and "Déclarés" in contenu and "Rejetés" in contenu and "Payés" in contenu
    assert 'href="?statut=declare"' in contenu  # le Département trouve ce qu'il a à vérifier
    # Filtre par statut.
    assert len(client.get(reverse("placement:etat"), {"statut": "rejete"}).context["table"].rows) == 1


def test_pages_resultat_nombre_de_requetes_constant(
    client, bassins, referent, lot_orleans, agent_a, pilotage, django_assert_max_num_queries
):
    lot_orleans.capacite = 60
    lot_orleans.save()
    for _ in range(40):
        o = jusqu_a_entree(personne_de(bassins["Orléans"]), referent, agent_a)
        services.resultat_valider(resultat=declarer(o, agent_a, ENTREE), par=pilotage)
    client.force_login(pilotage)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("placement:etat")).status_code == 200
    r = ResultatPaye.objects.first()
    with django_assert_max_num_queries(20):
        assert client.get(reverse("placement:resultat", args=[r.pk])).status_code == 200
    user = UserFactory(prestataire=True, structure=lot_orleans.prestataire)
    client.force_login(user)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("placement:declarer", args=[r.orientation_id])).status_code == 200


def test_migration_reprend_les_resultats_valides_et_clot_les_orientations(bassins, referent, lot_orleans, agent_a):
    import importlib

    from django.apps import apps

    o = jusqu_a_entree(personne_de(bassins["Orléans"]), referent, agent_a)
    services.sortie_enregistrer(
        orientation=o, par=agent_a, type=TypeSortie.FORMATION, date=J0 + datetime.timedelta(days=40)
    )
    # Une ligne telle que l'ancien code l'écrivait : payée sur la parole du prestataire, sans statut ni clôture.
    ancien = ResultatPaye.objects.create(
        orientation=o, lot=lot_orleans, nature=ENTREE, date=o.date_entree, prix_unitaire=Decimal("400.00")
    )
    Orientation_ = o.__class__
    Orientation_.objects.filter(pk=o.pk).update(date_cloture=None)
    migration = importlib.import_module("placement.migrations.0003_resultats_verifies_acces_borne")
    migration.reprendre(apps, None)
    ancien.refresh_from_db()
    o.refresh_from_db()
    assert ancien.statut == StatutResultat.VALIDE and ancien.date_decision is not None
    assert ResultatPaye.objects.total() == Decimal("400.00")
    assert o.date_cloture == o.date_sortie


def test_anonymisation_efface_le_justificatif(
    bassins, referent, lot_orleans, agent_a, django_capture_on_commit_callbacks
):
    from beneficiaires.models import Beneficiaire
    from beneficiaires.rgpd import conservation_appliquer
    from placement.models import Orientation

    o = jusqu_a_entree(personne_de(bassins["Orléans"]), referent, agent_a)
    r = declarer(o, agent_a, ENTREE)
    chemin = Path(r.justificatif.path)
    assert chemin.is_file()
    vieux = timezone.make_aware(datetime.datetime(2019, 1, 1))
    for modele in (Beneficiaire, Orientation, ResultatPaye):
        modele.objects.update(date_creation=vieux)
        modele.history.model.objects.update(history_date=vieux)
    with django_capture_on_commit_callbacks(execute=True):
        assert conservation_appliquer()["personnes"] == [o.beneficiaire_id]
    r.refresh_from_db()
    assert not r.justificatif and r.nom_fichier == "Anonymisé" and not chemin.exists()
    assert not r.history.exclude(justificatif="").exists()

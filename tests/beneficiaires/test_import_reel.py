"""Des listes réelles : en-têtes d'autres logiciels, adresses hors du Département, e-mails internationalisés,
référents inconnus ; doublons d'identité ; fichiers hostiles. Chaque personne entre, avec des avertissements."""

import io
import random
import tracemalloc
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from beneficiaires import services
from beneficiaires.importation import ImportImpossible, importer, verifier_fichier
from beneficiaires.models import Beneficiaire, DoublonProbable, Foyer, ImportBeneficiaires, Role
from referentiel.services import communes_charger
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.referentiel.factories import BassinFactory, CommuneFactory
from tests.referentiel.test_national import NATIONAL

pytestmark = pytest.mark.django_db

ENTETES_IODAS = [
    "Civilité", "Prénom bénéficiaire", "Nom bénéficiaire", "Adresses Mails", "N° Téléphones", "Date de Naissance",
    "CP Ville", "N° CAF", "ID Iodas", "Référent", "Role",
]  # fmt: skip
VILLES = [
    "45000 ORLEANS",
    "45800 ST JEAN DE BRAYE",
    "45044 ORLEANS CEDEX 1",
    "75007 PARIS",
    "75116 PARIS 16E",
    "69003 LYON",
    "13001 MARSEILLE",
    "59402 NICE",  # code postal du Nord, ville des Alpes-Maritimes : à vérifier
    "06000 NICE",  # hors du référentiel chargé
    "18000 BOURGES",
]
CIVILITES = ["Mme", "M.", "Monsieur", "Madame", "Mlle", "MR", "Mme.", "Docteur"]
TELEPHONES = ["06 12 34 56 78", "06.12.34.56.78", "+33 6 12 34 56 78", "0612345678", "+33612345678", "12"]
EMAILS = ["inès.dupont@exemple.fr", "jose.garcía@correo.es", "zoé@exemple.fr", "marc@exemple.fr", "pas-un-mail"]


def liste_iodas(n=600, graine=16):
    rng = random.Random(graine)
    lignes = [";".join(ENTETES_IODAS)]
    for i in range(n):
        valeurs = [
            CIVILITES[i % len(CIVILITES)],
            rng.choice(["Inès", "José", "Zoé", "Marc", "Hélène"]) + f" {i}",
            rng.choice(["DUPONT", "GARCÍA", "N'DIAYE", "LE GOFF"]),
            EMAILS[i % len(EMAILS)],
            TELEPHONES[i % len(TELEPHONES)],
            f"{1 + i % 28:02d}/{1 + i % 12:02d}/{1960 + i % 40}",
            VILLES[i % len(VILLES)],
            f"{7000000 + i}",
            f"IOD-{i:05d}",
            "inconnu@exemple.fr" if i % 3 == 0 else ("referent@exemple.fr" if i % 3 == 1 else ""),
            "" if i % 2 == 0 else "DEM",
        ]
        lignes.append(";".join(valeurs))
    return ("\ufeff" + "\r\n".join(lignes) + "\r\n").encode("utf-8")


@pytest.fixture
def referentiel(db):
    communes_charger(contenu=NATIONAL.encode())


def test_liste_iodas_de_600_personnes_toutes_importees_avec_avertissements(referentiel):
    referent = UserFactory(referent=True, email="referent@exemple.fr")
    bilan = importer(liste_iodas(), source="Iodas")
    assert bilan.rejets == []
    assert bilan.crees == 600 and Beneficiaire.objects.count() == 600
    assert Beneficiaire.objects.filter(role=Role.DEM).count() == 600  # rôle vide = demandeur
    # Chaque champ facultatif illisible donne un avertissement par ligne et par champ.
    champs = {champ for _n, champ, _m in bilan.avertissements}
    assert {"référent", "e-mail", "téléphone", "civilité", "commune"} <= champs
    assert (2, "référent", "aucun référent actif n'a l'e-mail « inconnu@exemple.fr », non repris") in (
        bilan.avertissements
    )
    # E-mails internationalisés gardés ; téléphones ramenés à un format ; identifiant Iodas gardé.
    premiere = Beneficiaire.objects.get(identifiant_externe="IOD-00000")
    assert premiere.email == "inès.dupont@exemple.fr"
    assert premiere.telephone == "06 12 34 56 78" and premiere.civilite == "MME"
    assert set(Beneficiaire.objects.exclude(telephone="").values_list("telephone", flat=True)) == {"06 12 34 56 78"}
    assert Beneficiaire.objects.filter(email="jose.garcía@correo.es").exists()
    assert Beneficiaire.objects.filter(referent=referent).count() == 200
    # Paris par arrondissement, Lyon, Marseille, CEDEX, ST : retrouvés ; Nice : à rattacher, adresse gardée.
    paris = Beneficiaire.objects.filter(commune__code_insee="75056").count()
    assert paris == 120
    assert Beneficiaire.objects.filter(commune__code_insee="45234").count() == 120  # dont CEDEX
    a_rattacher = Beneficiaire.objects.a_rattacher()
    assert a_rattacher.count() == bilan.a_rattacher == 120
    assert set(a_rattacher.values_list("adresse_brute", flat=True)) == {"59402 NICE", "06000 NICE"}
    assert Foyer.objects.filter(commune__isnull=True).count() == 120


def test_commande_avec_correspondance_et_colonnes_ignorees(referentiel, tmp_path, capsys):
    fichier = tmp_path / "liste.csv"
    contenu = liste_iodas(5).decode("utf-8-sig").replace("Référent", "Suivi par").replace("ID Iodas", "Dossier")
    fichier.write_text(contenu + "", encoding="utf-8")
    call_command(
        "importer_beneficiaires", str(fichier), "--correspondance", "Dossier=identifiant_externe",
        "--correspondance", "Suivi par=ignorer",
    )  # fmt: skip
    sortie = capsys.readouterr().out
    assert "Colonnes ignorées : Suivi par" in sortie
    assert "avertissement" in sortie
    assert Beneficiaire.objects.filter(identifiant_externe="IOD-00001").exists()


def test_commande_reprend_la_correspondance_de_la_source(referentiel, tmp_path, admin_user):
    services.correspondance_enregistrer(source="Logiciel Y", correspondances={"dossier": "identifiant_externe"},
                                        par=admin_user)  # fmt: skip
    fichier = tmp_path / "liste.csv"
    fichier.write_text(liste_iodas(3).decode("utf-8-sig").replace("ID Iodas", "Dossier"), encoding="utf-8")
    call_command("importer_beneficiaires", str(fichier), "--source", "Logiciel Y")
    assert Beneficiaire.objects.filter(identifiant_externe="IOD-00002").exists()


# --- Identités -------------------------------------------------------------------------------------------


def une_ligne(numero, nom="Dupont", prenoms="Inès", naissance="02/03/1985", nir=""):
    entetes = "N° CAF;Nom;Prénom;Date de naissance;CP Ville;Téléphone;NIR"
    return f"{entetes}\n{numero};{nom};{prenoms};{naissance};45000 Orléans;07 81 23 45 67;{nir}\n".encode()


@pytest.fixture
def orleans(db):
    return CommuneFactory(code_insee="45234", nom="Orléans", codes_postaux="45000", bassin_emploi=BassinFactory())


def test_meme_identite_dans_un_autre_foyer_signalee_et_non_creee(orleans, admin_user):
    connue = BeneficiaireFactory(nom="DUPONT", prenoms="Inès", date_naissance="1985-03-02", commune=orleans)
    bilan = importer(une_ligne("9990001", nom="dupont", prenoms="Ines"), source="CAF", par=admin_user)
    assert bilan.crees == 0 and len(bilan.doublons) == 1
    assert bilan.doublons[0][2] == str(connue)
    assert Beneficiaire.objects.count() == 1
    doublon = DoublonProbable.objects.get()
    assert doublon.existant == connue and doublon.motif == "mêmes nom, prénoms et date de naissance"

    # Même personne : la fiche connue reprend le téléphone de la liste, avec son historique.
    services.doublon_fusionner(doublon=doublon, par=admin_user)
    connue.refresh_from_db()
    assert connue.telephone == "07 81 23 45 67"
    assert "Fusion avec la ligne 2" in connue.history.first().history_change_reason
    doublon.refresh_from_db()
    assert doublon.statut == DoublonProbable.Statut.FUSIONNE and doublon.traite_par == admin_user
    assert Beneficiaire.objects.count() == 1


def test_personnes_differentes_la_personne_de_la_liste_est_creee(orleans, admin_user):
    BeneficiaireFactory(nom="DUPONT", prenoms="Inès", date_naissance="1985-03-02", commune=orleans)
    importer(une_ligne("9990001"), source="CAF", par=admin_user)
    doublon = DoublonProbable.objects.get()
    services.doublon_distinguer(doublon=doublon, par=admin_user)
    doublon.refresh_from_db()
    assert doublon.cree.foyer.numero_allocataire == "9990001"
    assert Beneficiaire.objects.count() == 2
    with pytest.raises(Exception, match="déjà été traité"):
        services.doublon_fusionner(doublon=doublon, par=admin_user)


def test_meme_nir_signale(orleans, admin_user):
    nir = "295037511600070"
    BeneficiaireFactory(nom="Martin", prenoms="Zoé", nir=nir, commune=orleans)
    bilan = importer(une_ligne("9990002", nom="Durand", prenoms="Zoé", nir=nir), source="CAF")
    assert bilan.doublons and bilan.doublons[0][3] == "même NIR"
    assert Beneficiaire.objects.count() == 1


def test_doublon_refuse_au_referent(orleans, referent):
    BeneficiaireFactory(nom="DUPONT", prenoms="Inès", date_naissance="1985-03-02", commune=orleans)
    importer(une_ligne("9990001"), source="CAF")
    with pytest.raises(Exception, match="pilotage"):
        services.doublon_distinguer(doublon=DoublonProbable.objects.get(), par=referent)


# --- Personnes à rattacher -------------------------------------------------------------------------------


def test_personne_sans_commune_visible_seulement_de_l_administration_et_du_pilotage(
    referentiel, admin_user, pilotage, client
):
    from referentiel.models import Commune

    orleans = Commune.objects.get(code_insee="45234")
    referent = UserFactory(referent=True, bassins=[orleans.bassin_emploi])
    prestataire = UserFactory(prestataire=True)
    importer(une_ligne("9990003").replace(b"45000 Orl\xc3\xa9ans", b"06000 NICE"), source="CAF")
    personne = Beneficiaire.objects.get()
    assert personne.adresse_a_verifier
    for user, visible in ((admin_user, True), (pilotage, True), (referent, False), (prestataire, False)):
        assert Beneficiaire.objects.visibles_par(user).filter(pk=personne.pk).exists() is visible
        assert Foyer.objects.visibles_par(user).filter(pk=personne.foyer_id).exists() is visible

    client.force_login(pilotage)
    page = client.get(reverse("beneficiaires:a_rattacher"))
    assert personne in page.context["personnes"]
    reponse = client.post(reverse("beneficiaires:rattacher", args=[personne.pk]), {"commune": "45000 Orléans"})
    assert reponse.status_code == 302
    personne.refresh_from_db()
    assert personne.commune == orleans and personne.adresse_brute == ""
    assert Beneficiaire.objects.visibles_par(referent).filter(pk=personne.pk).exists()
    assert personne.history.first().history_change_reason.startswith("Rattachement")


def test_rattacher_a_une_commune_inconnue_donne_un_message(referentiel, pilotage, client):
    importer(une_ligne("9990003").replace(b"45000 Orl\xc3\xa9ans", b"06000 NICE"), source="CAF")
    client.force_login(pilotage)
    reponse = client.post(reverse("beneficiaires:rattacher", args=[Beneficiaire.objects.get().pk]), {"commune": "Nice"})
    assert reponse.status_code == 200
    assert "Commune non trouvée" in str(reponse.context["form"].errors["commune"])


def test_pages_a_rattacher_et_doublons_en_requetes_constantes(
    orleans, admin_user, client, django_assert_max_num_queries
):
    lignes = ["N° CAF;Nom;Prénom;Date de naissance;CP Ville"]
    for i in range(60):
        BeneficiaireFactory(nom=f"Connu{i}", prenoms="A", date_naissance="1980-01-01", commune=orleans)
        lignes.append(f"{8000000 + i};Connu{i};A;01/01/1980;45000 Orléans")
        lignes.append(f"{8100000 + i};Ailleurs{i};B;01/01/1980;99999 Atlantide")
    bilan = importer("\n".join(lignes).encode(), source="CAF")
    assert len(bilan.doublons) == 60 and bilan.a_rattacher == 60
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("beneficiaires:a_rattacher")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("beneficiaires:doublons")).status_code == 200
    with django_assert_max_num_queries(14):
        assert (
            client.get(reverse("beneficiaires:doublon", args=[DoublonProbable.objects.first().pk])).status_code == 200
        )


def test_indicateur_des_personnes_a_rattacher(orleans):
    from datetime import date

    from beneficiaires.indicateurs import personnes_a_rattacher
    from tableau_de_bord.registre import Contexte

    importer(une_ligne("9990004").replace(b"45000 Orl\xc3\xa9ans", b"99999 Atlantide"), source="CAF")
    ctx = Contexte(debut=date(2026, 1, 1), fin=date(2026, 12, 31), bassins=(orleans.bassin_emploi,))
    assert personnes_a_rattacher(ctx).valeur == 1
    restreint = Contexte(debut=date(2026, 1, 1), fin=date(2026, 12, 31), bassins=(orleans.bassin_emploi,),
                         restreint=True)  # fmt: skip
    assert personnes_a_rattacher(restreint).valeur == 1 and personnes_a_rattacher(restreint).lien is None


# --- Fichiers hostiles ------------------------------------------------------------------------------------


def bombe_xlsx(taille):
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as flux:
            bloc = b"\0" * (1024 * 1024)
            for _ in range(taille // len(bloc)):
                flux.write(bloc)
    return tampon.getvalue()


def test_bombe_xlsx_refusee_sans_decompresser(settings):
    settings.IMPORT_XLSX_DECOMPRESSE_MAX = 8 * 1024 * 1024
    bombe = bombe_xlsx(64 * 1024 * 1024)  # 64 Mo une fois décompressée, quelques dizaines de Ko compressée
    assert len(bombe) < 200 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(ImportImpossible, match="une fois décompressé"):
            verifier_fichier(bombe)
        _courant, pic = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert pic < 2 * 1024 * 1024  # mémoire bornée : rien n'est décompressé


def test_octet_nul_loin_dans_le_fichier_refuse_au_depot(orleans, admin_user, client):
    contenu = une_ligne("9990005") + b"9990006;Nul;A;01/01/1980;45000 Orl\xc3\xa9ans\n" * 2000
    contenu = contenu[:-20] + b"\x00" + contenu[-20:]
    client.force_login(admin_user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    reponse = client.post(
        reverse("beneficiaires:import"), {"fichier": SimpleUploadedFile("l.csv", contenu), "source": "CAF"}
    )
    assert "caractère nul (ligne 2002)" in str(reponse.context["form"].errors["fichier"])
    assert not ImportBeneficiaires.objects.exists()


@pytest.mark.parametrize(
    "reglage, valeur, contenu, message",
    [
        ("IMPORT_LIGNES_MAX", 3, b"N\xc2\xb0 CAF;Nom\n" + b"1;A\n" * 5, "au plus 3 personnes"),
        ("IMPORT_COLONNES_MAX", 4, b"a;b;c;d;e;f\n1;2;3;4;5;6\n", "au plus 4"),
    ],
)
def test_limites_de_lignes_et_de_colonnes(settings, reglage, valeur, contenu, message):
    setattr(settings, reglage, valeur)
    with pytest.raises(ImportImpossible, match=message):
        verifier_fichier(contenu)


def test_apercu_lu_une_fois_puis_repris(orleans, admin_user, client, monkeypatch, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(
        reverse("beneficiaires:import"), {"fichier": SimpleUploadedFile("l.csv", une_ligne("9990007")), "source": "CAF"}
    )
    depot = ImportBeneficiaires.objects.get()
    assert client.get(depot.get_absolute_url()).context["bilan"]["crees"] == 1
    depot.refresh_from_db()
    assert depot.lignes and depot.apercu

    def interdit(*args, **kwargs):
        raise AssertionError("le fichier est relu")

    monkeypatch.setattr("beneficiaires.importation.preparation.lire", interdit)
    assert client.get(depot.get_absolute_url()).context["bilan"]["crees"] == 1  # rechargement : rien n'est relu
    with django_capture_on_commit_callbacks(execute=True):  # la tâche d'import, une fois la requête validée
        client.post(reverse("beneficiaires:import_confirmer", args=[depot.pk]))
    assert Beneficiaire.objects.filter(foyer__numero_allocataire="9990007").exists()
    depot.refresh_from_db()
    assert depot.statut == ImportBeneficiaires.Statut.IMPORTE and not depot.lignes


def test_page_d_import_pre_remplie_avec_le_departement_des_reglages(admin_user, client, settings):
    settings.DEPARTEMENT_NOM = "Département du Cher"
    client.force_login(admin_user)
    corps = client.get(reverse("beneficiaires:import")).content.decode()
    assert "Département du Cher" in corps and "Loiret" not in corps


def test_fiche_et_export_d_une_personne_a_rattacher(orleans, admin_user, client):
    importer(une_ligne("9990008").replace(b"45000 Orl\xc3\xa9ans", b"99999 Atlantide"), source="CAF")
    personne = Beneficiaire.objects.get()
    client.force_login(admin_user)
    corps = client.get(personne.get_absolute_url()).content.decode()
    assert "Adresse à vérifier" in corps and "99999 Atlantide" in corps
    export = client.get(reverse("beneficiaires:liste"), {"_export": "csv"})
    assert export.status_code == 200 and "à rattacher (99999 Atlantide)" in export.content.decode()

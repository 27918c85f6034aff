import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from beneficiaires.importation import ColonnesARelier, ImportImpossible, importer
from beneficiaires.models import Beneficiaire, CorrespondanceColonnes, Foyer
from beneficiaires.services import correspondance_enregistrer
from tests.beneficiaires.factories import BeneficiaireFactory, FoyerFactory
from tests.comptes.factories import UserFactory
from tests.referentiel.factories import BassinFactory, CommuneFactory

pytestmark = pytest.mark.django_db

ENTETES = [
    "numéro allocataire", "organisme", "état du droit", "SDD", "rôle", "nom", "prénoms", "date de naissance",
    "adresse", "code postal", "commune", "téléphone", "e-mail",
]  # fmt: skip


@pytest.fixture
def communes(db):
    orleans = BassinFactory(nom="Orléans")
    gien = BassinFactory(nom="Gien")
    return {
        "orleans": CommuneFactory(code_insee="45234", nom="Orléans", codes_postaux="45000", bassin_emploi=orleans),
        "sjb": CommuneFactory(
            code_insee="45284", nom="Saint-Jean-de-Braye", codes_postaux="45800", bassin_emploi=orleans
        ),
        "gien": CommuneFactory(code_insee="45155", nom="Gien", codes_postaux="45500", bassin_emploi=gien),
        "bourg_a": CommuneFactory(code_insee="45901", nom="Le Bourg", codes_postaux="45110", bassin_emploi=gien),
        "bourg_b": CommuneFactory(code_insee="45902", nom="Le Bourg", codes_postaux="45120", bassin_emploi=gien),
    }


def ligne(**kw):
    base = {
        "numéro allocataire": "1234567", "organisme": "CAF", "état du droit": "2", "SDD": "oui", "rôle": "DEM",
        "nom": "MARTIN", "prénoms": "Sophie", "date de naissance": "14/03/1984", "adresse": "12 rue Bannier",
        "code postal": "45000", "commune": "Orléans", "téléphone": "06 12 34 56 78", "e-mail": "",
    }  # fmt: skip
    base.update(kw)
    return base


def en_csv(lignes, *, entetes=ENTETES, sep=";", encodage="utf-8", bom=False):
    tampon = io.StringIO()
    tampon.write(sep.join(entetes) + "\r\n")
    for lig in lignes:
        tampon.write(sep.join(str(lig.get(e, "")) for e in entetes) + "\r\n")
    contenu = tampon.getvalue().encode(encodage)
    return (b"\xef\xbb\xbf" + contenu) if bom else contenu


def en_xlsx(lignes, *, entetes=ENTETES):
    classeur = Workbook()
    feuille = classeur.active
    feuille.append(entetes)
    for lig in lignes:
        feuille.append([lig.get(e, "") for e in entetes])
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


FAMILLE = [
    ligne(),
    ligne(**{"rôle": "CJT", "nom": "MARTIN", "prénoms": "Karim", "date de naissance": "02/11/1981"}),
    ligne(**{"rôle": "ENF", "prénoms": "Léa", "date de naissance": "21/06/2009", "SDD": "non"}),
]


def test_import_simple_cree_foyer_et_personnes_avec_historique(communes):
    bilan = importer(en_csv(FAMILLE))
    assert (bilan.crees, bilan.modifies, bilan.inchanges, bilan.rejetes) == (3, 0, 0, 0)
    assert bilan.foyers_crees == 1
    foyer = Foyer.objects.get()
    assert foyer.commune == communes["orleans"] and foyer.etat_droit == 2
    sophie = Beneficiaire.objects.get(prenoms="Sophie")
    assert sophie.soumis_droits_devoirs and sophie.telephone == "06 12 34 56 78"
    assert sophie.recherche == "martin sophie 1234567"
    assert sophie.history.count() == 1
    assert foyer.history.count() == 1


@pytest.mark.parametrize(
    "contenu",
    [
        pytest.param(lambda: en_csv(FAMILLE, bom=True), id="utf8-bom"),
        pytest.param(lambda: en_csv(FAMILLE, sep=","), id="virgules"),
        pytest.param(lambda: en_csv(FAMILLE, encodage="cp1252"), id="windows-1252"),
        pytest.param(lambda: en_xlsx(FAMILLE), id="xlsx"),
    ],
)
def test_formats_acceptes(communes, contenu):
    bilan = importer(contenu())
    assert bilan.crees == 3 and bilan.rejetes == 0
    assert set(Beneficiaire.objects.values_list("prenoms", flat=True)) == {"Sophie", "Karim", "Léa"}


def test_xlsx_avec_dates_et_nombres_natifs(communes):
    import datetime

    lig = ligne(**{"date de naissance": datetime.datetime(1984, 3, 14), "numéro allocataire": 1234567.0})
    bilan = importer(en_xlsx([lig]))
    assert bilan.crees == 1
    b = Beneficiaire.objects.get()
    assert b.date_naissance == datetime.date(1984, 3, 14) and b.foyer.numero_allocataire == "1234567"


def test_variantes_d_en_tetes_cp_ville_et_prefixe_caf(communes):
    entetes = ["N° CAF", "Role", "Nom", "Prénom bénéficiaire", "Date de Naissance", "CP Ville", "Tél."]
    lignes = [
        {"N° CAF": "CAF 1234567", "Role": "DEM", "Nom": "Martin", "Prénom bénéficiaire": "Sophie",
         "Date de Naissance": "14/03/1984", "CP Ville": "45800 SAINT JEAN DE BRAYE", "Tél.": "0612345678"},
        {"N° CAF": "MSA-555", "Role": "Demandeur", "Nom": "Giraud", "Prénom bénéficiaire": "Hélène",
         "Date de Naissance": "1990-07-07", "CP Ville": "45500 Gien", "Tél.": ""},
    ]  # fmt: skip
    bilan = importer(en_csv(lignes, entetes=entetes))
    assert bilan.rejets == [] and bilan.crees == 2
    sophie = Beneficiaire.objects.get(prenoms="Sophie")
    assert sophie.commune == communes["sjb"]
    assert (sophie.foyer.organisme, sophie.foyer.numero_allocataire) == ("CAF", "1234567")
    helene = Beneficiaire.objects.get(prenoms="Hélène")
    assert (helene.foyer.organisme, helene.foyer.numero_allocataire) == ("MSA", "555")


@pytest.mark.parametrize("entete", ["Matricule", "Numéro allocataire", "N° allocataire"])
def test_variantes_du_numero(communes, entete):
    entetes = [entete, "Nom", "Prénoms", "Date de naissance", "Commune"]
    lig = {entete: "42", "Nom": "Roux", "Prénoms": "Léo", "Date de naissance": "01/01/1980", "Commune": "45234"}
    assert importer(en_csv([lig], entetes=entetes)).crees == 1


def test_commune_par_code_insee_et_nom_sans_accent_ni_casse(communes):
    bilan = importer(
        en_csv(
            [
                ligne(**{"commune": "45155", "code postal": ""}),
                ligne(**{"prénoms": "Paul", "commune": "ORLEANS", "code postal": ""}),
                ligne(**{"prénoms": "Zoé", "commune": "St-Jean-de-Braye", "code postal": ""}),
            ]
        )
    )
    assert bilan.rejets == []
    assert Beneficiaire.objects.get(prenoms="Sophie").commune == communes["gien"]
    assert Beneficiaire.objects.get(prenoms="Paul").commune == communes["orleans"]
    assert Beneficiaire.objects.get(prenoms="Zoé").commune == communes["sjb"]


def test_commune_ambigue_levee_par_le_code_postal(communes):
    bilan = importer(
        en_csv(
            [
                ligne(**{"commune": "Le Bourg", "code postal": "45120"}),
                ligne(**{"prénoms": "Paul", "commune": "Le Bourg", "code postal": ""}),
            ]
        )
    )
    assert Beneficiaire.objects.get(prenoms="Sophie").commune == communes["bourg_b"]
    paul = Beneficiaire.objects.get(prenoms="Paul")  # importé, sans commune : à rattacher
    assert paul.commune is None and paul.adresse_a_verifier and paul.adresse_brute == "Le Bourg"
    assert bilan.rejets == [] and bilan.a_rattacher == 1
    assert bilan.avertissements == [
        (3, "commune", "commune « Le Bourg » ambiguë : précisez le code postal ou le code INSEE : adresse à vérifier, "
         "personne à rattacher")
    ]  # fmt: skip


def test_lignes_rejetees_avec_numero_et_raison(communes):
    lignes = [
        ligne(),
        ligne(**{"prénoms": "A", "date de naissance": "31/02/1984"}),
        ligne(**{"prénoms": "B", "commune": "Atlantis", "code postal": ""}),
        ligne(**{"prénoms": "C", "nom": ""}),
        ligne(),
        ligne(**{"prénoms": "D", "rôle": "XYZ"}),
        ligne(**{"prénoms": "E", "état du droit": "9"}),
        ligne(**{"prénoms": "F", "e-mail": "pas-un-mail"}),
        ligne(**{"prénoms": "G", "numéro allocataire": ""}),
        ligne(**{"prénoms": "H", "date de naissance": "01/01/1850"}),
    ]
    bilan = importer(en_csv(lignes))
    motifs = dict(bilan.rejets)
    # Seule l'identité rejette : commune, rôle, état du droit, e-mail illisibles donnent un avertissement.
    assert sorted(motifs) == [3, 5, 6, 10, 11]
    assert bilan.crees == 5
    assert motifs[3] == "date de naissance « 31/02/1984 » invalide (jj/mm/aaaa attendu)"
    assert motifs[5] == "nom vide"
    assert motifs[6] == "ligne en double : même personne qu'à la ligne 2"
    assert motifs[10] == "numéro allocataire vide"
    assert "impossible" in motifs[11]
    avertis = {(n, champ): m for n, champ, m in bilan.avertissements}
    assert avertis[(4, "commune")].startswith("commune « Atlantis » hors du référentiel")
    assert avertis[(7, "rôle")].startswith("« XYZ » non reconnu")
    assert avertis[(8, "état du droit")].startswith("« 9 » invalide")
    assert avertis[(9, "e-mail")] == "« pas-un-mail » non reconnu, non repris"
    assert Beneficiaire.objects.get(prenoms="F").email == ""


def test_reimport_identique_ne_change_rien(communes):
    contenu = en_csv(FAMILLE)
    importer(contenu)
    historiques = Beneficiaire.history.count()
    bilan = importer(contenu)
    assert (bilan.crees, bilan.modifies, bilan.inchanges, bilan.foyers_modifies) == (0, 0, 3, 0)
    assert Beneficiaire.history.count() == historiques


def test_un_telephone_change_met_a_jour_avec_historique(communes):
    referent = UserFactory(referent=True, email="agent@example.org")
    importer(en_csv(FAMILLE), par=referent)
    modifiee = [ligne(**{"téléphone": "07 81 23 45 67", "adresse": "3 rue Neuve", "nom": "Martin"}), *FAMILLE[1:]]
    bilan = importer(en_csv(modifiee), par=referent, source="CAF")
    assert (bilan.crees, bilan.modifies, bilan.inchanges) == (0, 1, 2)
    sophie = Beneficiaire.objects.get(prenoms="Sophie")
    assert sophie.telephone == "07 81 23 45 67" and sophie.adresse == "3 rue Neuve"
    assert sophie.nom == "Martin"  # même personne (nom comparé sans casse), orthographe mise à jour
    dernier = sophie.history.first()
    assert dernier.history_type == "~" and dernier.telephone == "07 81 23 45 67"
    assert dernier.history_user == referent
    assert "CAF" in dernier.history_change_reason
    assert any("téléphone" in e[3] for e in bilan.exemples)


def test_une_cellule_vide_n_efface_pas(communes):
    importer(en_csv(FAMILLE))
    bilan = importer(en_csv([ligne(**{"téléphone": ""})]))
    assert bilan.inchanges == 1
    assert Beneficiaire.objects.get(prenoms="Sophie").telephone == "06 12 34 56 78"


def test_un_foyer_absent_de_la_liste_n_est_pas_supprime(communes):
    ancien = BeneficiaireFactory(commune=communes["gien"])
    importer(en_csv(FAMILLE))
    assert Beneficiaire.objects.filter(pk=ancien.pk).exists()
    assert Foyer.objects.filter(pk=ancien.foyer_id).exists()


def test_mise_a_jour_de_l_etat_du_droit(communes):
    importer(en_csv(FAMILLE))
    bilan = importer(en_csv([dict(lig, **{"état du droit": "5"}) for lig in FAMILLE]))
    assert bilan.foyers_modifies == 1
    assert Foyer.objects.get().etat_droit == 5
    assert Foyer.objects.get().history.count() == 2


def test_referent_par_e_mail(communes):
    referent = UserFactory(referent=True, email="Rachida@example.org")
    entetes = [*ENTETES, "Référent"]
    bilan = importer(
        en_csv(
            [ligne(**{"Référent": "rachida@example.org"}), ligne(**{"prénoms": "X", "Référent": "x@y.fr"})],
            entetes=entetes,
        )
    )
    assert Beneficiaire.objects.get(prenoms="Sophie").referent == referent
    assert Beneficiaire.objects.get(prenoms="X").referent is None
    assert bilan.rejets == []
    assert bilan.avertissements == [(3, "référent", "aucun référent actif n'a l'e-mail « x@y.fr », non repris")]


def test_essai_n_ecrit_rien(communes):
    bilan = importer(en_csv(FAMILLE), essai=True)
    assert bilan.crees == 3 and bilan.foyers_crees == 1
    assert not Foyer.objects.exists() and not Beneficiaire.objects.exists()


def test_essai_sur_reimport_annonce_les_mises_a_jour(communes):
    importer(en_csv(FAMILLE))
    bilan = importer(en_csv([ligne(**{"téléphone": "0781234567"})]), essai=True)
    assert bilan.modifies == 1
    assert Beneficiaire.objects.get(prenoms="Sophie").telephone == "06 12 34 56 78"


@pytest.mark.parametrize(
    "contenu, message",
    [
        (b"", "vide"),
        (b"\x00\x01\x02\x03binaire" * 10, "ni un CSV"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 50, "97-2003"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "ni un CSV"),
        (bytes(range(1, 9)) * 20 + b"nom;prenoms\n", "ni un CSV"),
        (b"PK\x03\x04pas un zip", "endommagé"),
        ("numéro allocataire;nom\r\n".encode(), "aucune ligne"),
    ],
)
def test_fichier_illisible_n_ecrit_rien(communes, contenu, message):
    with pytest.raises(ImportImpossible, match=message):
        importer(contenu)
    assert not Foyer.objects.exists()


def test_taille_maximale(communes, settings):
    settings.IMPORT_TAILLE_MAX = 100
    with pytest.raises(ImportImpossible, match="taille"):
        importer(en_csv(FAMILLE))


def test_colonne_obligatoire_manquante(communes):
    with pytest.raises(ColonnesARelier) as exc:
        importer(en_csv([{"Identifiant": "1", "nom": "X"}], entetes=["Identifiant", "nom"]))
    assert "Numéro allocataire" in exc.value.messages[0]
    assert exc.value.analyse.non_reconnues == ["identifiant"]
    assert not Foyer.objects.exists()


def test_correspondance_enregistree_par_source(communes, admin_user):
    entetes = ["Identifiant dossier", "Patronyme", "Prénoms", "Date de naissance", "Commune", "Colonne inutile"]
    lig = {"Identifiant dossier": "99", "Patronyme": "Roux", "Prénoms": "Léo", "Date de naissance": "01/01/1980",
           "Commune": "Gien", "Colonne inutile": "x"}  # fmt: skip
    contenu = en_csv([lig], entetes=entetes)
    with pytest.raises(ValidationError):
        importer(contenu, source="Logiciel X")
    correspondance_enregistrer(
        source="Logiciel X",
        correspondances={"identifiant dossier": "numero_allocataire", "patronyme": "nom", "colonne inutile": ""},
        par=admin_user,
    )
    bilan = importer(contenu, source="Logiciel X")
    assert bilan.crees == 1 and bilan.colonnes_ignorees == ["Colonne inutile"]
    assert Beneficiaire.objects.get().foyer.numero_allocataire == "99"
    assert CorrespondanceColonnes.objects.get().modifie_par == admin_user


def test_une_ligne_trop_longue_est_rejetee(communes):
    contenu = en_csv(FAMILLE[:1]) + "1234567;CAF;2;oui;DEM;X;Y;01/01/1980;a;45000;Orléans;;;en trop\r\n".encode()
    bilan = importer(contenu)
    assert bilan.rejets == [(3, "plus de valeurs que de colonnes (séparateur dans une valeur ?)")]


def test_commande_essai_puis_import(communes, capsys):
    fichier = Path(__file__).resolve().parents[2] / "docs" / "exemples" / "liste-caf-exemple.csv"
    CommuneFactory(
        code_insee="45208", nom="Montargis", codes_postaux="45200", bassin_emploi=communes["gien"].bassin_emploi
    )
    call_command("importer_beneficiaires", str(fichier), "--essai")
    assert "Essai" in capsys.readouterr().out
    assert not Beneficiaire.objects.exists()
    call_command("importer_beneficiaires", str(fichier), "--source", "CAF Loiret")
    sortie = capsys.readouterr().out
    assert "5 personnes créées" in sortie and "0 ligne rejetée" in sortie
    assert Beneficiaire.objects.count() == 5


def test_commande_fichier_illisible(communes, tmp_path):
    fichier = tmp_path / "x.xls"
    fichier.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 20)
    with pytest.raises(CommandError, match="xlsx"):
        call_command("importer_beneficiaires", str(fichier))


def test_requetes_constantes(communes, django_assert_max_num_queries):
    """Le nombre de requêtes ne dépend pas du nombre de lignes (opérations groupées)."""
    FoyerFactory(numero_allocataire="1", commune=communes["orleans"])
    lignes = [
        ligne(**{"numéro allocataire": str(i // 2 + 1), "prénoms": f"P{i}", "rôle": "DEM" if i % 2 else "CJT"})
        for i in range(200)
    ]
    with django_assert_max_num_queries(30):
        bilan = importer(en_csv(lignes))
    assert bilan.crees == 200


def test_requetes_constantes_en_mise_a_jour(communes, django_assert_max_num_queries):
    """Les mises à jour (nom compris : la clé de recherche se recalcule) ne lisent pas le foyer ligne à ligne."""
    lignes = [ligne(**{"numéro allocataire": str(i + 1), "prénoms": f"P{i}"}) for i in range(100)]
    importer(en_csv(lignes))
    changees = [dict(lig, **{"téléphone": "0700000000", "nom": "Martin"}) for lig in lignes]
    with django_assert_max_num_queries(30):
        bilan = importer(en_csv(changees))
    assert bilan.modifies == 100
    assert Beneficiaire.objects.filter(nom="Martin", recherche__startswith="martin p").count() == 100

"""Le référentiel charge n'importe quel Département et la France entière ; les communes se retrouvent d'après ce
qu'écrivent les listes réelles."""

import pytest
from django.core.management import CommandError, call_command

from referentiel.models import Commune
from referentiel.recherche import IndexCommunes, cle_commune
from referentiel.services import communes_charger

ENTETE = "code_insee,nom,codes_postaux,population,departement,epci_siren,epci_nom,bassin_emploi\n"
CODES_PARIS = " ".join([f"750{n:02d}" for n in range(1, 21)] + ["75116"])
NATIONAL = ENTETE + (
    f'75056,Paris,"{CODES_PARIS}",2133111,75,200054781,Métropole du Grand Paris,Paris\n'
    '69123,Lyon,"69001 69002 69003 69004 69005 69006 69007 69008 69009",522250,69,200046977,Métropole de Lyon,Lyon\n'
    "13055,Marseille,13001 13002 13003 13004 13005 13006 13007 13008,870321,13,200054807,Métropole Aix-Marseille,"
    "Marseille\n"
    "45234,Orléans,45000 45100,116617,45,244500468,Orléans Métropole,Orléans\n"
    "45284,Saint-Jean-de-Braye,45800,21000,45,244500468,Orléans Métropole,Orléans\n"
    "18033,Bourges,18000,64668,18,241800507,Bourges Plus,Bourges\n"
    "18279,Vierzon,18100,25903,18,241800440,CC Vierzon-Sologne-Berry,Vierzon\n"
    "2A004,Ajaccio,20000 20090,73000,2A,242010056,CA du Pays Ajaccien,Ajaccio\n"
)


@pytest.mark.django_db
def test_paris_et_ses_21_codes_postaux_se_chargent():
    bilan = communes_charger(contenu=NATIONAL.encode())
    assert bilan.crees == 8
    paris = Commune.objects.get(code_insee="75056")
    assert len(paris.liste_codes_postaux()) == 21
    assert Commune.objects.get(code_insee="2A004").departement == "2A"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "remplacement, message",
    [
        (("18279,Vierzon,", "18279,,"), r"Ligne 8, colonne « nom » : valeur vide"),
        (("18279,Vierzon,18100,25903,18,", "18279,Vierzon,18100,25903,18ABC,"), r"Ligne 8, colonne « departement »"),
        (("18279,Vierzon,18100,25903,", "18279,Vierzon,18100,-3,"), r"Ligne 8, colonne « population »"),
        (("18279,", "18033,"), r"Ligne 8, colonne « code_insee » : le code INSEE 18033 apparaît déjà à la ligne 7"),
        (("18279,", "1827,"), r"Ligne 8, colonne « code_insee » : code INSEE « 1827 » invalide"),
        (("CC Vierzon-Sologne-Berry,Vierzon", "CC,Vierzon,en trop"), r"Ligne 8 : trop de valeurs"),
    ],
)
def test_chaque_erreur_nomme_la_ligne_et_la_colonne(tmp_path, remplacement, message):
    fichier = tmp_path / "communes.csv"
    fichier.write_text(NATIONAL.replace(*remplacement), encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("charger_communes", str(fichier))
    assert not Commune.objects.exists()


@pytest.mark.django_db
def test_separateur_point_virgule_reconnu():
    contenu = NATIONAL.replace(",", ";").replace(";Métropole", ";Métropole")
    contenu = contenu.replace(f'"{CODES_PARIS.replace(",", ";")}"', f'"{CODES_PARIS}"')
    communes_charger(contenu=contenu.encode())
    assert Commune.objects.count() == 8


@pytest.mark.parametrize(
    "ecrit, attendu",
    [
        ("ST JEAN DE BRAYE", "saint jean de braye"),
        ("Saint-Jean-de-Braye", "saint jean de braye"),
        ("ORLEANS CEDEX 2", "orleans"),
        ("Orléans", "orleans"),
        ("PARIS 7E ARRONDISSEMENT", "paris"),
        ("Paris 07", "paris"),
        ("LYON 3EME", "lyon"),
        ("Marseille 1er", "marseille"),
        ("STE GENEVIEVE DES BOIS", "sainte genevieve des bois"),
    ],
)
def test_cle_de_commune(ecrit, attendu):
    assert cle_commune(ecrit) == attendu


@pytest.mark.django_db
@pytest.mark.parametrize(
    "saisie, insee, attendu",
    [
        ("75007 PARIS", "", "75056"),
        ("75116 Paris 16e", "", "75056"),
        ("", "75107", "75056"),  # code INSEE d'arrondissement
        ("69003 LYON 03", "", "69123"),
        ("13001 MARSEILLE", "", "13055"),
        ("45800 ST JEAN DE BRAYE", "", "45284"),
        ("45044 ORLEANS CEDEX 1", "", "45234"),  # le code postal CEDEX n'est pas celui de la commune
        ("45100 orleans", "", "45234"),
        ("18000 BOURGES", "", "18033"),
    ],
)
def test_retrouver_une_commune(saisie, insee, attendu):
    communes_charger(contenu=NATIONAL.encode())
    resultat = IndexCommunes().trouver(nom=saisie, insee=insee)
    assert resultat.commune is not None, resultat.avertissement
    assert resultat.commune.code_insee == attendu


@pytest.mark.django_db
@pytest.mark.parametrize(
    "saisie, message",
    [
        ("59402 NICE", "« 59402 NICE » hors du référentiel"),
        ("59402 ORLEANS", "le code postal 59402 ne correspond pas à Orléans"),  # pas de choix silencieux
        ("", "commune manquante"),
    ],
)
def test_commune_non_retrouvee_avec_la_raison(saisie, message):
    communes_charger(contenu=NATIONAL.encode())
    resultat = IndexCommunes().trouver(nom=saisie)
    assert resultat.commune is None
    assert message in resultat.avertissement

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from referentiel.models import BassinEmploi, Commune, Structure
from tests.referentiel.factories import StructureFactory, siret_valide

FICHIER = Path(__file__).resolve().parents[2] / "referentiel" / "donnees" / "communes-45-loiret.csv"


@pytest.mark.django_db
def test_chargement_du_loiret_puis_recharge_sans_changement(capsys):
    call_command("charger_communes", str(FICHIER))
    assert Commune.objects.count() == 325
    assert set(BassinEmploi.objects.values_list("nom", flat=True)) == {"Orléans", "Montargis", "Gien", "Pithiviers"}
    assert Commune.objects.get(code_insee="45234").nom == "Orléans"
    assert Commune.objects.get(code_insee="45234").bassin_emploi.nom == "Orléans"
    assert "325 communes créées" in capsys.readouterr().out

    call_command("charger_communes", str(FICHIER))
    sortie = capsys.readouterr().out
    assert "0 commune créée, 0 modifiée, 325 inchangées ; 0 bassin créé." in sortie
    assert Commune.objects.count() == 325


@pytest.mark.django_db
def test_une_commune_modifiee_est_mise_a_jour(capsys):
    call_command("charger_communes", str(FICHIER))
    Commune.objects.filter(code_insee="45234").update(population=1)
    call_command("charger_communes", str(FICHIER))
    assert "1 modifiée," in capsys.readouterr().out
    assert Commune.objects.get(code_insee="45234").population > 100_000


@pytest.mark.django_db
@pytest.mark.parametrize(
    "contenu, message",
    [
        ("code_insee,nom\n45001,Adon\n", r"Ligne 1 : colonnes manquantes : codes_postaux, population"),
        (
            FICHIER.read_text(encoding="utf-8").replace("45004,Amilly", "4X004,Amilly"),
            r"Ligne 4, colonne « code_insee » : code INSEE",
        ),
        (
            FICHIER.read_text(encoding="utf-8").replace("45004,Amilly,45200,13582", "45004,Amilly,45200,beaucoup"),
            r"Ligne 4, colonne « population »",
        ),
    ],
)
def test_un_fichier_malforme_n_ecrit_rien(tmp_path, contenu, message):
    fichier = tmp_path / "communes.csv"
    fichier.write_text(contenu, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("charger_communes", str(fichier))
    assert Commune.objects.count() == 0
    assert BassinEmploi.objects.count() == 0


@pytest.mark.django_db
def test_un_encodage_inconnu_est_refuse(tmp_path):
    fichier = tmp_path / "communes.csv"
    fichier.write_bytes(FICHIER.read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(CommandError):
        call_command("charger_communes", str(fichier))
    assert Commune.objects.count() == 0


@pytest.mark.django_db
def test_le_fichier_windows_1252_est_accepte(tmp_path):
    fichier = tmp_path / "communes.csv"
    fichier.write_bytes(FICHIER.read_text(encoding="utf-8").encode("cp1252"))
    call_command("charger_communes", str(fichier))
    assert Commune.objects.get(code_insee="45001").epci_nom == "CC Berry Loire Puisaye"
    assert Commune.objects.filter(nom="Châteauneuf-sur-Loire").exists()


@pytest.mark.django_db
def test_siret_a_cle_fausse_refuse():
    bon = siret_valide(12345678)
    faux = bon[:-1] + str((int(bon[-1]) + 1) % 10)
    StructureFactory.build(siret=bon, commune=None).full_clean(exclude=["commune"])
    with pytest.raises(ValidationError) as exc:
        StructureFactory.build(siret=faux, commune=None).full_clean(exclude=["commune"])
    assert "SIRET" in str(exc.value)


@pytest.mark.django_db
def test_une_entreprise_ne_peut_pas_etre_non_marchande():
    s = StructureFactory.build(type=Structure.Type.ENTREPRISE, secteur=Structure.Secteur.NON_MARCHAND, commune=None)
    with pytest.raises(ValidationError, match="secteur marchand"):
        s.full_clean(exclude=["commune"])

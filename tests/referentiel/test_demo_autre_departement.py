"""`manage.py demo` avec les communes d'un autre Département (quelques communes du Cher) : structures, forums,
véhicules et contrats placés dans ses communes, référents de démonstration pourvus de bassins."""

import pytest
from django.core.management import call_command

from beneficiaires.models import Beneficiaire
from comptes.models import User
from contrats.models import ContratAide
from forums.models import Forum
from mobilite.models import Vehicule
from placement.models import Lot
from referentiel.models import Commune, Structure
from referentiel.services import communes_charger

CHER = """code_insee,nom,codes_postaux,population,departement,epci_siren,epci_nom,bassin_emploi
18033,Bourges,18000,64668,18,241800507,Bourges Plus,Bourges
18197,Saint-Doulchard,18230,9500,18,241800507,Bourges Plus,Bourges
18279,Vierzon,18100,25903,18,241800440,CC Vierzon-Sologne-Berry,Vierzon
18141,Mehun-sur-Yèvre,18500,6700,18,241800440,CC Vierzon-Sologne-Berry,Vierzon
18197X,,,,,,,
18207,Saint-Amand-Montrond,18200,9600,18,200035996,CC Cœur de France,Saint-Amand-Montrond
18159,Orval,18200,2000,18,200035996,CC Cœur de France,Saint-Amand-Montrond
18241,Sancerre,18300,1400,18,200034692,CC Pays Fort Sancerrois Val de Loire,Sancerre
18001,Achères,18250,400,18,200034692,CC Pays Fort Sancerrois Val de Loire,Sancerre
""".replace("18197X,,,,,,,\n", "")


@pytest.mark.django_db
def test_demo_dans_le_cher(settings, capsys):
    settings.DEMO_AUTORISEE = True
    communes_charger(contenu=CHER.encode())
    call_command("demo", "--echelle", "petite")
    cher = set(Commune.objects.values_list("pk", flat=True))
    assert Commune.objects.exclude(departement="18").count() == 0
    assert Structure.objects.filter(commune__isnull=False).count() >= 20
    assert not Structure.objects.exclude(commune__isnull=True).exclude(commune__in=cher).exists()
    assert Structure.objects.filter(nom="Commune de Bourges").exists()
    assert Forum.objects.count() == 5 and set(Forum.objects.values_list("commune__departement", flat=True)) == {"18"}
    assert Vehicule.objects.exists() and not Vehicule.objects.exclude(commune__departement="18").exists()
    assert Lot.objects.exists() and ContratAide.objects.exists()
    referent = User.objects.get(username="referent")
    assert set(referent.bassins.values_list("nom", flat=True)) == {"Bourges", "Vierzon"}
    assert Beneficiaire.objects.visibles_par(referent).exists()
    for identifiant in ("referent.gien", "referent.pithiviers"):
        assert User.objects.get(username=identifiant).bassins.exists()
    assert "Loiret" not in capsys.readouterr().out
    # Les noms fictifs de la démonstration ne nomment pas le Loiret (ni son numéro) : ils s'affichent partout.
    noms = [*Structure.objects.values_list("nom", flat=True), *Forum.objects.values_list("titre", flat=True)]
    assert not [n for n in noms if "Loiret" in n or " 45" in n]

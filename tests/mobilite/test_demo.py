import io

import pytest
from django.core.management import call_command

from mobilite.models import Cession, ConventionCession, Location, StatutVehicule, TypeVehicule, Vehicule


@pytest.mark.django_db
def test_demo_complete_et_idempotente():
    sortie = io.StringIO()
    call_command("demo", "--echelle", "petite", stdout=sortie)
    vehicules = Vehicule.objects.count()
    assert 25 <= vehicules <= 35
    assert Vehicule.objects.filter(type=TypeVehicule.VSP).count() * 3 >= vehicules - 1
    assert Vehicule.objects.values("commune__bassin_emploi").distinct().count() == 4
    assert set(Vehicule.objects.values_list("partenaire__nom", flat=True)) == {
        "Mobilité Solidaire",
        "Roues de Secours Gâtinais",
    }
    convention = ConventionCession.objects.get()
    assert convention.signee and Cession.objects.filter(convention=convention).count() >= 2
    assert Vehicule.objects.filter(statut=StatutVehicule.CEDE).count() == Cession.objects.count()
    locations = Location.objects.count()
    if locations:
        # Jamais deux locations non annulées qui se chevauchent sur un même véhicule.
        for v in Vehicule.objects.all():
            periodes = sorted(v.locations.actives().values_list("debut", "fin"))
            assert all(
                fin < debut_suivant for (_, fin), (debut_suivant, _) in zip(periodes, periodes[1:], strict=False)
            )
    call_command("demo", "--echelle", "petite", stdout=io.StringIO())
    assert Vehicule.objects.count() == vehicules and Location.objects.count() == locations
    assert ConventionCession.objects.count() == 1

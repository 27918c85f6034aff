"""Les montants des listes de l'administration au format de toute l'application (« 1 234 567,50 € »)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from commun.francais import euros
from contrats.models import ParametreFinancier
from tests.contrats.factories import EnveloppeFactory
from tests.placement.factories import LotFactory

pytestmark = pytest.mark.django_db


def test_montants_des_listes_en_euros_tries_par_leur_champ(client, admin_user):
    EnveloppeFactory(annee=2026, budget=Decimal("1234567.50"))
    EnveloppeFactory(annee=2025, budget=Decimal("99.00"))
    lot = LotFactory(prix_entree=Decimal("1500.00"), prix_sortie_positive=Decimal("2000"))
    client.force_login(admin_user)

    page = client.get(reverse("admin:contrats_enveloppe_changelist")).content.decode()
    assert euros(Decimal("1234567.50")) == "1\u202f234\u202f567,50\u00a0€"
    assert euros(Decimal("1234567.50")) in page and euros(Decimal("99")) in page
    assert "1234567,50" not in page and "1234567.50" not in page
    assert ">Budget</a>" in page and "Budget (€)" not in page  # le titre sans l'unité, que la cellule porte

    # Trié par le champ lui-même (3e colonne : le budget), croissant puis décroissant.
    croissant = client.get(reverse("admin:contrats_enveloppe_changelist"), {"o": "3"}).context["cl"].result_list
    assert [e.annee for e in croissant] == [2025, 2026]
    decroissant = client.get(reverse("admin:contrats_enveloppe_changelist"), {"o": "-3"}).context["cl"].result_list
    assert [e.annee for e in decroissant] == [2026, 2025]

    page = client.get(reverse("admin:contrats_parametrefinancier_changelist")).content.decode()
    rsa = ParametreFinancier.objects.filter(type="rsa_personne_seule").latest("date_effet")
    assert euros(rsa.montant) in page

    page = client.get(reverse("admin:placement_lot_changelist")).content.decode()
    assert str(lot) in page
    assert euros(Decimal("1500")) in page and euros(Decimal("2000")) in page and "1500,00" not in page

"""Le périmètre d'un prestataire gardé par processus (commun.tableaux.perimetre_fait_une_fois) suit la date du jour :
le délai de grâce après la clôture d'une orientation est écrit en date dans son SQL, la sélection gardée la veille ne
sert pas le lendemain.

Transactions réellement validées (transaction=True) : rien n'est gardé d'une transaction qui n'a pas validé."""

import datetime

import pytest
from django.utils import timezone

from beneficiaires.selecteurs import beneficiaires_visibles
from comptes.models import User
from placement import services
from placement.models import MotifRefus
from tests.placement.outils import orienter, personne_de

pytestmark = pytest.mark.django_db(transaction=True)


def _visibles(agent):
    # Le compte relu comme à chaque requête.
    return set(beneficiaires_visibles(User.objects.get(pk=agent.pk)).values_list("pk", flat=True))


def test_delai_de_grace_du_prestataire_compte_au_jour_de_la_page(
    bassins, referent, lot_orleans, agent_a, settings, monkeypatch
):
    settings.PRESTATAIRE_ACCES_DELAI_JOURS = 5
    aujourdhui = timezone.localdate()
    o = orienter(personne_de(bassins["Orléans"]), referent, date=aujourdhui - datetime.timedelta(days=10))
    services.orientation_refuser(
        orientation=o, par=agent_a, motif=MotifRefus.INJOIGNABLE, date=aujourdhui - datetime.timedelta(days=3)
    )
    assert o.beneficiaire_id in _visibles(agent_a)  # close depuis 3 jours : dans le délai de grâce
    assert o.beneficiaire_id in _visibles(agent_a)  # la sélection gardée resservie le même jour

    origine = timezone.localdate

    def trois_jours_plus_tard(value=None, timezone=None):
        return aujourdhui + datetime.timedelta(days=3) if value is None else origine(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", trois_jours_plus_tard)
    assert o.beneficiaire_id not in _visibles(agent_a)  # close depuis 6 jours : plus d'accès

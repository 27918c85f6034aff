"""La durée de conservation des journaux (consultations, exports, connexions) est le réglage
JOURNAL_CONSERVATION_MOIS : la changer change la date avant laquelle les traces sont supprimées."""

import datetime

from django.utils import timezone

from beneficiaires import rgpd


def test_les_journaux_sont_gardes_la_duree_du_reglage(settings):
    aujourd_hui = datetime.date(2026, 12, 6)
    settings.JOURNAL_CONSERVATION_MOIS = 12
    assert rgpd.limite_journaux(aujourd_hui) == timezone.make_aware(datetime.datetime(2025, 12, 6))
    settings.JOURNAL_CONSERVATION_MOIS = 6
    assert rgpd.limite_journaux(aujourd_hui) == timezone.make_aware(datetime.datetime(2026, 6, 6))

import datetime

import pytest
from django.core.exceptions import ValidationError

from beneficiaires.models import Evaluation, StatutParcours
from beneficiaires.services import evaluation_planifier
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.concurrence import en_parallele


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_une_seule_evaluation_prevue_sous_concurrence(postgresql_requis, bassins, referent):
    """Dix planifications simultanées : le verrou sur la personne n'en laisse passer qu'une."""
    personne = BeneficiaireFactory(commune=bassins["Orléans"].commune_test)

    def planifier(i):
        return evaluation_planifier(
            beneficiaire=personne, date=datetime.date(2030, 1, 1 + i), evaluateur=referent, par=referent
        )

    resultats = en_parallele(planifier, n=10)
    assert sum(1 for r in resultats if isinstance(r, Evaluation)) == 1
    assert all(isinstance(r, ValidationError) for r in resultats if not isinstance(r, Evaluation))
    assert Evaluation.objects.filter(beneficiaire=personne, statut=Evaluation.Statut.PREVUE).count() == 1
    personne.refresh_from_db()
    assert personne.statut_parcours == StatutParcours.EN_EVALUATION

"""Raccourcis des tests du placement : orienter, accepter, faire entrer en accompagnement."""

import datetime

from placement import services
from tests.beneficiaires.factories import BeneficiaireFactory

J0 = datetime.date(2018, 3, 1)


def personne_de(bassin):
    return BeneficiaireFactory(commune=bassin.commune_test)


def orienter(personne, referent, *, date=J0, lot=None):
    return services.orientation_proposer(beneficiaire=personne, par=referent, date=date, lot=lot)


def jusqu_a_entree(personne, referent, agent, *, date=J0):
    o = orienter(personne, referent, date=date)
    services.orientation_accepter(orientation=o, par=agent, date=date + datetime.timedelta(days=3))
    return services.orientation_demarrer_accompagnement(
        orientation=o, par=agent, date=date + datetime.timedelta(days=10)
    )

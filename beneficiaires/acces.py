"""Périmètre des comptes prestataires sur le registre.

`beneficiaires` n'importe pas `placement` : c'est `placement` qui déclare ici (dans son module
`acces.py` ou `apps.ready`) la condition qui donne à un prestataire les personnes orientées vers sa structure :

    from beneficiaires.acces import portee_prestataire

    @portee_prestataire
    def orientees_vers_ma_structure(user):
        return Q(orientations__lot__prestataire_id=user.structure_id)

Sans déclaration, un prestataire ne voit personne.
"""

from django.db.models import Q

_portees = []


def portee_prestataire(fonction):
    _portees.append(fonction)
    return fonction


def condition_prestataire(user):
    condition = Q(pk__in=[])
    for fonction in _portees:
        condition |= fonction(user)
    return condition

"""Périmètre des comptes prestataires sur le registre des personnes : celles orientées vers leur structure.

Déclaré ici (et importé par PlacementConfig.ready) car `beneficiaires` n'importe pas `placement`.
"""

from django.db.models import Q

from beneficiaires.acces import portee_prestataire


@portee_prestataire
def orientees_vers_ma_structure(user):
    return Q(orientations__lot__prestataire_id=user.structure_id)

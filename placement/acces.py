"""Périmètre des comptes prestataires sur le registre des personnes : celles orientées vers leur structure, tant
que l'orientation est en cours ou close depuis moins que le délai de grâce (PRESTATAIRE_ACCES_DELAI_JOURS).

Déclaré ici (et importé par PlacementConfig.ready) car `beneficiaires` n'importe pas `placement`.
"""

from django.db.models import Q

from beneficiaires.acces import portee_prestataire


@portee_prestataire
def orientees_vers_ma_structure(user):
    from .models import Orientation

    ouvertes = Orientation.objects.filter(lot__prestataire_id=user.structure_id).acces_prestataire_ouvert()
    return Q(pk__in=ouvertes.values("beneficiaire_id"))

"""Signal du référentiel, pour les applications qui gardent des résultats en cache.

`referentiel` n'importe aucune autre application du projet : après une écriture en masse qui n'envoie pas de
signal par objet (bulk_create, bulk_update), il envoie `ecritures_en_masse` ; `comptes` (corps de pages en
cache) et `tableau_de_bord` (indicateurs en cache) s'y abonnent.
"""

from django.dispatch import Signal

# Arguments : sender = le modèle écrit.
ecritures_en_masse = Signal()

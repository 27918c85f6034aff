"""Signal du référentiel, pour les applications qui gardent des résultats en cache.

`referentiel` n'importe aucune autre application du projet : après une écriture en masse qui n'envoie pas de
signal par objet (bulk_create, bulk_update), il envoie `ecritures_en_masse` ; `commun.versions` (les versions des
données qui périment les corps de pages et le tableau de bord en cache) s'y abonne.
"""

from django.dispatch import Signal

# Arguments : sender = le modèle écrit (None : des modèles de toutes les applications, comme la démonstration).
ecritures_en_masse = Signal()

"""Signaux que le commun émet et que d'autres applications écoutent, sans que le commun les importe.

`export_realise` : un export de liste vient d'être produit (comptes l'inscrit au journal des exports).
Arguments : `par` (utilisateur), `vue`, `filtres`, `format`, `lignes`.
"""

from django.dispatch import Signal

export_realise = Signal()

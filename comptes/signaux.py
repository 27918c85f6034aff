"""Abonnements de comptes aux signaux du commun : tout export produit est inscrit au journal des exports."""

from django.dispatch import receiver

from commun.signaux import export_realise

from .services import export_journaliser


@receiver(export_realise, dispatch_uid="comptes_journal_export")
def _journaliser_export(sender, *, par, vue, filtres, format, lignes, **kwargs):
    export_journaliser(par=par, vue=vue, filtres=filtres, format=format, lignes=lignes)

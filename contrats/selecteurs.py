"""Lectures composées des contrats aidés (files d'activité, tâches)."""

from .models import ContratAide, Statut


def contrats_finissant(*, debut, fin, queryset=None):
    """Contrats signés ou en cours, non rompus, dont la date de fin tombe entre `debut` et `fin` inclus."""
    qs = ContratAide.objects.all() if queryset is None else queryset
    return qs.filter(
        statut__in=(Statut.SIGNE, Statut.EN_COURS), date_rupture__isnull=True, date_fin__range=(debut, fin)
    ).select_related("beneficiaire__commune", "employeur")

"""Lectures composées des contrats aidés (files d'activité, tâches)."""

from .models import ContratAide, Statut


def contrats_finissant(*, debut, fin, queryset=None):
    """Contrats signés ou en cours, non rompus, dont la date de fin tombe entre `debut` et `fin` inclus."""
    qs = ContratAide.objects.all() if queryset is None else queryset
    return qs.filter(
        statut__in=(Statut.SIGNE, Statut.EN_COURS), date_rupture__isnull=True, date_fin__range=(debut, fin)
    ).select_related("beneficiaire__commune", "employeur")


def contrats_a_renouveler(user, jour, jours=60):
    """Contrats du périmètre qui se terminent dans les `jours` jours : décision de renouvellement à prendre."""
    import datetime

    return contrats_finissant(
        debut=jour, fin=jour + datetime.timedelta(days=jours), queryset=ContratAide.objects.visibles_par(user)
    )


def enveloppe_consommee(jour):
    """(enveloppe de l'année, contrats signés cette année) si 90 % au moins des contrats prévus sont signés."""
    from .models import Enveloppe

    enveloppe = Enveloppe.objects.filter(annee=jour.year).first()
    if enveloppe is None or not enveloppe.nombre_contrats:
        return None
    signes = ContratAide.objects.signes().filter(date_signature__year=jour.year).count()
    return (enveloppe, signes) if signes * 10 >= enveloppe.nombre_contrats * 9 else None

"""Bilan de la démonstration : les messages envoyés aux personnes, par motif, canal et statut."""

from django.db.models import Count

from referentiel.registre_demo import generateur

from .models import Message


@generateur(ordre=99)
def messages(*, echelle, graine, sortie):
    lignes = (
        Message.objects.values("objet", "canal", "statut").annotate(n=Count("pk")).order_by("objet", "canal", "statut")
    )
    total = sum(ligne["n"] for ligne in lignes)
    sortie(f"Messages aux personnes : {total} au total.")
    for ligne in lignes:
        sortie(f"  {ligne['objet']} / {ligne['canal']} / {ligne['statut']} : {ligne['n']}")

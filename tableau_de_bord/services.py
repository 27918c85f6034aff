"""Écritures du tableau de bord (cibles, chiffres clés) et point d'entrée du calcul.

`tableau_calculer` est une lecture (voir selecteurs.py) ; il est réexporté ici pour les scripts de mesure.
"""

from django.db import transaction

from . import cache as cache_tableau
from .models import ChiffreCle, Objectif
from .selecteurs import tableau_calculer

__all__ = ["chiffre_cle_enregistrer", "objectif_enregistrer", "tableau_calculer", "tableau_invalider"]


@transaction.atomic
def objectif_enregistrer(*, annee, code, valeur, bassin=None, commentaire=""):
    """Crée ou met à jour la cible (annee, code, bassin). Le code doit être celui d'un indicateur déclaré."""
    objectif = Objectif.objects.select_for_update(of=("self",)).filter(annee=annee, code=code, bassin=bassin).first()
    if objectif is None:
        objectif = Objectif(annee=annee, code=code, bassin=bassin)
    objectif.valeur = valeur
    objectif.commentaire = commentaire
    objectif.full_clean()
    objectif.save()
    return objectif


@transaction.atomic
def chiffre_cle_enregistrer(*, nature, date, valeur, source=""):
    """Crée ou met à jour un chiffre clé daté (budget RSA de l'année, repère du lancement)."""
    chiffre = ChiffreCle.objects.select_for_update(of=("self",)).filter(nature=nature, date=date).first()
    if chiffre is None:
        chiffre = ChiffreCle(nature=nature, date=date)
    chiffre.valeur = valeur
    chiffre.source = source
    chiffre.full_clean()
    chiffre.save()
    return chiffre


def tableau_invalider():
    """À appeler après une écriture en masse sans signal (bulk_create, update, import) : périme tout le cache."""
    cache_tableau.invalider()

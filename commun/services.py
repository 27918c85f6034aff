"""Écritures du commun : avancement des tâches longues (l'import d'un grand fichier le tient à jour)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Progression


@transaction.atomic
def progression_demarrer(*, utilisateur, libelle, total=0):
    avancement = Progression(utilisateur=utilisateur, libelle=libelle, total=total)
    avancement.full_clean()
    avancement.save()
    return avancement


@transaction.atomic
def progression_avancer(*, progression_id, fait, total=None):
    """Note l'avancement (appelé par la tâche, dans sa propre transaction : visible aussitôt)."""
    avancement = Progression.objects.select_for_update().get(pk=progression_id)
    if total is not None:
        avancement.total = total
    if fait > avancement.total:
        raise ValidationError({"fait": "Le nombre d'éléments traités ne peut dépasser le total."})
    avancement.fait = fait
    avancement.etat = Progression.Etat.EN_COURS
    avancement.save(update_fields=["fait", "total", "etat", "date_modification"])
    return avancement


@transaction.atomic
def progression_terminer(*, progression_id, resultat="", url_resultat="", echec=False):
    avancement = Progression.objects.select_for_update().get(pk=progression_id)
    avancement.etat = Progression.Etat.ECHEC if echec else Progression.Etat.TERMINEE
    if not echec:
        avancement.fait = avancement.total
    avancement.resultat, avancement.url_resultat = resultat[:500], url_resultat[:300]
    avancement.full_clean()
    avancement.save()
    return avancement

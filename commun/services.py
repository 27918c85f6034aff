"""Écritures du commun : avancement des tâches longues (l'import d'un grand fichier le tient à jour)."""

import contextlib

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

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


@contextlib.contextmanager
def progression_suivre(progression_id):
    """Pour une tâche qui travaille dans une seule longue transaction (un import) : rend `noter(fait, total=None)`,
    dont l'avancement est visible AUSSITÔT de la page d'avancement, avant que la transaction de la tâche ne soit
    validée. Sur PostgreSQL, dans une transaction, il passe par une connexion à part, en validation automatique ;
    ailleurs (hors transaction, ou SQLite, un seul écrivain à la fois), comme progression_avancer.

    La tâche ne touche pas la ligne d'avancement par sa propre connexion pendant sa transaction (elle la
    verrouillerait : la connexion à part attendrait) ; elle la termine après, avec progression_terminer."""
    autre = None

    def noter(fait, total=None):
        nonlocal autre
        if progression_id is None:
            return
        if connection.vendor != "postgresql" or not connection.in_atomic_block:
            progression_avancer(progression_id=progression_id, fait=fait, total=total)
            return
        if autre is None:
            autre = connections.create_connection(DEFAULT_DB_ALIAS)
        table = autre.ops.quote_name(Progression._meta.db_table)
        with autre.cursor() as curseur:
            # Jamais plus que le total (contrainte de la table) ; l'état passe « en cours ».
            curseur.execute(
                f"UPDATE {table} SET total = COALESCE(%s, total), fait = LEAST(%s, COALESCE(%s, total)), "
                "etat = %s, date_modification = %s WHERE id = %s",
                [total, fait, total, Progression.Etat.EN_COURS, timezone.now(), progression_id],
            )

    try:
        yield noter
    finally:
        if autre is not None:
            autre.close()


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

"""Tâches des forums : messages d'invitation, relance unique des invitations restées sans réponse."""

from commun.taches import RELANCES, app

from . import services
from .models import Participation


@app.task(name="forums.inviter", queue="messages", retry=RELANCES)
def inviter(*, forum_id, beneficiaire_ids, par_id=None):
    """Prépare et envoie le message d'invitation de chaque personne invitée (une fois par invitation)."""
    participations = Participation.objects.filter(
        forum_id=forum_id, beneficiaire_id__in=beneficiaire_ids, statut=Participation.Statut.INVITE
    ).select_related("beneficiaire__commune", "forum__commune")
    from django.contrib.auth import get_user_model

    par = get_user_model().objects.filter(pk=par_id).first() if par_id else None
    for participation in participations:
        services.participation_envoyer_invitation(participation=participation, par=par)


@app.periodic(cron="0 9 * * *", periodic_id="relances-invitations")
@app.task(name="forums.relancer_invitations", queue="messages", retry=RELANCES, queueing_lock="relances-invitations")
def relancer_invitations(timestamp=None):
    """Chaque matin : une relance, une seule, pour chaque invitation sans réponse depuis le délai réglé."""
    for participation in services.invitations_a_relancer().select_related("beneficiaire__commune", "forum__commune"):
        services.participation_envoyer_invitation(participation=participation, relance=True)

"""Rubrique des forums dans « Mon activité » (référent) : invitations restées sans réponse."""

from django.conf import settings
from django.utils import timezone

from commun.activite import Ligne, depuis_queryset, rubrique
from comptes.models import Role

from . import selecteurs


@rubrique(roles=(Role.REFERENT,), ordre=15)
def invitations_sans_reponse(user, jour):
    def ligne(p):
        invite = timezone.localdate(p.date_invitation) if p.date_invitation else None
        return Ligne(
            texte=f"{p.beneficiaire} — {p.forum.titre}",
            url=p.get_absolute_url(),
            date=invite,
            urgent=invite is not None and (jour - invite).days >= settings.RELANCE_INVITATION_JOURS,
            precision=f"invitée le {invite:%d/%m/%Y}, forum le {p.forum.date:%d/%m/%Y}" if invite else "",
        )

    return depuis_queryset(
        selecteurs.invitations_sans_reponse(user, jour),
        libelle="Invitations à un forum sans réponse",
        champ_date="date_invitation",
        ligne=ligne,
        cle="invitations_sans_reponse",
    )

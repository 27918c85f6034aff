"""Lectures composées des forums (bilan d'un forum) : un petit nombre constant de requêtes agrégées."""

from decimal import Decimal

from django.db.models import Count, Q, Sum

from .models import (
    Q_EMBAUCHEE,
    Q_INSCRITE,
    Q_INVITEE,
    Q_PRESENTE,
    Q_PRESENTE_INSCRITE,
    Entretien,
    Exposant,
    OffreEmploi,
    Participation,
)

S = Participation.Statut


def pour_cent(numerateur, denominateur):
    """numerateur / denominateur x 100, arrondi à une décimale ; None si le dénominateur est nul."""
    if not denominateur:
        return None
    return round(Decimal(numerateur) * 100 / Decimal(denominateur), 1)


def bilan_forum(forum):
    """Chiffres du forum (3 requêtes) : participants par étape, entretiens, offres et postes, taux."""
    chiffres = Participation.objects.filter(forum=forum).aggregate(
        participants=Count("pk"),
        invites=Count("pk", filter=Q_INVITEE),
        inscrits=Count("pk", filter=Q_INSCRITE),
        presents=Count("pk", filter=Q_PRESENTE),
        presents_inscrits=Count("pk", filter=Q_PRESENTE_INSCRITE),
        sur_place=Count("pk", filter=Q(sur_place=True)),
        places_prises=Count("pk", filter=Q(statut__in=(S.INSCRIT, S.PRESENT))),
        attente=Count("pk", filter=Q(statut=S.ATTENTE)),
        invites_sans_reponse=Count("pk", filter=Q(statut=S.INVITE)),
        excuses=Count("pk", filter=Q(statut=S.EXCUSE)),
        absents=Count("pk", filter=Q(statut=S.ABSENT)),
        embauches=Count("pk", filter=Q_EMBAUCHEE),
    )
    chiffres.update(
        Entretien.objects.filter(participation__forum=forum).aggregate(
            entretiens=Count("pk"), personnes_entretien=Count("participation", distinct=True)
        )
    )
    offres = OffreEmploi.objects.filter(exposant__forum=forum).aggregate(
        offres=Count("pk"), postes=Sum("nombre_postes")
    )
    chiffres["offres"] = offres["offres"]
    chiffres["postes"] = offres["postes"] or 0
    chiffres["places_libres"] = max(forum.capacite - chiffres["places_prises"], 0)
    chiffres["taux_presence"] = pour_cent(chiffres["presents_inscrits"], chiffres["inscrits"])
    chiffres["embauches_pour_100"] = pour_cent(chiffres["embauches"], chiffres["presents"])
    return chiffres


def exposants_du_forum(forum):
    """Exposants avec leurs offres (préchargées), entretiens et embauches comptés : 2 requêtes."""
    return (
        Exposant.objects.filter(forum=forum)
        .select_related("structure")
        .prefetch_related("offres")
        .annotate(
            nb_entretiens=Count("entretiens", distinct=True),
            nb_embauches=Count("embauches", distinct=True),
        )
        .order_by("structure__nom", "pk")
    )


def invitations_sans_reponse(user, jour):
    """Invitations à un forum à venir, toujours sans réponse (« Mon activité » du référent)."""
    from .models import Forum, Participation

    return (
        Participation.objects.visibles_par(user)
        .filter(
            statut=Participation.Statut.INVITE,
            forum__date__gte=jour,
            forum__statut__in=(Forum.Statut.EN_PREPARATION, Forum.Statut.INSCRIPTIONS_OUVERTES),
        )
        .select_related("beneficiaire", "forum")
    )

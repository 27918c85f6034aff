"""Lectures composées des forums (liste, bilan, salle, offres) : un petit nombre constant de requêtes agrégées."""

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
    Forum,
    OffreEmploi,
    Participation,
)

S = Participation.Statut


def forums_visibles(user):
    """Les forums du périmètre, avec leur lieu et leurs nombres d'inscrits (présents compris) et de présents."""
    return (
        Forum.objects.visibles_par(user)
        .avec_lieu()
        .annotate(
            nb_inscrits=Count("participations", filter=Q(participations__statut__in=(S.INSCRIT, S.PRESENT))),
            nb_presents=Count("participations", filter=Q(participations__statut=S.PRESENT)),
        )
        .order_by("-date", "titre", "pk")
    )


def total_postes(offres):
    """Le nombre de postes des offres (0 sans offre)."""
    return offres.aggregate(n=Sum("nombre_postes"))["n"] or 0


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


def etat_salle(forum, maintenant):
    """À l'entrée du forum (tablette) : présents, inscrits attendus, places libres dans la salle et personne
    à proposer en premier (la première de la liste d'attente). 2 requêtes.

    Passé le délai de retenue le jour J, les inscrits pas encore arrivés ne comptent plus : leurs places sont
    libres (elles leur sont retirées au pointage suivant d'une personne non inscrite)."""
    chiffres = Participation.objects.filter(forum=forum).aggregate(
        presents=Count("pk", filter=Q(statut=S.PRESENT)),
        attendus=Count("pk", filter=Q(statut=S.INSCRIT)),
        attente=Count("pk", filter=Q(statut=S.ATTENTE)),
    )
    expirees = forum.places_retenues_expirees(maintenant)
    retenues = 0 if expirees else chiffres["attendus"]
    chiffres["retenues_expirees"] = expirees
    chiffres["heure_liberation"] = forum.heure_liberation()
    chiffres["places_libres"] = max(forum.capacite - chiffres["presents"] - retenues, 0)
    chiffres["prochain_attente"] = (
        Participation.objects.filter(forum=forum, statut=S.ATTENTE)
        .select_related("beneficiaire__commune")
        .order_by("rang_attente", "pk")
        .first()
        if chiffres["attente"]
        else None
    )
    return chiffres


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

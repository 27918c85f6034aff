"""Actions métier des forums. Toute écriture passe ici : vues, administration et démonstration.

Règle de capacité : les personnes inscrites et présentes d'un forum ne dépassent jamais sa capacité. Toute
action qui prend ou libère une place verrouille d'abord la ligne du forum (select_for_update), relit l'état
puis vérifie : deux inscriptions simultanées sont sérialisées sur PostgreSQL. Le surplus va en liste d'attente
(rang croissant, attribué sous ce même verrou) ; une place libérée est proposée au premier de la liste.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from commun.francais import compte, est_pluriel, genre, nombre
from commun.historique import attribue
from commun.versions import ecritures_en_masse

from .models import Entretien, Exposant, Forum, OffreEmploi, Participation, TypeContrat

S = Participation.Statut  # dans toute l'application forums, S est le statut d'une participation

# ---------------------------------------------------------------------------------------------- forums

CHAMPS_FORUM = (
    "titre",
    "secteur",
    "date",
    "heure_debut",
    "heure_fin",
    "adresse",
    "commune",
    "capacite",
    "delai_liberation",
    "description",
)


def _verrouiller_forum(forum):
    """Verrouille la ligne du forum et la relit (état à jour, statut et capacité compris)."""
    return Forum.objects.select_for_update(of=("self",)).select_related("commune__bassin_emploi").get(pk=forum.pk)


def _places_occupees(forum):
    return forum.participations.occupant_une_place().count()


@transaction.atomic
@attribue
def forum_creer(*, par, **champs):
    inconnus = set(champs) - set(CHAMPS_FORUM)
    if inconnus:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(inconnus))}")
    forum = Forum(cree_par=par, statut=Forum.Statut.EN_PREPARATION, **champs)
    forum.full_clean()
    forum.save()
    return forum


def forum_verifier_capacite(*, forum, capacite):
    """La capacité d'un forum ne descend pas sous les places déjà prises (inscrits et présents)."""
    if forum.pk is None or capacite is None:
        return
    occupees = _places_occupees(forum)
    if capacite < occupees:
        raise ValidationError(
            {
                "capacite": f"{compte(occupees, 'place')} "
                f"{'sont déjà prises' if est_pluriel(occupees) else 'est déjà prise'} : "
                "la capacité ne peut pas descendre en dessous."
            }
        )


@transaction.atomic
@attribue
def forum_modifier(*, forum, par, **champs):
    inconnus = set(champs) - set(CHAMPS_FORUM)
    if inconnus:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(inconnus))}")
    forum = _verrouiller_forum(forum)
    if forum.statut == Forum.Statut.CLOS:
        raise ValidationError("Un forum clos ne se modifie plus.")
    if "capacite" in champs:
        forum_verifier_capacite(forum=forum, capacite=champs["capacite"])
    for nom, valeur in champs.items():
        setattr(forum, nom, valeur)
    forum.full_clean()
    forum.save()
    if "capacite" in champs:
        _promouvoir_liste_attente(forum, par=par)
    return forum


@transaction.atomic
@attribue
def forum_changer_statut(*, forum, statut, par, jour=None):
    """Passe le forum au statut demandé si la transition est permise.

    - « tenu » seulement à partir de la date du forum ;
    - « clos » : les inscrits jamais pointés deviennent absents (bilan figé).
    """
    jour = jour or timezone.localdate()
    forum = _verrouiller_forum(forum)
    statut = Forum.Statut(statut)
    if statut not in Forum.TRANSITIONS[Forum.Statut(forum.statut)]:
        raise ValidationError(f"Un forum « {forum.get_statut_display()} » ne peut pas passer à « {statut.label} ».")
    if statut == Forum.Statut.TENU and jour < forum.date:
        raise ValidationError(f"Le forum aura lieu le {forum.date:%d/%m/%Y} : il ne peut pas être déclaré tenu avant.")
    if statut == Forum.Statut.CLOS:
        inscrits = list(forum.participations.filter(statut=S.INSCRIT))
        for p in inscrits:
            p.statut = S.ABSENT
        bulk_update_with_history(inscrits, Participation, ["statut", "date_modification"], default_user=par)
    forum.statut = statut
    forum.full_clean()
    forum.save()
    if statut == Forum.Statut.INSCRIPTIONS_OUVERTES:
        _promouvoir_liste_attente(forum, par=par)
    return forum


# ---------------------------------------------------------------------------------------- exposants, offres


@transaction.atomic
@attribue
def exposant_ajouter(*, forum, structure, par, stand="", contact_nom="", contact_telephone="", contact_email=""):
    forum = _verrouiller_forum(forum)
    if forum.statut == Forum.Statut.CLOS:
        raise ValidationError("Un forum clos ne reçoit plus d'exposant.")
    exposant = Exposant(
        forum=forum,
        structure=structure,
        stand=stand,
        contact_nom=contact_nom,
        contact_telephone=contact_telephone,
        contact_email=contact_email,
    )
    exposant.full_clean()
    exposant.save()
    return exposant


@transaction.atomic
@attribue
def offre_ajouter(*, exposant, intitule, type_contrat, nombre_postes, par):
    if exposant.forum.statut == Forum.Statut.CLOS:
        raise ValidationError("Un forum clos ne reçoit plus d'offre.")
    offre = OffreEmploi(exposant=exposant, intitule=intitule, type_contrat=type_contrat, nombre_postes=nombre_postes)
    offre.full_clean()
    offre.save()
    return offre


# ------------------------------------------------------------------------------------------- invitations


@dataclass(frozen=True)
class BilanInvitations:
    invitees: int  # nouvelles invitations créées
    deja_invitees: int  # personnes qui figuraient déjà parmi les participants : ignorées

    def __str__(self):
        texte = compte(self.invitees, "personne invitée")
        if self.deja_invitees:
            forme = "s" if est_pluriel(self.deja_invitees) else ""
            texte += f", {nombre(self.deja_invitees)} déjà invitée{forme} ou inscrite{forme} (ignorée{forme})"
        return texte + "."


@transaction.atomic
@attribue
def invitations_envoyer(*, forum, beneficiaires, par, quand=None):
    """Invite en une fois une liste de personnes ; jamais deux fois la même (déjà présentes : ignorées).
    `quand` : horodatage de l'invitation (par défaut maintenant ; reprise d'historique, démonstration)."""
    forum = _verrouiller_forum(forum)
    if not forum.accepte_invitations:
        raise ValidationError(f"Un forum « {forum.get_statut_display()} » ne reçoit plus d'invitations.")
    ids = list(dict.fromkeys(b.pk if hasattr(b, "pk") else b for b in beneficiaires))
    deja = set(forum.participations.filter(beneficiaire_id__in=ids).values_list("beneficiaire_id", flat=True))
    maintenant = quand or timezone.now()
    nouvelles = [
        Participation(
            forum=forum,
            beneficiaire_id=pk,
            statut=S.INVITE,
            date_invitation=maintenant,
            invite_par=par,
        )
        for pk in ids
        if pk not in deja
    ]
    bulk_create_with_history(nouvelles, Participation, batch_size=500, default_user=par)
    ecritures_en_masse("forums")  # création en masse, sans signal
    if nouvelles:
        from commun.taches import differer

        from .taches import inviter

        # Les messages d'invitation partent en tâche : une invitation de mille personnes ne fait pas attendre.
        differer(inviter, forum_id=forum.pk, beneficiaire_ids=[p.beneficiaire_id for p in nouvelles], par_id=par.pk)
    return BilanInvitations(invitees=len(nouvelles), deja_invitees=len(deja))


# -------------------------------------------------------------------------------- inscriptions et places


def _rang_suivant(forum):
    # Lu sous le verrou du forum : deux inscriptions ne peuvent pas recevoir le même rang.
    dernier = forum.participations.aggregate(m=Max("rang_attente"))["m"] or 0
    return dernier + 1


def _enregistrer(participation, par):
    participation._history_user = par
    participation.full_clean(validate_unique=False)
    participation.save()
    return participation


@transaction.atomic
@attribue
def participation_inscrire(*, forum, beneficiaire, par, quand=None):
    """Inscrit la personne s'il reste une place, sinon la place en liste d'attente (rang suivant).

    Rend la participation ; son statut dit où elle en est (inscrit ou liste d'attente).
    """
    forum = _verrouiller_forum(forum)
    if forum.statut != Forum.Statut.INSCRIPTIONS_OUVERTES:
        raise ValidationError(f"Les inscriptions ne sont pas ouvertes (forum « {forum.get_statut_display()} »).")
    participation = (
        Participation.objects.select_for_update(of=("self",)).filter(forum=forum, beneficiaire=beneficiaire).first()
    )
    if participation is None:
        participation = Participation(forum=forum, beneficiaire=beneficiaire)
    elif participation.statut in (S.INSCRIT, S.PRESENT, S.ATTENTE):
        raise ValidationError(
            f"{beneficiaire} est déjà {participation.get_statut_display().lower()} pour ce forum.",
        )
    if _places_occupees(forum) < forum.capacite:
        participation.statut = S.INSCRIT
        participation.rang_attente = None
    else:
        participation.statut = S.ATTENTE
        participation.rang_attente = _rang_suivant(forum)
    participation.date_inscription = quand or timezone.now()
    return _enregistrer(participation, par)


def _promouvoir_liste_attente(forum, *, par):
    """Sous le verrou du forum : inscrit les premiers de la liste d'attente, dans l'ordre, tant qu'il y a
    des places et que les inscriptions sont ouvertes. Rend les participations promues."""
    if forum.statut != Forum.Statut.INSCRIPTIONS_OUVERTES:
        return []
    libres = forum.capacite - _places_occupees(forum)
    if libres <= 0:
        return []
    promues = list(
        forum.participations.select_for_update(of=("self",))
        .filter(statut=S.ATTENTE)
        .order_by("rang_attente", "pk")[:libres]
    )
    for p in promues:
        p.statut = S.INSCRIT
        p.rang_attente = None
        _enregistrer(p, par)
    return promues


def _liberer(*, participation, nouveau_statut, par, statuts_permis):
    forum = _verrouiller_forum(participation.forum)
    participation = Participation.objects.select_for_update(of=("self",)).get(pk=participation.pk)
    if participation.statut not in statuts_permis:
        raise ValidationError(f"Impossible depuis le statut « {participation.get_statut_display()} ».")
    if forum.statut == Forum.Statut.CLOS:
        raise ValidationError("Le forum est clos : sa liste des participants est figée.")
    participation.statut = nouveau_statut
    participation.rang_attente = None
    _enregistrer(participation, par)
    promues = _promouvoir_liste_attente(forum, par=par)
    return participation, promues


@transaction.atomic
@attribue
def participation_annuler(*, participation, par):
    """Annule l'inscription (ou la place en liste d'attente) : la personne redevient simplement invitée.
    La place libérée va au premier de la liste d'attente. Rend (participation, promues)."""
    return _liberer(
        participation=participation, nouveau_statut=S.INVITE, par=par, statuts_permis=(S.INSCRIT, S.ATTENTE)
    )


@transaction.atomic
@attribue
def participation_excuser(*, participation, par):
    """La personne prévient qu'elle ne viendra pas : excusée ; la place va au premier de la liste d'attente."""
    return _liberer(
        participation=participation, nouveau_statut=S.EXCUSE, par=par, statuts_permis=(S.INVITE, S.INSCRIT, S.ATTENTE)
    )


def _verifier_pointage(forum, jour):
    if not forum.pointage_ouvert(jour):
        raise ValidationError(
            f"Le pointage est ouvert le jour du forum ({forum.date:%d/%m/%Y}) ou une fois le forum déclaré tenu."
        )


def _liberer_inscrits_attendus(forum, *, par, maintenant):
    """Sous le verrou du forum, le jour J une fois le délai de retenue passé : les inscrits pas encore
    arrivés ne retiennent plus leur place (ils passent « absent » ; s'ils arrivent ensuite, ils entrent
    s'il reste une place). Rend le nombre de places libérées."""
    if not forum.places_retenues_expirees(maintenant):
        return 0
    attendus = list(forum.participations.select_for_update(of=("self",)).filter(statut=S.INSCRIT).order_by("pk"))
    for p in attendus:
        p.statut = S.ABSENT
        _enregistrer(p, par)
    return len(attendus)


def presente(beneficiaire):
    """« pointée présente », « pointé présent », « pointé(e) présent(e) » selon la civilité."""
    return f"{genre('pointé', beneficiaire.civilite)} {genre('présent', beneficiaire.civilite)}"


def _exiger_une_place_libre(forum, participation, *, par, maintenant):
    if _places_occupees(forum) < forum.capacite:
        return
    if _liberer_inscrits_attendus(forum, par=par, maintenant=maintenant) and _places_occupees(forum) < forum.capacite:
        return
    attendus = forum.participations.filter(statut=S.INSCRIT).count()
    personne = participation.beneficiaire
    texte = (
        f"Le forum est complet ({compte(forum.capacite, 'place')}) : "
        f"{personne} n'était pas {genre('inscrit', personne.civilite)}."
    )
    if attendus and timezone.localdate(maintenant) == forum.date:
        texte += (
            f" {compte(attendus, 'inscrit pas encore arrivé', 'inscrits pas encore arrivés')} "
            f"{'retiennent leur' if est_pluriel(attendus) else 'retient sa'} place jusqu'à "
            f"{timezone.localtime(forum.heure_liberation()):%Hh%M} ; vous pouvez libérer la place d'un inscrit absent."
        )
    raise ValidationError(texte)


@transaction.atomic
@attribue
def participation_pointer(*, participation, par, jour=None, quand=None):
    """Marque la personne présente. Une personne inscrite a sa place ; une autre (invitée, en attente,
    excusée, absente) n'entre que s'il reste une place dans la salle. Le jour du forum, passé le délai de
    retenue (Forum.delai_liberation), les inscrits pas encore arrivés ne retiennent plus leur place."""
    maintenant = quand or timezone.now()
    jour = jour or timezone.localdate(maintenant)
    forum = _verrouiller_forum(participation.forum)
    _verifier_pointage(forum, jour)
    participation = Participation.objects.select_for_update(of=("self",)).get(pk=participation.pk)
    if participation.statut == S.PRESENT:
        raise ValidationError(f"{participation.beneficiaire} est déjà {presente(participation.beneficiaire)}.")
    if participation.statut != S.INSCRIT:
        _exiger_une_place_libre(forum, participation, par=par, maintenant=maintenant)
    participation.statut = S.PRESENT
    participation.rang_attente = None
    participation.date_pointage = maintenant
    return _enregistrer(participation, par)


@transaction.atomic
@attribue
def participation_liberer_place(*, participation, par, jour=None):
    """À l'entrée, l'agent libère la place d'un inscrit qui n'est pas arrivé : il passe « absent » (tracé
    dans l'historique). S'il arrive ensuite, il entre s'il reste une place. Pas de promotion automatique de
    la liste d'attente le jour J : l'agent fait entrer la personne suivante qui est à la porte."""
    jour = jour or timezone.localdate()
    forum = _verrouiller_forum(participation.forum)
    _verifier_pointage(forum, jour)
    participation = Participation.objects.select_for_update(of=("self",)).get(pk=participation.pk)
    if participation.statut != S.INSCRIT:
        raise ValidationError(
            f"Seule la place d'une personne inscrite pas encore arrivée se libère "
            f"({participation.beneficiaire} : {participation.get_statut_display().lower()})."
        )
    participation.statut = S.ABSENT
    return _enregistrer(participation, par)


def _statut_avant_pointage(participation):
    """Le statut (et le rang d'attente) de la participation juste avant son dernier pointage, lu dans
    l'historique ; à défaut, déduit de ses dates (inscrite, sinon invitée)."""
    precedent = None
    for h in participation.history.order_by("-history_date", "-history_id"):
        if h.statut != S.PRESENT:
            precedent = h
            break
    if precedent is not None:
        return precedent.statut, precedent.rang_attente
    if participation.date_inscription:
        return S.INSCRIT, None
    return S.INVITE, None


@transaction.atomic
@attribue
def participation_annuler_pointage(*, participation, par, jour=None):
    """Annule un pointage fait par erreur (tracé dans l'historique) : la personne retrouve le statut qu'elle
    avait avant ; une personne ajoutée sur place sans invitation est retirée des participants."""
    jour = jour or timezone.localdate()
    forum = _verrouiller_forum(participation.forum)
    _verifier_pointage(forum, jour)
    participation = Participation.objects.select_for_update(of=("self",)).get(pk=participation.pk)
    if participation.statut != S.PRESENT:
        raise ValidationError(f"{participation.beneficiaire} n'est pas {presente(participation.beneficiaire)}.")
    if participation.embauche_par_id or participation.entretiens_menes.exists():
        raise ValidationError("Des entretiens ou une embauche sont saisis pour cette personne : retirez-les d'abord.")
    if participation.sur_place and participation.date_invitation is None:
        participation._history_user = par
        participation.delete()
        return None
    statut, rang = _statut_avant_pointage(participation)
    participation.sur_place = False
    participation.date_pointage = None
    participation.statut = statut
    participation.rang_attente = None
    if statut == S.ATTENTE:
        pris = forum.participations.filter(rang_attente=rang).exists() if rang else True
        participation.rang_attente = _rang_suivant(forum) if pris else rang
    return _enregistrer(participation, par)


@transaction.atomic
@attribue
def participation_ajouter_sur_place(*, forum, beneficiaire, par, jour=None, quand=None):
    """Une personne venue sans inscription : présente d'emblée, s'il reste une place dans la salle."""
    maintenant = quand or timezone.now()
    jour = jour or timezone.localdate(maintenant)
    forum = _verrouiller_forum(forum)
    _verifier_pointage(forum, jour)
    existante = Participation.objects.filter(forum=forum, beneficiaire=beneficiaire).first()
    if existante is not None:
        return participation_pointer(participation=existante, par=par, jour=jour, quand=quand)
    participation = Participation(
        forum=forum,
        beneficiaire=beneficiaire,
        statut=S.PRESENT,
        sur_place=True,
        date_pointage=maintenant,
    )
    if _places_occupees(forum) >= forum.capacite:
        if not (
            _liberer_inscrits_attendus(forum, par=par, maintenant=maintenant)
            and _places_occupees(forum) < forum.capacite
        ):
            raise ValidationError(f"Le forum est complet ({compte(forum.capacite, 'place')}).")
    return _enregistrer(participation, par)


# ---------------------------------------------------------------------------------- résultats du forum


def _verifier_resultats_ouverts(forum, jour):
    """Entretiens et embauches se saisissent dans la même fenêtre que le pointage (le jour du forum, ou une fois
    le forum tenu) : une seule définition, `Forum.pointage_ouvert`."""
    if forum.pointage_ouvert(jour):
        return
    raise ValidationError(
        "Les entretiens et embauches se saisissent le jour du forum ou une fois le forum tenu (pas après clôture)."
    )


@transaction.atomic
@attribue
def entretien_enregistrer(*, exposant, participations, par, parmi=None, jour=None):
    """Fixe la liste des personnes reçues en entretien par cet exposant (ajouts et retraits).

    `parmi` : les participations que l'utilisateur a eues sous les yeux (son périmètre) ; seules celles-ci
    peuvent être retirées (par défaut, toutes celles du forum). Seules des personnes présentes à ce forum
    peuvent avoir eu un entretien. Rend (ajoutés, retirés)."""
    jour = jour or timezone.localdate()
    forum = _verrouiller_forum(exposant.forum)
    _verifier_resultats_ouverts(forum, jour)
    # Relues sous verrou : le statut qui compte est celui de la base, pas celui d'un objet périmé.
    voulues = {
        p.pk: p
        for p in Participation.objects.select_for_update(of=("self",))
        .select_related("beneficiaire")
        .filter(pk__in=[p.pk for p in participations])
        .order_by("pk")
    }
    hors_forum = [p for p in voulues.values() if p.forum_id != forum.pk]
    if hors_forum:
        raise ValidationError("Un entretien concerne un participant de ce même forum.")
    absents = [p for p in voulues.values() if p.statut != S.PRESENT]
    if absents:
        raise ValidationError(
            "Seules les personnes présentes ont pu avoir un entretien : "
            + ", ".join(str(p.beneficiaire) for p in absents)
            + "."
        )
    existants_qs = Entretien.objects.filter(exposant=exposant)
    if parmi is not None:
        existants_qs = existants_qs.filter(
            participation__in=[p.pk for p in parmi] if isinstance(parmi, list) else parmi
        )
    existants = {e.participation_id: e for e in existants_qs}
    deja = set(
        Entretien.objects.filter(exposant=exposant, participation_id__in=list(voulues)).values_list(
            "participation_id", flat=True
        )
    )
    a_creer = [Entretien(participation_id=pk, exposant=exposant, saisi_par=par) for pk in voulues if pk not in deja]
    for e in a_creer:
        e.full_clean(validate_unique=False, validate_constraints=False)
    bulk_create_with_history(a_creer, Entretien, default_user=par)
    ecritures_en_masse("forums")  # création en masse, sans signal
    retires = [e for pk, e in existants.items() if pk not in voulues]
    for e in retires:
        e._history_user = par
        e.delete()
    return len(a_creer), len(retires)


@dataclass(frozen=True)
class ResultatEmbauche:
    participation: Participation
    contrat: object | None = None  # brouillon de contrat aidé (application contrats), s'il a été demandé


def _contrat_creer_brouillon():
    """Le service de l'application contrats, s'il est disponible (import tardif : forums n'en dépend pas)."""
    try:
        from contrats.services import contrat_creer_brouillon
    except ImportError:
        return None
    return contrat_creer_brouillon


def _intitule_poste(exposant, forum):
    """L'intitulé de l'offre en contrat aidé de l'exposant (ou de sa première offre) pour le brouillon."""
    offres = sorted(exposant.offres.all(), key=lambda o: (o.type_contrat != TypeContrat.CONTRAT_AIDE, o.pk))
    if offres:
        return offres[0].intitule
    return f"Poste proposé au forum « {forum.titre} »"[:200]


@transaction.atomic
@attribue
def embauche_enregistrer(
    *, participation, exposant, type_contrat, date_debut, par, creer_brouillon_contrat=False, jour=None
):
    """Enregistre l'embauche d'une personne présente par un exposant du forum.

    Avec `creer_brouillon_contrat`, prépare dans la foulée un brouillon de contrat aidé (CUI-CAE / PEC)
    pour cette personne et cet employeur, par le service de l'application contrats ; les règles du contrat
    aidé (employeur non marchand...) y sont vérifiées, et leur refus annule aussi l'embauche.
    """
    jour = jour or timezone.localdate()
    forum = _verrouiller_forum(participation.forum)
    _verifier_resultats_ouverts(forum, jour)
    participation = Participation.objects.select_for_update(of=("self",)).get(pk=participation.pk)
    if exposant.forum_id != forum.pk:
        raise ValidationError({"exposant": "L'employeur doit être un exposant de ce forum."})
    if participation.statut != S.PRESENT:
        raise ValidationError("Seule une personne présente au forum peut y être embauchée.")
    if creer_brouillon_contrat and type_contrat != TypeContrat.CONTRAT_AIDE:
        raise ValidationError(
            {"creer_brouillon_contrat": "Un brouillon de contrat aidé suppose une embauche en contrat aidé."}
        )
    participation.embauche_par = exposant
    participation.embauche_type_contrat = type_contrat
    participation.embauche_date_debut = date_debut
    _enregistrer(participation, par)
    contrat = None
    if creer_brouillon_contrat:
        creer = _contrat_creer_brouillon()
        if creer is None:
            raise ValidationError(
                {"creer_brouillon_contrat": "La préparation des contrats aidés n'est pas encore disponible."}
            )
        contrat = creer(
            beneficiaire=participation.beneficiaire,
            employeur=exposant.structure,
            par=par,
            intitule_poste=_intitule_poste(exposant, forum),
            date_debut=date_debut,
        )
    return ResultatEmbauche(participation=participation, contrat=contrat)


@transaction.atomic
@attribue
def embauche_annuler(*, participation, par, jour=None):
    """Retire une embauche saisie par erreur."""
    jour = jour or timezone.localdate()
    forum = _verrouiller_forum(participation.forum)
    _verifier_resultats_ouverts(forum, jour)
    participation = Participation.objects.select_for_update(of=("self",)).get(pk=participation.pk)
    participation.embauche_par = None
    participation.embauche_type_contrat = ""
    participation.embauche_date_debut = None
    return _enregistrer(participation, par)


# -------------------------------------------------------------------------------- messages aux personnes


def _contexte_forum(forum):
    return {
        "forum": forum.titre,
        "date": f"{forum.date:%d/%m/%Y}",
        "lieu": f"{forum.adresse}, {forum.commune.nom}, à partir de {forum.heure_debut:%H:%M}".replace(":", " h "),
    }


@attribue
def participation_envoyer_invitation(*, participation, par=None, relance=False):
    """Le message d'invitation (ou sa relance, une seule fois) à la personne invitée."""
    from commun.messagerie import message_preparer
    from commun.models import Objet

    objet = Objet.RELANCE_FORUM if relance else Objet.INVITATION_FORUM
    beneficiaire = participation.beneficiaire
    return message_preparer(
        objet=objet,
        destinataire=beneficiaire,
        coordonnees=beneficiaire.coordonnees(),
        contexte=_contexte_forum(participation.forum),
        cle=f"{objet}:{participation.pk}",
        par=par,
    )


def invitations_a_relancer(*, jour=None):
    """Invitations restées sans réponse depuis RELANCE_INVITATION_JOURS jours, pour un forum à venir."""
    from django.conf import settings

    jour = jour or timezone.localdate()
    limite = timezone.make_aware(
        datetime.datetime.combine(jour - datetime.timedelta(days=settings.RELANCE_INVITATION_JOURS), datetime.time.max)
    )
    return Participation.objects.filter(
        statut=S.INVITE,
        date_invitation__lte=limite,
        forum__date__gt=jour,
        forum__statut__in=(Forum.Statut.EN_PREPARATION, Forum.Statut.INSCRIPTIONS_OUVERTES),
    )

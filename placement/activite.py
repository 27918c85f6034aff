"""Rubriques du placement dans « Mon activité » : référent, prestataire, pilotage."""

from django.urls import reverse
from django.utils import timezone

from commun import francais
from commun.activite import ORDRE_RESULTATS_A_VALIDER, Ligne, depuis_queryset, rubrique
from comptes.models import Role

from . import selecteurs
from .models import StatutResultat


def _ligne_orientation(jour, champ="date_proposition", precision=None):
    def ligne(o):
        d = getattr(o, champ)
        return Ligne(
            texte=f"{o.beneficiaire} — {o.lot.prestataire}",
            url=o.get_absolute_url(),
            date=d,
            precision=precision(o) if precision else f"depuis {francais.jours((jour - d).days)}",
        )

    return ligne


@rubrique(roles=(Role.REFERENT,), ordre=12)
def orientations_sans_reponse(user, jour):
    return depuis_queryset(
        selecteurs.orientations_sans_reponse(user, jour),
        libelle=f"Orientations sans réponse après {selecteurs.DELAI_REPONSE_JOURS} jours",
        champ_date="date_proposition",
        ligne=_ligne_orientation(jour),
        cle="orientations_sans_reponse",
    )


@rubrique(roles=(Role.PRESTATAIRE,), ordre=20)
def orientations_a_repondre(user, jour):
    return depuis_queryset(
        selecteurs.orientations_a_repondre(user, jour),
        libelle="Orientations à accepter ou refuser",
        champ_date="date_proposition",
        ligne=_ligne_orientation(jour),
        cle="orientations_a_repondre",
    )


@rubrique(roles=(Role.PRESTATAIRE,), ordre=21)
def suivis_emploi_dus(user, jour):
    def ligne(s):
        return Ligne(
            texte=str(s.orientation.beneficiaire),
            url=s.orientation.get_absolute_url(),
            date=s.date,
            precision=f"suivi à {s.echeance_due} mois (embauche du {s.date:%d/%m/%Y})",
        )

    return depuis_queryset(
        selecteurs.suivis_emploi_dus(user, jour),
        libelle="Suivis dans l'emploi à 1, 3 et 6 mois",
        champ_date="date",
        ligne=ligne,
        cle="suivis_emploi",
    )


@rubrique(roles=(Role.PRESTATAIRE,), ordre=22)
def entrees_a_declarer(user, jour):
    return depuis_queryset(
        selecteurs.entrees_a_declarer(user, jour),
        libelle="Résultats à déclarer : entrées en accompagnement",
        champ_date="date_reponse",
        ligne=_ligne_orientation(
            jour, champ="date_reponse", precision=lambda o: f"acceptée le {o.date_reponse:%d/%m/%Y}"
        ),
        cle="entrees_a_declarer",
    )


@rubrique(roles=(Role.PILOTAGE, Role.ADMINISTRATEUR), ordre=101)
def lots_presque_pleins(user, jour):
    def ligne(lot):
        taux = round(100 * lot.places_occupees / lot.capacite)
        return Ligne(
            texte=f"{lot.marche} — lot {lot.numero} ({lot.prestataire})",
            url=lot.get_absolute_url(),
            date=lot.date_fin,
            urgent=lot.places_occupees >= lot.capacite,
            precision=(
                f"{lot.places_occupees} place{'s' if francais.est_pluriel(lot.places_occupees) else ''} "
                f"sur {lot.capacite} ({taux} %)"
            ),
        )

    return depuis_queryset(
        selecteurs.lots_presque_pleins(user, jour),
        libelle="Lots consommés à plus de 90 %",
        champ_date="date_fin",
        ligne=ligne,
        cle="lots_90",
    )


@rubrique(roles=(Role.PILOTAGE, Role.ADMINISTRATEUR), ordre=ORDRE_RESULTATS_A_VALIDER)
def resultats_a_valider(user, jour):
    def ligne(r):
        declare = timezone.localdate(r.date_creation)
        return Ligne(
            texte=f"{r.orientation.beneficiaire} — {r.get_nature_display()} ({r.lot.prestataire})",
            url=r.get_absolute_url(),
            date=declare,
            precision=f"déclaré le {declare:%d/%m/%Y}",
        )

    return depuis_queryset(
        selecteurs.resultats_a_valider(user, jour),
        libelle="Résultats déclarés en attente de validation",
        aide="Justificatif à vérifier : valider (service fait) ou rejeter avec un motif. Les plus anciens d'abord.",
        url=reverse("placement:etat") + f"?statut={StatutResultat.DECLARE}",
        champ_date="date_creation",
        ligne=ligne,
        cle="resultats_a_valider",
    )

"""Rubriques du registre dans « Mon activité » : référent, pilotage (personnes à rattacher)."""

from django.utils import timezone

from commun import francais
from commun.activite import ORDRE_PERSONNES_A_RATTACHER, Ligne, depuis_queryset, rubrique
from comptes.models import Role

from . import selecteurs


@rubrique(roles=(Role.REFERENT,), ordre=10)
def personnes_a_evaluer(user, jour):
    retard = selecteurs.en_retard_d_evaluation(jour)

    def ligne(b):
        attente = (jour - b.date_orientation).days if b.date_orientation else None
        return Ligne(
            texte=str(b),
            url=b.get_absolute_url(),
            date=b.date_orientation,
            urgent=attente is not None and attente > selecteurs.DELAI_EVALUATION_JOURS,
            precision=f"orientée il y a {francais.jours(attente)}"
            if attente is not None
            else "sans date d'orientation",
        )

    return depuis_queryset(
        selecteurs.personnes_a_evaluer(user, jour),
        libelle="Personnes à évaluer",
        aide=f"Par ancienneté de l'orientation ; en rouge au-delà de {selecteurs.DELAI_EVALUATION_JOURS} jours.",
        champ_date="date_orientation",
        ligne=ligne,
        urgent=retard,
        cle="personnes_a_evaluer",
    )


@rubrique(roles=(Role.REFERENT,), ordre=11)
def evaluations_de_la_semaine(user, jour):
    def ligne(e):
        heure = f" à {e.heure:%H:%M}" if e.heure else ""
        return Ligne(
            texte=str(e.beneficiaire), url=e.get_absolute_url(), date=e.date, precision=f"le {e.date:%d/%m}{heure}"
        )

    return depuis_queryset(
        selecteurs.evaluations_de_la_semaine(user, jour),
        libelle="Évaluations prévues cette semaine",
        champ_date="date",
        ligne=ligne,
        cle="evaluations_semaine",
    )


@rubrique(roles=(Role.REFERENT,), ordre=14)
def personnes_sans_referent(user, jour):
    from django.urls import reverse

    return depuis_queryset(
        selecteurs.personnes_sans_referent(user, jour),
        libelle="Personnes sans référent dans vos bassins",
        champ_date="date_creation",
        ligne=lambda b: Ligne(
            texte=str(b), url=reverse("beneficiaires:referent", args=[b.pk]), date=b.date_creation.date()
        ),
        cle="sans_referent",
    )


@rubrique(roles=(Role.PILOTAGE, Role.ADMINISTRATEUR), ordre=ORDRE_PERSONNES_A_RATTACHER)
def personnes_a_rattacher(user, jour):
    from django.urls import reverse

    def ligne(b):
        importee = timezone.localdate(b.date_creation)
        return Ligne(
            texte=str(b),
            url=reverse("beneficiaires:rattacher", args=[b.pk]),
            date=importee,
            precision=f"adresse à vérifier : « {b.adresse_brute} »" if b.adresse_brute else "adresse à vérifier",
        )

    return depuis_queryset(
        selecteurs.personnes_a_rattacher(user, jour),
        libelle="Personnes à rattacher à une commune",
        aide="Adresse importée non reconnue : sans commune, la personne n'a ni bassin ni référent.",
        champ_date="date_creation",
        ligne=ligne,
        url=reverse("beneficiaires:a_rattacher"),
        cle="personnes_a_rattacher",
    )

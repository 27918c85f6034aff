"""Rubriques de la mobilité dans « Mon activité » : agent mobilité et référent."""

from django.db.models import Q

from commun import francais
from commun.activite import Ligne, depuis_queryset, rubrique
from comptes.models import Role

from . import selecteurs


def _ligne_location(jour, champ):
    def ligne(loc):
        d = getattr(loc, champ)
        retard = champ == "fin" and d < jour
        precision = f"retour prévu le {loc.fin:%d/%m/%Y}" if champ == "fin" else f"départ prévu le {loc.debut:%d/%m/%Y}"
        if retard:
            precision += f", {francais.jours((jour - d).days)} de retard"
        return Ligne(
            texte=f"{loc.beneficiaire} — {loc.vehicule}", url=loc.get_absolute_url(), date=d, urgent=retard,
            precision=precision,
        )  # fmt: skip

    return ligne


@rubrique(roles=(Role.AGENT_MOBILITE,), ordre=30)
def departs_du_jour(user, jour):
    return depuis_queryset(
        selecteurs.departs_du_jour(user, jour),
        libelle="Départs du jour",
        champ_date="debut",
        ligne=_ligne_location(jour, "debut"),
        urgent=Q(debut__lt=jour),
        cle="departs_du_jour",
    )


@rubrique(roles=(Role.AGENT_MOBILITE,), ordre=31)
def retours_du_jour(user, jour):
    return depuis_queryset(
        selecteurs.retours_du_jour(user, jour),
        libelle="Retours du jour",
        champ_date="fin",
        ligne=_ligne_location(jour, "fin"),
        cle="retours_du_jour",
    )


@rubrique(roles=(Role.AGENT_MOBILITE,), ordre=32)
def retours_en_retard(user, jour):
    return depuis_queryset(
        selecteurs.retours_en_retard(user, jour),
        libelle="Retours en retard",
        champ_date="fin",
        ligne=_ligne_location(jour, "fin"),
        urgent=Q(pk__isnull=False),
        cle="retours_en_retard",
    )


@rubrique(roles=(Role.AGENT_MOBILITE,), ordre=33)
def maintenances_dues(user, jour):
    return depuis_queryset(
        selecteurs.maintenances_dues(user, jour),
        libelle="Maintenances en cours ou dans la semaine",
        champ_date="debut",
        ligne=lambda m: Ligne(
            texte=str(m.vehicule),
            url=m.vehicule.get_absolute_url(),
            date=m.debut,
            precision=f"du {m.debut:%d/%m/%Y} au {m.fin:%d/%m/%Y}" + (f" — {m.motif}" if m.motif else ""),
        ),  # fmt: skip
        cle="maintenances_dues",
    )


@rubrique(roles=(Role.AGENT_MOBILITE,), ordre=34)
def vehicules_a_declasser(user, jour):
    return depuis_queryset(
        selecteurs.vehicules_a_declasser(user, jour),
        libelle="Véhicules à déclasser",
        aide=f"Plus de {selecteurs.DECLASSEMENT_AGE_ANS} ans ou plus de {selecteurs.DECLASSEMENT_KM:,} km.".replace(
            ",", " "
        ),
        champ_date="date_premiere_immatriculation",
        ligne=lambda v: Ligne(
            texte=str(v),
            url=v.get_absolute_url(),
            date=v.date_premiere_immatriculation,
            precision=f"immatriculé le {v.date_premiere_immatriculation:%d/%m/%Y}, {v.kilometrage} km",
        ),  # fmt: skip
        cle="vehicules_a_declasser",
    )


@rubrique(roles=(Role.REFERENT,), ordre=16)
def locations_de_mes_personnes(user, jour):
    return depuis_queryset(
        selecteurs.locations_finissant_ou_en_retard(user, jour),
        libelle="Locations qui se terminent ou sont en retard",
        champ_date="fin",
        ligne=_ligne_location(jour, "fin"),
        urgent=Q(fin__lt=jour),
        cle="locations_referent",
    )

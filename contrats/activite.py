"""Rubriques des contrats aidés dans « Mon activité » : renouvellements (référent), enveloppe (pilotage)."""

from django.urls import reverse

from commun import francais
from commun.activite import Element, Ligne, depuis_queryset, rubrique
from comptes.models import Role

from . import selecteurs

JOURS_RENOUVELLEMENT = 60


@rubrique(roles=(Role.REFERENT,), ordre=13)
def contrats_a_renouveler(user, jour):
    def ligne(c):
        return Ligne(
            texte=f"{c.beneficiaire} — {c.employeur}",
            url=c.get_absolute_url(),
            date=c.date_fin,
            urgent=(c.date_fin - jour).days <= 15,
            precision=f"fin le {c.date_fin:%d/%m/%Y}",
        )

    return depuis_queryset(
        selecteurs.contrats_a_renouveler(user, jour, JOURS_RENOUVELLEMENT),
        libelle=f"Contrats finissant dans les {JOURS_RENOUVELLEMENT} jours (renouvellement à décider)",
        champ_date="date_fin",
        ligne=ligne,
        cle="contrats_a_renouveler",
    )


@rubrique(roles=(Role.PILOTAGE, Role.ADMINISTRATEUR), ordre=100)
def enveloppe(user, jour):
    consommee = selecteurs.enveloppe_consommee(jour)
    if consommee is None:
        return Element(libelle="Enveloppe des contrats aidés consommée à plus de 90 %", nombre=0, cle="enveloppe_90")
    env, signes = consommee
    taux = round(100 * signes / env.nombre_contrats)
    signes_txt = "contrats signés" if francais.est_pluriel(signes) else "contrat signé"
    prevus_txt = "prévus" if francais.est_pluriel(env.nombre_contrats) else "prévu"
    return Element(
        libelle="Enveloppe des contrats aidés consommée à plus de 90 %",
        nombre=1,
        urgents=1 if signes >= env.nombre_contrats else 0,
        lignes=[
            Ligne(
                texte=f"Enveloppe {env.annee}",
                url=reverse("contrats:liste") + f"?signature_apres={env.annee}-01-01",
                urgent=signes >= env.nombre_contrats,
                precision=f"{signes} {signes_txt} sur {env.nombre_contrats} {prevus_txt} ({taux} %)",
            )
        ],
        cle="enveloppe_90",
    )

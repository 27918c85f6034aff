"""Les contrats aidés dans le fil de la personne, et l'action « Prescrire un contrat aidé » de sa fiche."""

from django.urls import reverse

from beneficiaires.fiche import action
from beneficiaires.timeline import Evenement, source
from comptes.models import Role

from .models import ContratAide, Statut


@source
def contrats_aides(beneficiaire, user):
    """Une requête : les contrats de la personne que l'utilisateur peut voir."""
    contrats = (
        ContratAide.objects.visibles_par(user)
        .filter(beneficiaire=beneficiaire)
        .select_related("employeur")
        .order_by("pk")
    )
    evenements = []
    for c in contrats:
        url = c.get_absolute_url()
        nature = c.get_type_display().split(" ")[0]
        if c.statut == Statut.BROUILLON:
            evenements.append(
                Evenement(
                    date=c.date_creation,
                    titre=f"{nature} en préparation",
                    detail=f"{c.intitule_poste} — {c.employeur}",
                    url=url,
                    categorie="contrats",
                )
            )
            continue
        periode = f"du {c.date_debut:%d/%m/%Y} au {c.date_fin:%d/%m/%Y}"
        evenements.append(
            Evenement(
                date=c.date_signature,
                titre=f"{nature} signé ({c.numero_convention})",
                detail=f"{c.intitule_poste} — {c.employeur}, {periode}, {c.heures_hebdomadaires.normalize():f} h",
                url=url,
                categorie="contrats",
            )
        )
        if c.statut == Statut.ROMPU:
            evenements.append(
                Evenement(
                    date=c.date_rupture,
                    titre=f"{nature} rompu" + (" : sortie positive" if c.sortie_positive else ""),
                    detail=c.get_motif_rupture_display(),
                    url=url,
                    categorie="contrats",
                )
            )
        elif c.statut == Statut.TERMINE:
            evenements.append(
                Evenement(
                    date=c.date_fin, titre=f"{nature} terminé", detail=str(c.employeur), url=url, categorie="contrats"
                )
            )
    return evenements


action(
    "Prescrire un contrat aidé",
    lambda b: reverse("contrats:creer") + f"?beneficiaire={b.pk}",
    roles=(Role.ADMINISTRATEUR, Role.REFERENT),
    ordre=20,
)

"""La mobilité dans le fil chronologique de la personne, et l'action « Réserver un véhicule » sur sa fiche."""

from django.urls import reverse

from beneficiaires.fiche import action
from beneficiaires.timeline import Evenement, source
from comptes.models import Role

from .models import Location, StatutLocation


@source
def locations(beneficiaire, user):
    """Une requête : les locations de la personne que l'utilisateur peut voir."""
    evenements = []
    for loc in (
        Location.objects.visibles_par(user)
        .filter(beneficiaire=beneficiaire)
        .select_related("vehicule")
        .order_by("-debut", "-pk")
    ):
        v = loc.vehicule
        detail = (
            f"{v.marque} {v.modele} ({v.immatriculation}) du {loc.debut:%d/%m/%Y} au {loc.fin:%d/%m/%Y} — "
            f"{loc.get_motif_display()} — {loc.get_statut_display().lower()}"
        )
        if loc.statut == StatutLocation.RESTITUEE and loc.date_retour and loc.date_retour > loc.fin:
            detail += f", rendue en retard le {loc.date_retour:%d/%m/%Y}"
        evenements.append(
            Evenement(
                date=loc.debut,
                titre=f"Location de véhicule n° {loc.numero}",
                detail=detail,
                url=loc.get_absolute_url(),
                categorie="mobilite",
            )
        )
    return evenements


action(
    "Réserver un véhicule",
    lambda b: reverse("mobilite:recherche") + f"?beneficiaire={b.pk}",
    roles=(Role.ADMINISTRATEUR, Role.REFERENT, Role.AGENT_MOBILITE),
    ordre=40,
)

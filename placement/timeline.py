"""Le placement sur la fiche de la personne : l'action « Orienter vers un prestataire » et ses événements."""

from django.urls import reverse

from beneficiaires.fiche import action
from beneficiaires.timeline import source
from comptes.models import Role

from .models import Orientation
from .selecteurs import fil_orientation, orientations_detaillees

action(
    "Orienter vers un prestataire",
    lambda b: reverse("placement:orienter", args=[b.pk]),
    roles=(Role.ADMINISTRATEUR, Role.REFERENT),
    ordre=30,
)


@source
def placement(beneficiaire, user):
    """Orientations, réponses, suivis, sorties et suivis dans l'emploi ; un nombre constant de requêtes."""
    orientations = orientations_detaillees(Orientation.objects.visibles_par(user).filter(beneficiaire=beneficiaire))
    evenements = []
    for orientation in orientations:
        evenements.extend(fil_orientation(orientation, user, avec_url=True))
    return evenements

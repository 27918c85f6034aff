from commun.menu_registre import entree
from comptes.models import Role

entree(
    "Placement",
    "placement:liste",
    roles=(Role.ADMINISTRATEUR, Role.PILOTAGE, Role.REFERENT, Role.PRESTATAIRE),
    ordre=40,
)
entree("État des résultats", "placement:etat", roles=(Role.ADMINISTRATEUR, Role.PILOTAGE, Role.PRESTATAIRE), ordre=41)

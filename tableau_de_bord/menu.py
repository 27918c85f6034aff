from commun.menu_registre import entree
from comptes.models import Role

entree(
    "Tableau de bord",
    "tableau_de_bord:tableau",
    roles=(Role.ADMINISTRATEUR, Role.PILOTAGE, Role.REFERENT),
    ordre=80,
)

from commun.menu_registre import entree
from comptes.models import Role

entree("Forums", "forums:liste", roles=(Role.ADMINISTRATEUR, Role.PILOTAGE, Role.REFERENT), ordre=60)

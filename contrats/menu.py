from commun.menu_registre import entree
from comptes.models import Role

entree("Contrats aidés", "contrats:liste", roles=(Role.ADMINISTRATEUR, Role.PILOTAGE, Role.REFERENT), ordre=30)

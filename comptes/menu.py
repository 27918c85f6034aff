from commun.menu_registre import entree
from comptes.models import Role

entree("Accueil", "accueil", roles=tuple(Role.values), ordre=0)
entree("Administration", "admin:index", roles=(Role.ADMINISTRATEUR,), ordre=90)

from commun.menu_registre import entree
from comptes.models import Role

entree("Bénéficiaires", "beneficiaires:liste", roles=(Role.ADMINISTRATEUR, Role.PILOTAGE, Role.REFERENT), ordre=10)
entree("Importer une liste", "beneficiaires:import", roles=(Role.ADMINISTRATEUR, Role.PILOTAGE), ordre=15)
entree("Personnes à rattacher", "beneficiaires:a_rattacher", roles=(Role.ADMINISTRATEUR, Role.PILOTAGE), ordre=16)
entree("Doublons probables", "beneficiaires:doublons", roles=(Role.ADMINISTRATEUR, Role.PILOTAGE), ordre=17)
entree(
    "Portefeuilles", "beneficiaires:portefeuilles", roles=(Role.ADMINISTRATEUR, Role.PILOTAGE, Role.REFERENT), ordre=12
)

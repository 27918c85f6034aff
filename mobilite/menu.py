from commun.menu_registre import entree
from comptes.models import Role

A, P, R, M = Role.ADMINISTRATEUR, Role.PILOTAGE, Role.REFERENT, Role.AGENT_MOBILITE

entree("Trouver un véhicule", "mobilite:recherche", roles=(A, R, M), ordre=60)
entree("Locations", "mobilite:locations", roles=(A, P, R, M), ordre=61)
entree("Flotte", "mobilite:vehicules", roles=(A, P, M), ordre=62)
entree("Cessions", "mobilite:conventions", roles=(A, P, M), ordre=63)

from comptes.services import COMPTES_DEMO, MOT_DE_PASSE_DEMO, comptes_demo_creer
from referentiel.registre_demo import generateur


@generateur(ordre=20)
def comptes(*, echelle, graine, sortie):
    crees = comptes_demo_creer()
    sortie(
        f"Comptes de démonstration : {crees} créé(s) sur {len(COMPTES_DEMO)} "
        f"(mot de passe commun « {MOT_DE_PASSE_DEMO} »)."
    )

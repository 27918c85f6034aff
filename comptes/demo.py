from commun.francais import compte
from comptes.models import Role, User
from comptes.services import COMPTES_DEMO, MOT_DE_PASSE_DEMO, comptes_demo_creer
from referentiel.demo import bassins_demo
from referentiel.registre_demo import generateur


@generateur(ordre=20)
def comptes(*, echelle, graine, sortie):
    crees = comptes_demo_creer()
    # Les bassins des référents de démonstration sont nommés d'après le Loiret : avec un autre Département, ils
    # reçoivent les bassins qui en tiennent lieu (voir referentiel.demo.LIEUX_DEMO), sans quoi ils ne verraient
    # personne.
    bassins = bassins_demo()
    for identifiant, _prenom, _nom, role, noms_bassins in COMPTES_DEMO:
        if role == Role.REFERENT:
            user = User.objects.get(username=identifiant)
            user.bassins.set([bassins[n] for n in noms_bassins if n in bassins])
    sortie(
        f"Comptes de démonstration : {compte(crees, 'créé')} sur {len(COMPTES_DEMO)} "
        f"(mot de passe commun « {MOT_DE_PASSE_DEMO} »)."
    )

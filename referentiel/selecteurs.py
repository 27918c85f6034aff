"""Lectures du référentiel partagées par les applications."""

from commun.filtres import choix_du_referentiel

from .models import BassinEmploi


def bassins():
    """Les bassins d'emploi par nom, pour une liste de choix (`ChampChoixModele`, filtres des listes) : lus une fois
    par processus et par version du référentiel, au lieu d'une requête pour écrire la liste et d'une autre pour
    valider le bassin choisi, à chaque page."""
    return choix_du_referentiel("bassins", lambda: BassinEmploi.objects.order_by("nom"))


def bassins_de(user):
    """Les bassins d'emploi d'un référent, par nom, lus de même (la version du référentiel comprend les comptes :
    un bassin ajouté à un référent ou retiré fait relire les siens)."""
    return choix_du_referentiel(
        f"bassins-de-{user.pk}", lambda: BassinEmploi.objects.filter(pk__in=user.bassins.all()).order_by("nom")
    )

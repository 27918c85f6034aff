"""Alertes de l'accueil des administrateurs : les valeurs de référence du mois en cours peut-être périmées."""

from django.urls import reverse

from commun.alertes import Alerte, alerte
from comptes.models import Role

from .bareme import valeurs_perimees


@alerte(roles=(Role.ADMINISTRATEUR,))
def valeurs_de_reference_perimees(user):
    return [
        Alerte(
            titre=f"Valeur de référence peut-être périmée : {v.libelle}",
            texte=v.avertissement() + " Ajoutez la nouvelle valeur avec sa source (décret ou avis officiel).",
            lien=reverse("admin:contrats_parametrefinancier_changelist") + f"?type__exact={v.type}",
            libelle_lien="Voir les valeurs de référence",
        )
        for v in valeurs_perimees()
    ]

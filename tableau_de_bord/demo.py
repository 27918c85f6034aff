"""Démo : cibles 2017-2018 et chiffres clés du lancement (budget RSA 2017, foyers et personnes de septembre 2017).

Tolérant : une cible dont l'indicateur n'est pas déclaré (application absente) est ignorée et signalée.
"""

from datetime import date
from decimal import Decimal

from referentiel.demo import bassins_demo
from referentiel.registre_demo import generateur

from .models import ChiffreCle
from .selecteurs import codes_connus
from .services import chiffre_cle_enregistrer, objectif_enregistrer, tableau_invalider

# 600 entrées en accompagnement attendues sur les 4 bassins (répartition de démonstration).
ENTREES_PLACEMENT_PAR_BASSIN = {"Orléans": 270, "Montargis": 150, "Gien": 90, "Pithiviers": 90}
# Contrats co-financés prévus par la CAOM (alignés sur les enveloppes de la démonstration des contrats).
CAOM = {"petite": {2017: 60, 2018: 110}, "loiret": {2017: 60, 2018: 320}}
# (année, code, bassin ou None, valeur, source)
OBJECTIFS = [
    *[
        (annee, "placement_entrees", nom, valeur, "Marché de placement : répartition par lot (démonstration)")
        for annee in (2017, 2018)
        for nom, valeur in ENTREES_PLACEMENT_PAR_BASSIN.items()
    ],
]
CHIFFRES = [
    (ChiffreCle.Nature.BUDGET_RSA, date(2017, 1, 1), Decimal("87900000"), "Budget primitif 2017 du Département"),
    (ChiffreCle.Nature.FOYERS_RSA, date(2017, 9, 30), Decimal(14293), "CAF et MSA, septembre 2017"),
    (ChiffreCle.Nature.PERSONNES_RSA, date(2017, 9, 30), Decimal(28485), "CAF et MSA, septembre 2017"),
]


@generateur(ordre=80)
def tableau_de_bord(*, echelle, graine, sortie):
    for nature, jour, valeur, source in CHIFFRES:
        chiffre_cle_enregistrer(nature=nature, date=jour, valeur=valeur, source=source)
    connus = codes_connus()
    bassins = bassins_demo()
    enregistres, ignores = 0, set()
    caom = [(a, "contrats_signes", None, n, f"CAOM {a} (démonstration)") for a, n in CAOM[echelle].items()]
    for annee, code, nom_bassin, valeur, source in caom + OBJECTIFS:
        if code not in connus:
            ignores.add(code)
            continue
        if nom_bassin is not None and nom_bassin not in bassins:
            ignores.add(f"{code} ({nom_bassin})")
            continue
        objectif_enregistrer(
            annee=annee, code=code, bassin=bassins.get(nom_bassin), valeur=Decimal(valeur), commentaire=source
        )
        enregistres += 1
    # Les générateurs précédents écrivent en masse (sans signal) : le cache du tableau est périmé.
    tableau_invalider()
    sortie(
        f"Tableau de bord : {len(CHIFFRES)} chiffres clés, {enregistres} objectifs"
        + (f" (indicateurs absents, cibles ignorées : {', '.join(sorted(ignores))})" if ignores else "")
        + "."
    )

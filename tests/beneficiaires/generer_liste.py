"""Génère une liste CAF fictive de N lignes (CSV point-virgule, UTF-8) pour mesurer l'import.

    python -m tests.beneficiaires.generer_liste 30000 liste.csv
    DEBUG=1 python manage.py importer_beneficiaires liste.csv --source mesure

Les communes sont lues dans referentiel/donnees/communes-45-loiret.csv (le référentiel doit être chargé).
"""

import csv
import random
import sys
from pathlib import Path

ENTETES = [
    "N° CAF",
    "Organisme",
    "Etat du droit",
    "SDD",
    "Rôle",
    "Nom",
    "Prénoms",
    "Date de Naissance",
    "Adresse",
    "CP Ville",
    "Téléphone",
    "Date d'ouverture du droit",
]
NOMS = [
    "MARTIN",
    "BERNARD",
    "THOMAS",
    "PETIT",
    "ROBERT",
    "RICHARD",
    "DURAND",
    "DUBOIS",
    "MOREAU",
    "LAURENT",
    "SIMON",
    "MICHEL",
    "LEFÈVRE",
    "LEROY",
    "ROUX",
    "DAVID",
    "BERTRAND",
    "MOREL",
    "FOURNIER",
    "GIRARD",
]
PRENOMS = [
    "Marie",
    "Jean",
    "Sophie",
    "Karim",
    "Léa",
    "Hélène",
    "Nicolas",
    "Fatima",
    "Lucas",
    "Chloé",
    "Mohamed",
    "Inès",
    "Théo",
    "Camille",
    "Yasmine",
    "Hugo",
    "Manon",
    "Louis",
    "Emma",
    "Nathalie",
]


def generer(n, chemin, graine=45):
    rng = random.Random(graine)
    fichier_communes = Path(__file__).resolve().parents[2] / "referentiel" / "donnees" / "communes-45-loiret.csv"
    with open(fichier_communes, encoding="utf-8") as f:
        communes = [(c["codes_postaux"].split()[0], c["nom"]) for c in csv.DictReader(f)]
    with open(chemin, "w", encoding="utf-8", newline="") as f:
        ecrivain = csv.writer(f, delimiter=";")
        ecrivain.writerow(ENTETES)
        i, foyer = 0, 0
        while i < n:
            foyer += 1
            cp, ville = rng.choice(communes)
            nom = rng.choice(NOMS)
            roles = ["DEM"] + (["CJT"] if rng.random() < 0.4 else []) + ["ENF"] * rng.randint(0, 2)
            for role in roles[: n - i]:
                annee = rng.randint(1955, 1999) if role != "ENF" else rng.randint(2000, 2015)
                ecrivain.writerow(
                    [
                        f"CAF {2000000 + foyer}",
                        "CAF",
                        rng.choice("222234"),
                        rng.choice(["oui", "non"]),
                        role,
                        nom,
                        f"{rng.choice(PRENOMS)} {i}",
                        f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{annee}",
                        f"{rng.randint(1, 99)} rue de la Gare",
                        f"{cp} {ville}",
                        f"06{rng.randint(0, 99999999):08d}",
                        "01/09/2016",
                    ]
                )
                i += 1


if __name__ == "__main__":
    generer(int(sys.argv[1]), sys.argv[2])

import random

from django.conf import settings
from stdnum import luhn

from referentiel.models import Commune, Structure
from referentiel.registre_demo import generateur
from referentiel.services import communes_charger

FICHIER_COMMUNES = settings.BASE_DIR / "referentiel" / "donnees" / "communes-45-loiret.csv"

T = Structure.Type
S = Structure.Secteur
# Structures de démonstration : (nom, type, secteur, commune (nom)). Les employeurs communaux reprennent
# les communes réelles ; les autres noms sont fictifs.
STRUCTURES_DEMO = [
    ("Insertion Emploi Centre", T.PRESTATAIRE, S.MARCHAND, "Orléans"),
    ("Trajectoires Placement 45", T.PRESTATAIRE, S.MARCHAND, "Montargis"),
    ("Mobilité Solidaire Loiret", T.PARTENAIRE, S.NON_MARCHAND, "Orléans"),
    ("Roues de Secours Gâtinais", T.PARTENAIRE, S.NON_MARCHAND, "Montargis"),
    ("Association Loire Entraide", T.ASSOCIATION, S.NON_MARCHAND, "Gien"),
    ("Les Jardins du Giennois", T.ASSOCIATION, S.NON_MARCHAND, "Gien"),
    ("Restos et Partage Orléanais", T.ASSOCIATION, S.NON_MARCHAND, "Orléans"),
    ("Familles Rurales Beauce", T.ASSOCIATION, S.NON_MARCHAND, "Pithiviers"),
    ("Centre communal d'action sociale de Montargis", T.PUBLIC, S.NON_MARCHAND, "Montargis"),
    ("EHPAD public Les Tilleuls", T.PUBLIC, S.NON_MARCHAND, "Pithiviers"),
    ("Régie de quartier Orléans Sud", T.SERVICE_PUBLIC, S.NON_MARCHAND, "Orléans"),
    ("Orléans Métropole", T.EPCI, S.NON_MARCHAND, "Orléans"),
    ("Agglomération Montargoise", T.EPCI, S.NON_MARCHAND, "Montargis"),
    ("Propreté Services Centre", T.ENTREPRISE, S.MARCHAND, "Orléans"),
    ("Nettoyage Industriel du Loing", T.ENTREPRISE, S.MARCHAND, "Montargis"),
    ("Logistique Val de Loire", T.ENTREPRISE, S.MARCHAND, "Saran"),
]
COMMUNES_EMPLOYEURS = [
    "Orléans",
    "Montargis",
    "Gien",
    "Pithiviers",
    "Fleury-les-Aubrais",
    "Saint-Jean-de-Braye",
    "Amilly",
    "Briare",
    "Malesherbes",
    "Olivet",
    "Châlette-sur-Loing",
    "Sully-sur-Loire",
]


def siret_fictif(rng):
    """Un SIRET fictif mais valide : SIREN (8 chiffres + clé de Luhn) puis NIC et clé sur les 14 chiffres."""
    siren = "".join(str(rng.randint(0, 9)) for _ in range(8))
    siren += luhn.calc_check_digit(siren)
    corps = siren + "".join(str(rng.randint(0, 9)) for _ in range(4))
    return corps + luhn.calc_check_digit(corps)


@generateur(ordre=10)
def communes(*, echelle, graine, sortie):
    if Commune.objects.exists():
        sortie(f"Communes : {Commune.objects.count()} déjà chargées.")
        return
    sortie(f"Communes : {communes_charger(contenu=FICHIER_COMMUNES.read_bytes())}")


@generateur(ordre=11)
def structures(*, echelle, graine, sortie):
    rng = random.Random(graine)
    par_nom = {c.nom: c for c in Commune.objects.filter(nom__in=COMMUNES_EMPLOYEURS + [s[3] for s in STRUCTURES_DEMO])}
    lignes = list(STRUCTURES_DEMO) + [
        (f"Commune d'{nom}" if nom[0] in "AEIOUYÉÈÎ" else f"Commune de {nom}", T.COMMUNE, S.NON_MARCHAND, nom)
        for nom in COMMUNES_EMPLOYEURS
        if nom in par_nom
    ]
    existantes = set(Structure.objects.values_list("nom", flat=True))
    nouvelles = [
        Structure(nom=nom, type=type_, secteur=secteur, commune=par_nom.get(commune), siret=siret_fictif(rng))
        for nom, type_, secteur, commune in lignes
        if nom not in existantes
    ]
    for s in nouvelles:
        s.full_clean(validate_unique=False, validate_constraints=False)
    Structure.objects.bulk_create(nouvelles)
    sortie(f"Structures : {len(nouvelles)} créée(s), {len(existantes)} déjà présentes.")

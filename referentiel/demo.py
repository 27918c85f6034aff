import random

from django.conf import settings
from stdnum import luhn

from commun.francais import compte
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
    ("Trajectoires Placement", T.PRESTATAIRE, S.MARCHAND, "Montargis"),
    ("Mobilité Solidaire", T.PARTENAIRE, S.NON_MARCHAND, "Orléans"),
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


# Les lieux des données de démonstration sont écrits pour le Loiret. Avec les communes d'un autre Département,
# chaque nom absent est remplacé par une commune chargée : d'abord la plus peuplée de chaque bassin (les quatre
# premiers noms sont les villes principales de quatre bassins), puis les autres par population.
LIEUX_DEMO = [
    "Orléans",
    "Montargis",
    "Gien",
    "Pithiviers",
    *[nom for nom in COMMUNES_EMPLOYEURS if nom not in ("Orléans", "Montargis", "Gien", "Pithiviers")],
    "Saran",
]


def lieux_demo():
    """{nom de lieu de la démonstration: Commune chargée} : le Loiret tel quel, un autre Département par
    substitution (voir LIEUX_DEMO)."""
    communes = list(Commune.objects.select_related("bassin_emploi").order_by("-population", "code_insee"))
    par_nom = {c.nom: c for c in communes}
    lieux = {nom: par_nom[nom] for nom in LIEUX_DEMO if nom in par_nom}
    if len(lieux) == len(LIEUX_DEMO):
        return lieux
    vus, principales, autres = set(), [], []
    for commune in communes:
        (autres if commune.bassin_emploi_id in vus else principales).append(commune)
        vus.add(commune.bassin_emploi_id)
    pris = {c.pk for c in lieux.values()}
    libres = [c for c in principales + autres if c.pk not in pris]
    for nom in LIEUX_DEMO:
        if nom not in lieux and libres:
            lieux[nom] = libres.pop(0)
    return lieux


def bassins_demo(lieux=None):
    """{nom de bassin de la démonstration (« Orléans »...) : BassinEmploi chargé} : le bassin de la commune du même
    nom dans LIEUX_DEMO."""
    lieux = lieux_demo() if lieux is None else lieux
    return {nom: lieux[nom].bassin_emploi for nom in LIEUX_DEMO[:4] if nom in lieux}


def nom_structure_demo(nom, lieux):
    """« Commune de Gien » -> « Commune de <la commune qui tient lieu de Gien> »."""
    prefixe = "Commune de "
    if nom.startswith(prefixe) and nom[len(prefixe) :] in lieux:
        return prefixe + lieux[nom[len(prefixe) :]].nom
    return nom


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


def _commune_employeur(nom):
    """« Commune d'Amilly », « Commune de Gien » (le référentiel n'importe que Django : élision écrite ici)."""
    return f"Commune d'{nom}" if nom[0] in "AEIOUYÂÉÈÊÎÔ" else f"Commune de {nom}"


@generateur(ordre=11)
def structures(*, echelle, graine, sortie):
    rng = random.Random(graine)
    par_nom = lieux_demo()
    lignes = list(STRUCTURES_DEMO) + [
        (_commune_employeur(par_nom[nom].nom), T.COMMUNE, S.NON_MARCHAND, nom)
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
    sortie(f"Structures : {compte(len(nouvelles), 'créée')}, {compte(len(existantes), 'déjà présente')}.")

"""Reconnaissance des colonnes : champs de l'import, en-têtes usuels (des listes CAF/MSA et des logiciels de
suivi du RSA), correspondance enregistrée par source ou donnée en ligne de commande."""

import re
from dataclasses import dataclass

from ..models import CorrespondanceColonnes, normaliser
from .erreurs import ImportImpossible

# Champs de l'import : code -> libellé (affiché sur la page de correspondance et dans docs/formats.md).
CHAMPS = {
    "numero_allocataire": "Numéro allocataire",
    "organisme": "Organisme (CAF/MSA)",
    "etat_droit": "État du droit (0 à 6)",
    "sdd": "Soumis aux droits et devoirs (SDD)",
    "role": "Rôle (DEM, CJT, ENF, AUT)",
    "civilite": "Civilité",
    "nom": "Nom",
    "nom_naissance": "Nom de naissance",
    "prenoms": "Prénoms",
    "date_naissance": "Date de naissance",
    "adresse": "Adresse",
    "code_postal": "Code postal",
    "commune": "Commune (nom ou code INSEE)",
    "code_insee": "Code INSEE de la commune",
    "cp_ville": "Code postal et ville (colonne combinée)",
    "telephone": "Téléphone",
    "email": "E-mail",
    "date_ouverture_droit": "Date d'ouverture du droit",
    "orientation": "Orientation",
    "date_orientation": "Date d'orientation",
    "referent": "Référent (e-mail)",
    "identifiant_externe": "Identifiant externe (ex. ID Iodas)",
    "nir": "NIR (numéro de sécurité sociale)",
}
OBLIGATOIRES = ("numero_allocataire", "nom", "prenoms", "date_naissance")

# En-têtes usuels (normalisés : minuscules, sans accents, ponctuation remplacée par des espaces).
_VARIANTES = {
    "numero_allocataire": [
        "numero allocataire",
        "n allocataire",
        "no allocataire",
        "num allocataire",
        "numero d allocataire",
        "n caf",
        "no caf",
        "num caf",
        "numero caf",
        "n de caf",
        "matricule",
        "matricule caf",
        "n dossier",
        "numero dossier",
        "numero de dossier",
        "numdemrsa",
        "numero allocataire caf",
        "n allocataire caf",
        "allocataire",
        "matricule msa",
        "n msa",
        "n caf",
        "numero caf allocataire",
    ],
    "organisme": ["organisme", "organisme payeur", "org", "caf msa", "caf ou msa", "payeur"],
    "etat_droit": [
        "etat du droit",
        "etat droit",
        "etat",
        "etat de droit",
        "code etat droit",
        "etatdosrsa",
        "etat dossier",
    ],
    "sdd": [
        "sdd",
        "soumis droits et devoirs",
        "soumis aux droits et devoirs",
        "droits et devoirs",
        "toppersdrodevorsa",
        "soumis dd",
        "sdd o n",
    ],
    "role": ["role", "role dans le foyer", "role personne", "rolepers", "qualite dans le foyer", "roles"],
    "civilite": ["civilite", "qual", "titre", "civ", "sexe civilite"],
    "nom": [
        "nom",
        "nom d usage",
        "nom usage",
        "nom beneficiaire",
        "nom de famille",
        "nom du beneficiaire",
        "nom usuel",
        "nom beneficiaire rsa",
    ],
    "nom_naissance": ["nom de naissance", "nom naissance", "nom de jeune fille", "nom jeune fille", "nomnai"],
    "prenoms": [
        "prenoms",
        "prenom",
        "prenom beneficiaire",
        "prenoms beneficiaire",
        "prenom du beneficiaire",
        "prenom usuel",
        "prenom1",
    ],
    "date_naissance": ["date de naissance", "date naissance", "ne le", "ne e le", "dtnai", "naissance", "date nais"],
    "adresse": ["adresse", "adresse postale", "voie", "rue", "adresse ligne 1", "libelle voie", "adresse 1"],
    "code_postal": ["code postal", "cp", "codepos", "code post"],
    "commune": ["commune", "ville", "localite", "nom commune", "commune de residence", "libelle commune"],
    "code_insee": ["code insee", "insee", "commune insee", "code commune", "numcom", "code insee commune"],
    "cp_ville": ["cp ville", "code postal ville", "cp commune", "code postal et ville", "cp et ville", "cp localite"],
    "telephone": [
        "telephone",
        "tel",
        "portable",
        "numero de telephone",
        "telephone portable",
        "tel portable",
        "mobile",
        "n telephone",
        "n telephones",
        "no telephone",
        "telephones",
        "numero telephone",
        "tel portable",
        "tel fixe",
    ],
    "email": [
        "e mail",
        "email",
        "courriel",
        "adresse electronique",
        "mail",
        "adresse mail",
        "adresse e mail",
        "adresses mails",
        "adresses mail",
        "mails",
        "e mails",
    ],
    "date_ouverture_droit": [
        "date d ouverture du droit",
        "date ouverture droit",
        "date d ouverture",
        "ouverture du droit",
        "date ouverture du droit",
        "dtdemrsa",
        "date de demande",
        "date ouverture",
    ],
    "orientation": ["orientation", "type d orientation", "type orientation"],
    "date_orientation": ["date d orientation", "date orientation"],
    "referent": [
        "referent",
        "referent unique",
        "e mail referent",
        "email referent",
        "courriel referent",
        "mail referent",
        "referent e mail",
        "referent email",
        "referent rsa",
    ],
    "identifiant_externe": [
        "id iodas",
        "identifiant iodas",
        "iodas",
        "id solis",
        "identifiant solis",
        "id externe",
        "identifiant externe",
        "id personne",
    ],
    "nir": ["nir", "numero de securite sociale", "n securite sociale", "n ss", "numero ss", "nir cle"],
}
SYNONYMES = {variante: champ for champ, variantes in _VARIANTES.items() for variante in variantes}


def normaliser_entete(entete):
    texte = normaliser(str(entete or ""))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", texte).split())


def correspondances_de(source):
    if not source:
        return {}
    objet = CorrespondanceColonnes.objects.filter(source=source.strip()).first()
    return dict(objet.correspondances) if objet else {}


def lire_correspondances(options):
    """`colonne=champ` (ligne de commande) -> {en-tête normalisé : champ} ; « champ » vide ou « ignorer » ignore
    la colonne. Lève ImportImpossible sur un champ inconnu."""
    correspondances = {}
    for option in options or []:
        colonne, egal, champ = option.partition("=")
        champ = champ.strip()
        if not egal or not colonne.strip():
            raise ImportImpossible(f"Correspondance « {option} » mal écrite : colonne=champ attendu.")
        if champ.lower() in ("ignorer", "-"):
            champ = ""
        if champ and champ not in CHAMPS:
            raise ImportImpossible(f"Champ « {champ} » inconnu. Champs possibles : {', '.join(CHAMPS)}, ou ignorer.")
        correspondances[normaliser_entete(colonne)] = champ
    return correspondances


@dataclass
class Analyse:
    entetes: list  # en-têtes tels qu'écrits
    colonnes: dict  # index -> champ
    non_reconnues: list  # en-têtes (normalisés) sans champ ni décision enregistrée
    ignorees: list  # en-têtes ignorés (décision de la source, ou champ déjà fourni par une autre colonne)
    manquants: list  # champs obligatoires non fournis

    @property
    def complete(self):
        return not self.manquants


def analyser_colonnes(entetes, correspondances=None):
    correspondances = correspondances or {}
    colonnes, non_reconnues, ignorees, pris = {}, [], [], set()
    for index, entete in enumerate(entetes):
        cle = normaliser_entete(entete)
        if not cle:
            continue
        if cle in correspondances:
            champ = correspondances[cle] or None
        else:
            champ = SYNONYMES.get(cle)
            if champ is None:
                non_reconnues.append(cle)
                continue
        if champ is None or champ not in CHAMPS or champ in pris:
            ignorees.append(entete)
            continue
        colonnes[index] = champ
        pris.add(champ)
    manquants = [c for c in OBLIGATOIRES if c not in pris]
    return Analyse(
        entetes=list(entetes), colonnes=colonnes, non_reconnues=non_reconnues, ignorees=ignorees, manquants=manquants
    )

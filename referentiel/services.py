"""Actions sur le référentiel : chargement des communes et des bassins d'emploi."""

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from .models import BassinEmploi, Commune
from .signaux import ecritures_en_masse

COLONNES_COMMUNES = (
    "code_insee",
    "nom",
    "codes_postaux",
    "population",
    "departement",
    "epci_siren",
    "epci_nom",
    "bassin_emploi",
)
RE_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


def decoder_texte(contenu: bytes) -> str:
    """Décode un fichier texte en UTF-8 (avec ou sans BOM) ou en Windows-1252 (Excel)."""
    try:
        return contenu.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return contenu.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "Encodage du fichier non reconnu : enregistrez-le en UTF-8 ou en Windows-1252 (CSV Excel)."
        ) from exc


@dataclass
class BilanChargement:
    crees: int = 0
    modifies: int = 0
    inchanges: int = 0
    bassins_crees: list = field(default_factory=list)

    def __str__(self):
        return (
            f"{self.crees} commune(s) créée(s), {self.modifies} modifiée(s), {self.inchanges} inchangée(s) ; "
            f"{len(self.bassins_crees)} bassin(s) créé(s)."
        )


def _lire_lignes_communes(texte):
    echantillon = texte[:4096]
    delimiteur = ";" if echantillon.count(";") > echantillon.count(",") else ","
    lecteur = csv.DictReader(io.StringIO(texte), delimiter=delimiteur)
    entetes = [(h or "").strip() for h in (lecteur.fieldnames or [])]
    manquantes = [c for c in COLONNES_COMMUNES if c not in entetes]
    if manquantes:
        raise ValidationError(f"Ligne 1 : colonne(s) manquante(s) : {', '.join(manquantes)}.")
    lignes = []
    vus = set()
    for numero, brut in enumerate(lecteur, start=2):
        ligne = {(k or "").strip(): (v or "").strip() for k, v in brut.items() if k is not None}
        if None in brut:
            raise ValidationError(f"Ligne {numero} : trop de valeurs pour le nombre de colonnes.")
        code = ligne["code_insee"]
        if not RE_INSEE.match(code):
            raise ValidationError(f"Ligne {numero} : code INSEE « {code} » invalide (5 caractères attendus).")
        if code in vus:
            raise ValidationError(f"Ligne {numero} : le code INSEE {code} apparaît deux fois.")
        vus.add(code)
        if not ligne["nom"]:
            raise ValidationError(f"Ligne {numero} : nom de commune vide.")
        if not ligne["bassin_emploi"]:
            raise ValidationError(f"Ligne {numero} : bassin d'emploi vide.")
        try:
            population = int(ligne["population"] or 0)
            if population < 0:
                raise ValueError
        except ValueError as exc:
            raise ValidationError(f"Ligne {numero} : population « {ligne['population']} » invalide.") from exc
        ligne["population"] = population
        lignes.append(ligne)
    if not lignes:
        raise ValidationError("Le fichier ne contient aucune commune.")
    return lignes


@transaction.atomic
def communes_charger(*, contenu: bytes) -> BilanChargement:
    """Charge ou met à jour les communes et leurs bassins ; idempotent ; tout ou rien."""
    lignes = _lire_lignes_communes(decoder_texte(contenu))
    bilan = BilanChargement()
    bassins = {b.nom: b for b in BassinEmploi.objects.all()}
    for nom in sorted({ligne["bassin_emploi"] for ligne in lignes} - set(bassins)):
        bassins[nom] = BassinEmploi.objects.create(nom=nom, code=slugify(nom))
        bilan.bassins_crees.append(nom)
    existantes = {c.code_insee: c for c in Commune.objects.all()}
    champs = ["nom", "codes_postaux", "population", "departement", "epci_siren", "epci_nom", "bassin_emploi"]
    a_creer, a_modifier = [], []
    for ligne in lignes:
        valeurs = {c: ligne[c] for c in champs if c != "bassin_emploi"}
        valeurs["bassin_emploi"] = bassins[ligne["bassin_emploi"]]
        commune = existantes.get(ligne["code_insee"])
        if commune is None:
            commune = Commune(code_insee=ligne["code_insee"], **valeurs)
            commune.full_clean(validate_unique=False)
            a_creer.append(commune)
        elif any(getattr(commune, c) != v for c, v in valeurs.items()):
            for c, v in valeurs.items():
                setattr(commune, c, v)
            commune.full_clean(validate_unique=False)
            a_modifier.append(commune)
        else:
            bilan.inchanges += 1
    Commune.objects.bulk_create(a_creer, batch_size=500)
    Commune.objects.bulk_update(a_modifier, champs, batch_size=500)
    ecritures_en_masse.send(sender=Commune)  # pas de signal par commune : les caches sont prévenus ici
    bilan.crees, bilan.modifies = len(a_creer), len(a_modifier)
    return bilan

"""Actions sur le référentiel : chargement des communes et des bassins d'emploi."""

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from commun.francais import compte, est_pluriel

from .fichiers import decoder_texte, detecter_separateur
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


@dataclass
class BilanChargement:
    crees: int = 0
    modifies: int = 0
    inchanges: int = 0
    bassins_crees: list = field(default_factory=list)

    def __str__(self):
        return (
            f"{compte(self.crees, 'commune créée')}, {compte(self.modifies, 'modifiée')}, "
            f"{compte(self.inchanges, 'inchangée')} ; {compte(len(self.bassins_crees), 'bassin créé')}."
        )


def _erreur(numero, colonne, message):
    return ValidationError(f"Ligne {numero}, colonne « {colonne} » : {message}")


def _controler_ligne(numero, ligne, vus):
    code = ligne["code_insee"]
    if not RE_INSEE.match(code):
        raise _erreur(numero, "code_insee", f"code INSEE « {code} » invalide (5 caractères attendus).")
    if code in vus:
        raise _erreur(numero, "code_insee", f"le code INSEE {code} apparaît déjà à la ligne {vus[code]}.")
    vus[code] = numero
    for colonne in ("nom", "bassin_emploi"):
        if not ligne[colonne]:
            raise _erreur(numero, colonne, "valeur vide.")
    try:
        population = int(ligne["population"] or 0)
        if population < 0:
            raise ValueError
    except ValueError as exc:
        raise _erreur(numero, "population", f"« {ligne['population']} » n'est pas un nombre positif.") from exc
    ligne["population"] = population


def _lire_lignes_communes(texte):
    lecteur = csv.DictReader(io.StringIO(texte, newline=""), delimiter=detecter_separateur(texte))
    entetes = [(h or "").strip() for h in (lecteur.fieldnames or [])]
    manquantes = [c for c in COLONNES_COMMUNES if c not in entetes]
    if manquantes:
        raise ValidationError(
            f"Ligne 1 : {'colonnes manquantes' if est_pluriel(len(manquantes)) else 'colonne manquante'} : "
            f"{', '.join(manquantes)}."
        )
    lignes, vus = [], {}
    try:
        for brut in lecteur:
            numero = lecteur.line_num
            if None in brut:
                raise ValidationError(f"Ligne {numero} : trop de valeurs pour le nombre de colonnes.")
            ligne = {(k or "").strip(): (v or "").strip() for k, v in brut.items()}
            ligne["numero"] = numero
            _controler_ligne(numero, ligne, vus)
            lignes.append(ligne)
    except csv.Error as exc:
        raise ValidationError(f"Ligne {lecteur.line_num} : CSV mal formé ({exc}).") from exc
    if not lignes:
        raise ValidationError("Le fichier ne contient aucune commune.")
    return lignes


def _valider(commune, numero):
    """full_clean, l'erreur nommant la ligne et la colonne."""
    try:
        commune.full_clean(validate_unique=False, exclude=["bassin_emploi"])
    except ValidationError as exc:
        champ, messages = next(iter(exc.message_dict.items()))
        raise _erreur(numero, champ, " ".join(messages)) from exc


@transaction.atomic
def communes_charger(*, contenu: bytes) -> BilanChargement:
    """Charge ou met à jour les communes et leurs bassins ; idempotent ; tout ou rien."""
    lignes = _lire_lignes_communes(decoder_texte(contenu))
    bilan = BilanChargement()
    bassins = {b.nom: b for b in BassinEmploi.objects.all()}
    for nom in sorted({ligne["bassin_emploi"] for ligne in lignes} - set(bassins)):
        bassin = BassinEmploi(nom=nom, code=slugify(nom)[:50])
        numero = next(ligne["numero"] for ligne in lignes if ligne["bassin_emploi"] == nom)
        try:
            bassin.full_clean()
        except ValidationError as exc:
            raise _erreur(numero, "bassin_emploi", " ".join(exc.messages)) from exc
        bassin.save()
        bassins[nom] = bassin
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
            _valider(commune, ligne["numero"])
            a_creer.append(commune)
        elif any(getattr(commune, c) != v for c, v in valeurs.items()):
            for c, v in valeurs.items():
                setattr(commune, c, v)
            _valider(commune, ligne["numero"])
            a_modifier.append(commune)
        else:
            bilan.inchanges += 1
    Commune.objects.bulk_create(a_creer, batch_size=2000)
    Commune.objects.bulk_update(a_modifier, champs, batch_size=500)
    ecritures_en_masse.send(sender=Commune)  # pas de signal par commune : les caches sont prévenus ici
    bilan.crees, bilan.modifies = len(a_creer), len(a_modifier)
    return bilan

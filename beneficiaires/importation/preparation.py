"""Lecture et contrôle du fichier, une seule fois : la préparation (lignes contrôlées, rejets) se range en JSON
compressé ; l'aperçu et la confirmation la reprennent sans relire le fichier."""

import json
import zlib
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from commun.francais import est_pluriel
from comptes.models import Role as RoleUtilisateur
from comptes.models import User
from referentiel.models import Commune
from referentiel.recherche import IndexCommunes

from .colonnes import CHAMPS, analyser_colonnes, correspondances_de
from .erreurs import ColonnesARelier, Rejet
from .lecture import lire
from .valeurs import Contexte, LigneLue, lire_ligne

CHAMPS_DATE = {"date_naissance", "date_orientation", "date_ouverture_droit"}
RELATIONS = {"commune": Commune, "referent": User}


@dataclass
class Preparation:
    lignes: int = 0
    lues: list = field(default_factory=list)  # [LigneLue]
    rejets: list = field(default_factory=list)  # [(ligne, motif)]
    colonnes_ignorees: list = field(default_factory=list)

    def en_octets(self):
        donnees = {
            "lignes": self.lignes,
            "rejets": self.rejets,
            "colonnes_ignorees": self.colonnes_ignorees,
            "lues": [ligne_en_json(ligne) for ligne in self.lues],
        }
        return zlib.compress(json.dumps(donnees, separators=(",", ":")).encode(), 1)

    @classmethod
    def depuis_octets(cls, octets):
        donnees = json.loads(zlib.decompress(bytes(octets)))
        return cls(
            lignes=donnees["lignes"],
            rejets=[tuple(r) for r in donnees["rejets"]],
            colonnes_ignorees=donnees["colonnes_ignorees"],
            lues=lignes_depuis_json(donnees["lues"]),
        )


def _valeurs_en_json(valeurs):
    resultat = {}
    for champ, valeur in valeurs.items():
        if champ in RELATIONS:
            resultat[champ] = valeur.pk
        elif isinstance(valeur, date):
            resultat[champ] = valeur.isoformat()
        else:
            resultat[champ] = valeur
    return resultat


def ligne_en_json(ligne):
    return [
        ligne.numero,
        ligne.numero_allocataire,
        ligne.organisme,
        ligne.role,
        _valeurs_en_json(ligne.valeurs_foyer),
        _valeurs_en_json(ligne.valeurs_personne),
        ligne.avertissements,
    ]


def _valeurs_depuis_json(valeurs, objets):
    resultat = {}
    for champ, valeur in valeurs.items():
        if champ in RELATIONS:
            objet = objets[champ].get(valeur)
            if objet is not None:  # supprimé depuis l'aperçu : la valeur n'est pas reprise
                resultat[champ] = objet
        elif champ in CHAMPS_DATE and valeur:
            resultat[champ] = date.fromisoformat(valeur)
        else:
            resultat[champ] = valeur
    return resultat


def lignes_depuis_json(brutes):
    """Reconstruit les lignes ; communes et référents relus en deux requêtes."""
    ids = {champ: set() for champ in RELATIONS}
    for brute in brutes:
        for valeurs in (brute[4], brute[5]):
            for champ in RELATIONS:
                if champ in valeurs:
                    ids[champ].add(valeurs[champ])
    objets = {
        "commune": Commune.objects.only("pk", "nom", "bassin_emploi_id").in_bulk(ids["commune"]),
        "referent": User.objects.only("pk", "email").in_bulk(ids["referent"]),
    }
    return [
        LigneLue(
            numero,
            numero_allocataire,
            organisme,
            role,
            _valeurs_depuis_json(foyer, objets),
            _valeurs_depuis_json(personne, objets),
            [tuple(a) for a in avertissements],
        )
        for numero, numero_allocataire, organisme, role, foyer, personne, avertissements in brutes
    ]


def referents_actifs():
    return {
        u.email.lower(): u
        for u in User.objects.filter(role=RoleUtilisateur.REFERENT, is_active=True)
        .exclude(email="")
        .only("pk", "email")
    }


def analyser(contenu, *, source="", correspondances=None):
    """Lit le fichier et reconnaît ses colonnes (sans contrôler les lignes)."""
    tableau = lire(contenu)
    if correspondances is None:
        correspondances = correspondances_de(source)
    return tableau, analyser_colonnes(tableau.entetes, correspondances)


def preparer(contenu, *, source="", correspondances=None, toutes_les_colonnes=False):
    """Lit le fichier et contrôle chaque ligne. Lève ImportImpossible (ColonnesARelier) si rien n'est importable,
    ou, avec `toutes_les_colonnes` (la page d'import), si une colonne n'est ni reconnue ni décidée."""
    tableau, analyse = analyser(contenu, source=source, correspondances=correspondances)
    if not analyse.complete:
        manquants = ", ".join(CHAMPS[c] for c in analyse.manquants)
        libelle = (
            "Colonnes obligatoires introuvables"
            if est_pluriel(len(analyse.manquants))
            else ("Colonne obligatoire introuvable")
        )
        raise ColonnesARelier(f"{libelle} : {manquants}.", analyse=analyse)
    if toutes_les_colonnes and analyse.non_reconnues:
        raise ColonnesARelier("Des colonnes ne sont pas reconnues : indiquez ce qu'elles contiennent.", analyse=analyse)
    preparation = Preparation(lignes=len(tableau.lignes))
    preparation.colonnes_ignorees = [*analyse.ignorees, *analyse.non_reconnues]
    ctx = Contexte(communes=IndexCommunes(), referents=referents_actifs(), aujourd_hui=timezone.localdate())
    largeur, deja_vues = len(tableau.entetes), {}
    for numero, cellules in tableau.lignes:
        try:
            if len(cellules) > largeur and any(c != "" for c in cellules[largeur:]):
                raise Rejet("plus de valeurs que de colonnes (séparateur dans une valeur ?)")
            valeurs = {champ: cellules[i] for i, champ in analyse.colonnes.items() if i < len(cellules)}
            ligne = lire_ligne(numero, valeurs, ctx)
            if ligne.cle in deja_vues:
                raise Rejet(f"ligne en double : même personne qu'à la ligne {deja_vues[ligne.cle]}")
        except Rejet as exc:
            preparation.rejets.append((numero, str(exc)))
            continue
        deja_vues[ligne.cle] = numero
        preparation.lues.append(ligne)
    return preparation

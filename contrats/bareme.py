"""Les valeurs de référence datées (SMIC horaire brut, RSA forfaitaire d'une personne seule) et leur fraîcheur.

Règle de péremption (voir docs/decisions.md) : le SMIC est revalorisé au moins chaque 1er janvier, le RSA chaque
1er avril. La valeur utilisée pour un mois est la dernière ligne entrée en vigueur au plus tard le 1er de ce
mois ; elle est « peut-être périmée » quand la revalorisation attendue après sa date d'effet (le 1er janvier, ou
le 1er avril, qui suit) tombe au plus tard ce mois-là sans qu'une ligne plus récente existe. Exemple : le RSA de
646,52 € du 01/04/2025 sert encore en décembre 2026 alors qu'une revalorisation était attendue le 01/04/2026.

`Bareme.utilisee(type, mois)` est la seule fonction qui répond ; tout le reste (échéancier, engagements,
tableau de bord, accueil des administrateurs, `manage.py check`) passe par elle.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from commun.francais import euros

from .models import ParametreFinancier

Type = ParametreFinancier.Type

# (mois, jour) de la revalorisation attendue chaque année, par valeur.
REVALORISATION_ATTENDUE = {
    Type.SMIC_HORAIRE: (1, 1),
    Type.RSA_PERSONNE_SEULE: (4, 1),
}

LIBELLES_COURTS = {
    Type.SMIC_HORAIRE: "SMIC horaire brut",
    Type.RSA_PERSONNE_SEULE: "RSA forfaitaire (personne seule)",
}


def prochaine_revalorisation(type_, date_effet: date) -> date:
    """La première date de revalorisation attendue strictement après `date_effet`."""
    mois, jour = REVALORISATION_ATTENDUE[type_]
    candidate = date(date_effet.year, mois, jour)
    return candidate if candidate > date_effet else date(date_effet.year + 1, mois, jour)


@dataclass(frozen=True)
class ValeurUtilisee:
    """La ligne du barème utilisée pour un mois, et si elle peut être périmée ce mois-là."""

    type: str
    mois: date
    date_effet: date | None = None
    montant: Decimal | None = None
    source: str = ""

    @property
    def manquante(self):
        return self.date_effet is None

    @property
    def revalorisation_attendue(self):
        return None if self.manquante else prochaine_revalorisation(self.type, self.date_effet)

    @property
    def perimee(self):
        return not self.manquante and self.revalorisation_attendue <= self.mois

    @property
    def libelle(self):
        return LIBELLES_COURTS.get(self.type, self.type)

    @property
    def ligne(self):
        """Ce qui identifie la ligne du barème (deux mois qui utilisent la même ligne ont la même clé)."""
        return (self.type, self.date_effet)

    def description(self):
        """« RSA forfaitaire (personne seule) de 646,52 € en vigueur depuis le 01/04/2025 (source) »."""
        if self.manquante:
            return f"{self.libelle} : aucune valeur enregistrée pour {self.mois:%m/%Y}"
        texte = f"{self.libelle} de {euros(self.montant)} en vigueur depuis le {self.date_effet:%d/%m/%Y}"
        return f"{texte} ({self.source})" if self.source else texte

    def avertissement(self):
        """La phrase qui dit que la valeur peut être périmée (vide si elle ne l'est pas)."""
        if not self.perimee:
            return ""
        return (
            f"{self.libelle} de {euros(self.montant)} (en vigueur depuis le {self.date_effet:%d/%m/%Y}) : "
            f"la revalorisation attendue au {self.revalorisation_attendue:%d/%m/%Y} n'est pas enregistrée, "
            "les montants calculés avec cette valeur peuvent être inexacts."
        )


class Bareme:
    """Les valeurs de référence datées, lues en une requête ; `utilisee(type, jour)` : celle en vigueur ce jour."""

    def __init__(self, lignes=None):
        if lignes is None:
            lignes = ParametreFinancier.objects.order_by("date_effet").values_list(
                "type", "date_effet", "montant", "source"
            )
        self._valeurs = {}
        for type_, date_effet, montant, *reste in lignes:
            source = reste[0] if reste else ""
            self._valeurs.setdefault(type_, []).append((date_effet, Decimal(montant), source or ""))
        for liste in self._valeurs.values():
            liste.sort()

    def utilisee(self, type_, jour) -> ValeurUtilisee:
        """La ligne en vigueur le `jour` (le 1er du mois pour un calcul mensuel) et sa fraîcheur ce jour-là."""
        trouvee = None
        for ligne in self._valeurs.get(type_, []):
            if ligne[0] <= jour:
                trouvee = ligne
            else:
                break
        if trouvee is None:
            return ValeurUtilisee(type=type_, mois=jour)
        date_effet, montant, source = trouvee
        return ValeurUtilisee(type=type_, mois=jour, date_effet=date_effet, montant=montant, source=source)

    def valeur(self, type_, jour):
        return self.utilisee(type_, jour).montant

    def smic(self, jour):
        return self.valeur(Type.SMIC_HORAIRE, jour)

    def rsa(self, jour):
        return self.valeur(Type.RSA_PERSONNE_SEULE, jour)

    def perimees_le(self, jour) -> list[ValeurUtilisee]:
        """Les valeurs qui seraient utilisées pour le mois de `jour` et peuvent être périmées."""
        mois = jour.replace(day=1)
        return [v for v in (self.utilisee(t, mois) for t in REVALORISATION_ATTENDUE) if v.perimee]


def valeur_utilisee(type_, mois: date, *, bareme: Bareme | None = None) -> ValeurUtilisee:
    """Pour une valeur et un mois : la ligne utilisée et si elle peut être périmée (voir le module)."""
    return (bareme or Bareme()).utilisee(type_, mois.replace(day=1))


def valeurs_perimees(jour: date | None = None, *, bareme: Bareme | None = None) -> list[ValeurUtilisee]:
    """Les valeurs du mois en cours (ou de `jour`) qui peuvent être périmées : accueil des administrateurs,
    `manage.py check`."""
    return (bareme or Bareme()).perimees_le(jour or timezone.localdate())


@dataclass(frozen=True)
class Usage:
    """Une ligne du barème utilisée sur une suite de mois, périmée ou non sur ces mois."""

    valeur: ValeurUtilisee  # celle du premier mois
    premier_mois: date
    dernier_mois: date

    @property
    def perimee(self):
        return self.valeur.perimee

    def periode(self):
        if self.premier_mois == self.dernier_mois:
            return f"{self.premier_mois:%m/%Y}"
        return f"de {self.premier_mois:%m/%Y} à {self.dernier_mois:%m/%Y}"


def usages(mois, bareme: Bareme) -> list[Usage]:
    """Les valeurs utilisées pour ces mois (1ers du mois, dans l'ordre), regroupées par ligne du barème et par
    fraîcheur : ce qu'une page qui montre un montant dit avoir utilisé."""
    resultat = []
    for type_ in REVALORISATION_ATTENDUE:
        courant = None
        for m in mois:
            v = bareme.utilisee(type_, m)
            if courant is not None and (courant.valeur.ligne, courant.perimee) == (v.ligne, v.perimee):
                courant = Usage(valeur=courant.valeur, premier_mois=courant.premier_mois, dernier_mois=m)
                resultat[-1] = courant
                continue
            courant = Usage(valeur=v, premier_mois=m, dernier_mois=m)
            resultat.append(courant)
    return resultat

"""Import des listes de foyers RSA (CSV ou XLSX), en quatre temps :

- `lecture` : limites contrôlées avant toute analyse, puis en-têtes et lignes numérotées ;
- `colonnes` : reconnaissance des en-têtes, correspondance enregistrée par source ;
- `valeurs` (et `preparation`) : contrôle champ par champ ; seule l'identité peut rejeter une ligne, une valeur
  facultative illisible donne un avertissement ; la préparation se range pour l'aperçu et la confirmation ;
- `application` (et `identites`) : mise à jour du registre en opérations groupées, doublons probables signalés.

Format décrit dans docs/formats.md. Un foyer absent de la liste n'est ni supprimé ni modifié ; une cellule vide
n'efface pas une valeur connue ; un fichier illisible n'écrit rien.
"""

from .application import appliquer
from .bilan import Bilan
from .colonnes import CHAMPS, OBLIGATOIRES, correspondances_de, lire_correspondances, normaliser_entete
from .erreurs import ColonnesARelier, ImportImpossible, Rejet
from .lecture import lire, lire_entetes, verifier_fichier
from .preparation import Preparation, analyser, preparer

__all__ = [
    "CHAMPS",
    "OBLIGATOIRES",
    "Bilan",
    "ColonnesARelier",
    "ImportImpossible",
    "Preparation",
    "Rejet",
    "analyser",
    "appliquer",
    "correspondances_de",
    "importer",
    "lire",
    "lire_correspondances",
    "lire_entetes",
    "normaliser_entete",
    "preparer",
    "verifier_fichier",
]


def importer(contenu, *, source="", par=None, essai=False, correspondances=None):
    """Importe (ou, en essai, simule) une liste. Rend un Bilan. Lève ImportImpossible si rien n'est importable."""
    preparation = preparer(contenu, source=source, correspondances=correspondances)
    return appliquer(preparation, source=source, par=par, essai=essai)

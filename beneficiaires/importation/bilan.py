"""Le bilan d'un import (ou de son aperçu) : compteurs, rejets, avertissements par ligne et champ, doublons."""

from dataclasses import asdict, dataclass, field

from commun.francais import compte

MAX_EXEMPLES = 50
MAX_AVERTISSEMENTS = 2000  # gardés dans le bilan (le nombre total est toujours donné)


@dataclass
class Bilan:
    essai: bool = False
    lignes: int = 0
    crees: int = 0
    modifies: int = 0
    inchanges: int = 0
    foyers_crees: int = 0
    foyers_modifies: int = 0
    a_rattacher: int = 0
    rejets: list = field(default_factory=list)  # [(ligne, motif)]
    avertissements: list = field(default_factory=list)  # [(ligne, champ, message)]
    nb_avertissements: int = 0
    doublons: list = field(default_factory=list)  # [(ligne, personne de la liste, personne connue, motif)]
    exemples: list = field(default_factory=list)  # [(ligne, action, personne, détail)]
    colonnes_ignorees: list = field(default_factory=list)
    duree: float = 0.0

    @property
    def rejetes(self):
        return len(self.rejets)

    def avertir(self, ligne, champ, message):
        self.nb_avertissements += 1
        if len(self.avertissements) < MAX_AVERTISSEMENTS:
            self.avertissements.append((ligne, champ, message))

    def en_dict(self):
        return {**asdict(self), "rejetes": self.rejetes}

    def resume(self):
        prefixe = "Essai (rien n'est écrit) : " if self.essai else ""
        return (
            f"{prefixe}{compte(self.lignes, 'ligne lue')} : {compte(self.crees, 'personne créée')}, "
            f"{compte(self.modifies, 'mise à jour', 'mises à jour')}, {compte(self.inchanges, 'inchangée')}, "
            f"{compte(self.rejetes, 'ligne rejetée')}, {compte(len(self.doublons), 'doublon probable')} à examiner, "
            f"{compte(self.a_rattacher, 'personne')} à rattacher à une commune, "
            f"{compte(self.nb_avertissements, 'avertissement')} ; {compte(self.foyers_crees, 'foyer créé')}, "
            f"{compte(self.foyers_modifies, 'mis à jour', 'mis à jour')}."
        )

"""Registre du fil chronologique (timeline) d'une personne.

Chaque application verse ses événements depuis son propre module `timeline.py`, découvert au démarrage :

    from beneficiaires.timeline import Evenement, source

    @source
    def contrats(beneficiaire, user):
        # une requête (ou un petit nombre constant), jamais une par événement
        return [Evenement(date=c.date_signature, titre="Contrat CUI-CAE signé", detail=str(c.employeur),
                          url=c.get_absolute_url(), categorie="contrats") for c in ...]

Une source reçoit la personne et l'utilisateur qui consulte (pour ne montrer que ce qu'il peut voir).
"""

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Evenement:
    date: date | datetime
    titre: str
    detail: str = ""
    url: str | None = None
    categorie: str = ""  # evaluation, contrats, placement, mobilite, forums, registre

    @property
    def cle_tri(self):
        d = self.date
        return d if isinstance(d, datetime) else datetime(d.year, d.month, d.day)


_sources = {}


def source(fonction):
    _sources[f"{fonction.__module__}.{fonction.__qualname__}"] = fonction
    return fonction


def sources():
    return list(_sources.values())


def evenements(beneficiaire, user):
    """Tous les événements de la personne, du plus récent au plus ancien."""
    tous = []
    for s in sources():
        tous.extend(s(beneficiaire, user))

    def cle(e):
        d = e.cle_tri
        return d.replace(tzinfo=None) if d.tzinfo else d

    return sorted(tous, key=cle, reverse=True)

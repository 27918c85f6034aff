"""Historique lisible d'un enregistrement (django-simple-history) : qui a changé quoi, quand.

    from commun.historique import versions
    versions(beneficiaire)  # [{date, auteur, action, raison, changements: [{libelle, avant, apres}]}], récentes d'abord

Dans un gabarit : `{% load historique %}{% historique objet %}` (onglet ou section « Historique »).
Nombre de requêtes constant : les versions en une requête (avec leur auteur), puis une requête par modèle lié
pour afficher les clés étrangères modifiées.
"""

import datetime
import functools
from contextlib import contextmanager
from decimal import Decimal

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

ACTIONS = {"+": "Création", "~": "Modification", "-": "Suppression"}
CHAMPS_MASQUES = {"recherche", "password"}


def _lisible(champ, valeur, lies):
    if valeur is None or valeur == "":
        return "—"
    if champ.is_relation:
        objet = lies.get(champ.related_model, {}).get(valeur)
        return str(objet) if objet is not None else f"n° {valeur} (supprimé)"
    if champ.choices:
        return str(dict(champ.flatchoices).get(valeur, valeur))
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, datetime.datetime):
        return timezone.localtime(valeur).strftime("%d/%m/%Y %H:%M") if timezone.is_aware(valeur) else str(valeur)
    if isinstance(valeur, datetime.date):
        return valeur.strftime("%d/%m/%Y")
    if isinstance(valeur, Decimal):
        return f"{valeur:.2f}".replace(".", ",")
    return str(valeur)


def versions(objet, *, limite=50):
    """Les `limite` dernières versions de `objet`, chacune avec la liste de ses changements."""
    gestionnaire = getattr(objet._meta, "simple_history_manager_attribute", None)
    if gestionnaire is None or objet.pk is None:
        return []
    lignes = list(
        getattr(objet, gestionnaire)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limite + 1]
    )
    champs = {
        f.attname: f
        for f in objet._meta.concrete_fields
        if f.name not in CHAMPS_MASQUES and not f.primary_key and not getattr(f, "auto_now", False)
    }
    historise = {f.attname for f in lignes[0]._meta.concrete_fields} if lignes else set()
    champs = {k: f for k, f in champs.items() if k in historise}

    bruts = []
    for i, version in enumerate(lignes[:limite]):
        precedente = lignes[i + 1] if i + 1 < len(lignes) else None
        changes = []
        for attname, champ in champs.items():
            apres = getattr(version, attname)
            avant = getattr(precedente, attname) if precedente is not None else None
            if precedente is None and version.history_type == "+" and apres in (None, "", False):
                continue  # à la création, seuls les champs remplis
            if precedente is None or avant != apres:
                changes.append((champ, avant, apres))
        bruts.append((version, changes))

    # Objets liés affichés : une requête par modèle lié.
    cles = {}
    for _, changes in bruts:
        for champ, avant, apres in changes:
            if champ.is_relation:
                cles.setdefault(champ.related_model, set()).update(v for v in (avant, apres) if v is not None)
    lies = {modele: modele._base_manager.in_bulk(list(pks)) for modele, pks in cles.items()}

    resultat = []
    for version, changes in bruts:
        resultat.append(
            {
                "date": version.history_date,
                "auteur": str(version.history_user) if version.history_user_id else "Système (import, commande)",
                "action": ACTIONS.get(version.history_type, version.history_type),
                "raison": version.history_change_reason or "",
                "changements": [
                    {
                        "libelle": str(champ.verbose_name).capitalize(),
                        "avant": _lisible(champ, avant, lies) if version.history_type != "+" else "",
                        "apres": _lisible(champ, apres, lies),
                    }
                    for champ, avant, apres in changes
                    if not isinstance(champ, models.BinaryField)
                ],
            }
        )
    return resultat


# --- Attribution des changements -------------------------------------------------------------------------


class _RequeteAuteur:
    """Tient lieu de requête pour django-simple-history hors requête web : seul `user` y est lu."""

    def __init__(self, user):
        self.user = user


@contextmanager
def auteur(par):
    """Attribue à `par` chaque version enregistrée dans le bloc, même hors requête web (commande, script, tâche).

    django-simple-history lit l'auteur sur la requête en cours (intergiciel) ; hors requête, il n'en trouve
    aucun et la version reste anonyme. Ici, l'auteur est celui que le service a reçu. Sans `par` (import
    automatique, migration), rien ne change."""
    if par is None or not getattr(par, "is_authenticated", False):
        yield
        return
    contexte = HistoricalRecords.context
    precedente = getattr(contexte, "request", _ABSENT)
    contexte.request = _RequeteAuteur(par)
    try:
        yield
    finally:
        if precedente is _ABSENT:
            del contexte.request
        else:
            contexte.request = precedente


_ABSENT = object()


def attribue(service):
    """Décore un service qui écrit : les versions qu'il enregistre portent l'auteur `par` (argument nommé)."""

    @functools.wraps(service)
    def enveloppe(*args, **kwargs):
        with auteur(kwargs.get("par")):
            return service(*args, **kwargs)

    enveloppe.attribue = True
    return enveloppe

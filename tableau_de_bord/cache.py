"""Cache des indicateurs calculés, invalidé par un numéro de version.

La clé d'un tableau calculé comprend la version courante (stockée elle-même dans le cache) :
toute écriture sur un modèle nommé dans un `modeles=(...)` d'une déclaration incrémente cette version,
et les tableaux calculés avant deviennent introuvables (ils expirent ensuite d'eux-mêmes).

Plusieurs processus (gunicorn) : la version doit vivre dans un cache PARTAGÉ (CACHE_URL vers redis ou
le cache en base de données), sinon un processus ne voit pas les écritures faites par un autre et sert
des chiffres périmés jusqu'à l'expiration (TABLEAU_CACHE_DUREE). Le cache local en mémoire par défaut ne
convient qu'au développement.

Les écritures en masse qui n'envoient pas de signal (bulk_create, QuerySet.update, imports) doivent
appeler `invalider()` (via services.tableau_invalider) ; à défaut, la durée de vie borne le retard.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from referentiel.signaux import ecritures_en_masse

from . import registre

CLE_VERSION = "tableau_de_bord:version"
# Modèles propres au tableau de bord ou au référentiel dont dépend tout tableau (cibles, bassins des communes).
MODELES_TOUJOURS = {
    "tableau_de_bord.Objectif",
    "tableau_de_bord.ChiffreCle",
    "referentiel.BassinEmploi",
    "referentiel.Commune",
}


def duree():
    return getattr(settings, "TABLEAU_CACHE_DUREE", 15 * 60)


def version():
    v = cache.get(CLE_VERSION)
    if v is None:
        cache.add(CLE_VERSION, 1, timeout=None)
        v = cache.get(CLE_VERSION, 1)
    return v


def invalider():
    """Incrémente la version : tous les tableaux en cache deviennent obsolètes (tous processus, cache partagé)."""
    try:
        cache.incr(CLE_VERSION)
    except ValueError:
        # Clé absente (cache vidé ou expiré) : on repart d'une valeur qui ne peut pas servir une clé ancienne.
        if not cache.add(CLE_VERSION, 2, timeout=None):
            cache.incr(CLE_VERSION)


def cle(*, debut, fin, bassin_ids, restreint, nature="tableau"):
    """`nature` : « tableau » (la page entière) ou « bruts » (les indicateurs d'une période, sans cibles)."""
    empreinte = hashlib.sha1(registre.signature().encode(), usedforsecurity=False).hexdigest()[:12]
    bassins = ",".join(str(i) for i in bassin_ids)
    periode = f"{debut.isoformat()}:{fin.isoformat()}"
    return f"tableau_de_bord:{nature}:{version()}:{empreinte}:{periode}:{int(restreint)}:{bassins}"


def surveilles():
    return registre.modeles_surveilles() | MODELES_TOUJOURS


def _label(modele):
    meta = getattr(modele, "_meta", None)
    return meta.label if meta else None


def _sur_ecriture(sender, **kwargs):
    if not kwargs.get("action", "post_").startswith("post_"):
        return
    modeles = surveilles()
    labels = {_label(sender)}
    if "model" in kwargs:  # m2m_changed : l'instance et le modèle d'en face
        labels |= {_label(type(kwargs.get("instance"))), _label(kwargs["model"])}
    if labels & modeles:
        # Tout de suite (lectures dans la même transaction) et après la validation : un autre processus
        # qui aurait recalculé entre-temps avec les données d'avant la validation est ainsi écarté.
        invalider()
        # Un seul rappel par transaction, même pour mille écritures (imports, démonstration par les services).
        if not any(rappel[1] is invalider for rappel in connection.run_on_commit):
            transaction.on_commit(invalider)


def brancher():
    """Écoute toutes les écritures ; filtre sur les modèles surveillés (déclarations ajoutées à tout moment)."""
    post_save.connect(_sur_ecriture, dispatch_uid="tableau_de_bord_post_save")
    post_delete.connect(_sur_ecriture, dispatch_uid="tableau_de_bord_post_delete")
    m2m_changed.connect(_sur_ecriture, dispatch_uid="tableau_de_bord_m2m_changed")
    # Écritures en masse du référentiel (chargement des communes : bassins des communes), sans signal par objet.
    ecritures_en_masse.connect(_sur_ecriture, dispatch_uid="tableau_de_bord_ecritures_en_masse")

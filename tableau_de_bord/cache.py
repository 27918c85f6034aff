"""Cache des indicateurs calculés, périmé par les versions des données (commun/versions.py).

La clé d'un tableau calculé comprend les versions, tenues en base, des applications dont dépend le tableau :
celles des modèles nommés dans un `modeles=(...)` d'une déclaration, plus le tableau de bord lui-même (cibles,
chiffres clés) et le référentiel (bassins des communes). Toute écriture validée sur un modèle de ces
applications, par signal ou par `commun.versions.ecritures_en_masse(...)`, change la clé : les tableaux
calculés avant deviennent introuvables, dans tous les processus et sur tous les serveurs, quel que soit le
cache. La durée de vie (TABLEAU_CACHE_DUREE) ne fait que libérer la mémoire.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache  # noqa: F401 - le cache du tableau (cache_tableau.cache)

from commun import versions

from . import registre

# Applications dont dépend tout tableau (cibles et chiffres clés, bassins des communes).
ESPACES_TOUJOURS = {"tableau_de_bord", "referentiel"}


def duree():
    return getattr(settings, "TABLEAU_CACHE_DUREE", 15 * 60)


def espaces():
    return sorted({versions.espace_de(m) for m in registre.modeles_surveilles()} | ESPACES_TOUJOURS)


def version():
    """Les versions des applications du tableau (suivies d'un jeton propre à la transaction si elle a écrit
    dans l'une d'elles sans avoir validé : ce qu'elle calcule n'est relu par aucune autre)."""
    return versions.versions(*espaces())


def invalider():
    """Après une écriture en masse sans signal sur des modèles du tableau (voir services.tableau_invalider)."""
    versions.ecritures_en_masse(*espaces())


def cle(*, debut, fin, bassin_ids, restreint, nature="tableau"):
    """`nature` : « tableau » (la page entière) ou « bruts » (les indicateurs d'une période, sans cibles)."""
    empreinte = hashlib.sha1(registre.signature().encode(), usedforsecurity=False).hexdigest()[:12]
    bassins = ",".join(str(i) for i in bassin_ids)
    periode = f"{debut.isoformat()}:{fin.isoformat()}"
    # Les versions (une par application, plus les jetons d'une transaction qui a écrit) en une empreinte courte :
    # une clé de cache reste sous 250 caractères.
    versions_lues = hashlib.sha1(version().encode(), usedforsecurity=False).hexdigest()[:20]
    return f"tableau_de_bord:{nature}:{versions_lues}:{empreinte}:{periode}:{int(restreint)}:{bassins}"

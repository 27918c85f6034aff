"""Réglages du banc : ceux de production (plan_emploi.settings, DEBUG désactivé), plus quatre écarts.

- ROOT_URLCONF : bench.urls, qui ajoute aux URL du projet une vue minimale authentifiée (la référence
  « plafond de la pile ») ; les URL de production ne changent pas.
- Cookies sans l'attribut Secure : le banc parle HTTP en clair sur 127.0.0.1 (en production, le proxy
  HTTPS termine TLS devant gunicorn).
- En-tête X-Corps-Cache (trouvé ou calculé) sur les pages à corps en cache, pour le taux de réussite.
- Fichiers statiques : STATIC_ROOT temporaire rempli par collectstatic, stockage à manifeste (les gabarits
  exigent le manifeste) mais sans la précompression gzip/brotli de whitenoise, qui coûte une à deux minutes
  à chaque passage et ne change rien aux pages mesurées (la charge ne demande pas les fichiers statiques).
- DEMO_AUTORISEE : la charge se connecte avec les comptes de démonstration, refusés hors DEBUG en production ;
  le banc les autorise dans ce module de réglages, jamais par une variable d'environnement.
"""

import os

from plan_emploi.settings import *  # noqa: F403
from plan_emploi.settings import STATIC_ROOT as _STATIC_ROOT

ROOT_URLCONF = "bench.urls"
DEMO_AUTORISEE = True
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Chaque page à corps en cache dit si son corps venait du cache (en-tête X-Corps-Cache) : taux de réussite.
PAGES_CACHE_ENTETE = True
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT") or _STATIC_ROOT
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}

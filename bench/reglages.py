"""Réglages du banc : ceux de production (plan_emploi.settings, DEBUG désactivé), plus trois écarts.

- ROOT_URLCONF : bench.urls, qui ajoute aux URL du projet une vue minimale authentifiée (la référence
  « plafond de la pile ») ; les URL de production ne changent pas.
- Cookies sans l'attribut Secure : le banc parle HTTP en clair sur 127.0.0.1 (en production, le proxy
  HTTPS termine TLS devant gunicorn).
- STATIC_ROOT : un dossier temporaire rempli par collectstatic (le manifeste whitenoise est requis par les gabarits).
"""

import os

from plan_emploi.settings import *  # noqa: F403
from plan_emploi.settings import STATIC_ROOT as _STATIC_ROOT

ROOT_URLCONF = "bench.urls"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT") or _STATIC_ROOT

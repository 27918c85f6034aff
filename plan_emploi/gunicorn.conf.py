"""Réglages de gunicorn en production : `gunicorn -c plan_emploi/gunicorn.conf.py plan_emploi.wsgi`.

Le journal des accès omet les paramètres d'URL (`%(U)s` : le chemin seul, au lieu de `%(r)s`, la ligne de requête
complète) et le référent (`%(f)s`, l'adresse de la page précédente avec ses paramètres) : une recherche par nom
(`?q=Dupont`) n'atterrit pas dans les journaux. Les autres réglages restent ceux de la ligne de commande ou de
l'environnement (`GUNICORN_CMD_ARGS`).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'

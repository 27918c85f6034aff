import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plan_emploi.settings")

from commun.pile import servie_dans_un_bloc  # noqa: E402 - après le choix des réglages

# Chaque requête dans un seul bloc de la pile de l'interpréteur (défaut de CPython 3.11 et 3.12 : commun/pile.py).
application = servie_dans_un_bloc(get_wsgi_application())

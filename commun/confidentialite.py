"""Confidentialité des réponses et des journaux.

- `PasDeCacheMiddleware` : toute réponse à un utilisateur connecté (pages, exports, fragments htmx) porte
  `Cache-Control: no-store` (avec `private`, `no-cache`, `must-revalidate`, `max-age=0`) : ni le navigateur, ni un
  proxy ne garde une page ou un export de données personnelles. Les fichiers statiques (servis par whitenoise
  avant l'authentification) et les réponses anonymes (connexion, `/sante/`) gardent leurs en-têtes ; une réponse
  qui se déclare `public` (feuille de style du thème) aussi : elle ne contient aucune donnée personnelle.
- `AccesRefuseFilter` (journal `django.request`) : un accès refusé (403, 404 : hors périmètre, mauvais rôle,
  objet inexistant) tient en une ligne (code, utilisateur, chemin sans paramètres), sans la pile d'appels que
  Django y joint (`PermissionDenied`, `Http404`) : le journal reste lisible et ne reçoit aucun terme de recherche.
- `ServeurSansRequeteFilter` (journal `django.server`, serveur de développement) : la ligne d'accès perd ses
  paramètres d'URL (recherches par nom). En production, le format d'accès de gunicorn
  (`plan_emploi/gunicorn.conf.py`) les omet de même.
"""

from django.utils.cache import add_never_cache_headers, patch_cache_control

CODES_REFUS = (403, 404)


class PasDeCacheMiddleware:
    """À placer après AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "public" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


def _sans_parametres(chemin):
    return str(chemin).split("?", 1)[0]


class AccesRefuseFilter:
    """Réécrit en une ligne l'enregistrement d'une réponse 403 ou 404 du journal `django.request`."""

    def filter(self, record):
        code = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if code not in CODES_REFUS or request is None:
            return True
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else "anonyme"
        record.msg = "Accès refusé (%s) : utilisateur %s, %s %s"
        record.args = (code, ident, request.method, _sans_parametres(request.path))
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


class ServeurSansRequeteFilter:
    """La ligne d'accès du serveur de développement (« GET /chemin?q=... HTTP/1.1 ») sans ses paramètres."""

    def filter(self, record):
        if record.args and isinstance(record.args, tuple) and isinstance(record.args[0], str):
            methode, _, reste = record.args[0].partition(" ")
            chemin, _, protocole = reste.rpartition(" ")
            if chemin:
                record.args = (f"{methode} {_sans_parametres(chemin)} {protocole}", *record.args[1:])
        return True

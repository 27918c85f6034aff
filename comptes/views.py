import re

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import requires_csrf_token

from commun.alertes import alertes_pour
from commun.menu_registre import entrees_pour

from .forms import ConnexionForm


@method_decorator(login_not_required, name="dispatch")
class ConnexionView(auth_views.LoginView):
    template_name = "comptes/connexion.html"
    authentication_form = ConnexionForm
    redirect_authenticated_user = True


class DeconnexionView(auth_views.LogoutView):
    pass


def accueil(request):
    """Page d'accueil propre à chaque rôle : les raccourcis vers ce que ce rôle peut utiliser, et ce que ce rôle doit
    vérifier (alertes déclarées par les applications, voir commun.alertes)."""
    raccourcis = [e for e in entrees_pour(request.user) if e["nom_url"] != "accueil"]
    return render(request, "comptes/accueil.html", {"raccourcis": raccourcis, "alertes": alertes_pour(request.user)})


@login_not_required
@transaction.non_atomic_requests
def sante(request):
    """Sonde de supervision : la base répond. Aucune donnée personnelle.

    Hors de la transaction de requête (ATOMIC_REQUESTS) : une base injoignable donne un 503 lisible par la
    supervision, pas une erreur 500 levée avant la vue."""
    try:
        with connection.cursor() as curseur:
            curseur.execute("SELECT 1")
            curseur.fetchone()
    except Exception:  # noqa: BLE001 - la sonde doit répondre 503 quelle que soit l'erreur de base
        return JsonResponse({"statut": "erreur", "base": "injoignable"}, status=503)
    return JsonResponse({"statut": "ok", "base": "ok"})


def erreur_403(request, exception=None):
    return render(request, "403.html", status=403)


def erreur_404(request, exception=None):
    return render(request, "404.html", status=404)


def erreur_csrf(request, reason=""):
    """Refus CSRF (jeton absent ou périmé), en français ; la raison technique n'est pas montrée."""
    return render(request, "comptes/csrf.html", status=403)


@requires_csrf_token
def erreur_500(request):
    return render(request, "500.html", status=500)


@login_not_required
@cache_control(max_age=3600)
def theme_css(request):
    """La couleur du Département (réglage DEPARTEMENT_COULEUR), sans style en ligne (CSP)."""
    couleur = settings.DEPARTEMENT_COULEUR
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", couleur):
        couleur = "#00588f"
    return HttpResponse(f":root {{ --pe-couleur: {couleur}; }}\n", content_type="text/css; charset=utf-8")

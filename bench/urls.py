"""URL du banc : toutes celles du projet, plus la vue minimale authentifiée (référence de débit)."""

from django.http import HttpResponse
from django.urls import path

from plan_emploi.urls import handler403, handler404, handler500  # noqa: F401
from plan_emploi.urls import urlpatterns as urls_projet


def vue_minimale(request):
    """Le plafond de la pile : session, authentification, tous les intergiciels, aucune requête métier."""
    return HttpResponse(f"ok {request.user.username}", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/minimal/", vue_minimale, name="bench_minimal"), *urls_projet]

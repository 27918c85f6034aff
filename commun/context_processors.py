from django.conf import settings

from .menu_registre import entrees_pour


def interface(request):
    user = getattr(request, "user", None)
    return {
        "DEPARTEMENT_NOM": settings.DEPARTEMENT_NOM,
        "DEPARTEMENT_CODE": settings.DEPARTEMENT_CODE,
        "navigation": entrees_pour(user, chemin=request.path) if user is not None else [],
    }

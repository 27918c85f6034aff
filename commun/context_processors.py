from django.conf import settings

from .menu_registre import entrees_pour


def interface(request):
    """Appelé à chaque gabarit rendu avec la requête (corps, page, fragments) : la navigation est faite une fois par
    requête et gardée sur elle."""
    user = getattr(request, "user", None)
    cle = (getattr(user, "pk", None), request.path)  # une connexion ou une déconnexion pendant la requête la refait
    gardee = getattr(request, "_navigation", None)
    if gardee is not None and gardee[0] == cle:
        navigation = gardee[1]
    else:
        navigation = entrees_pour(user, chemin=request.path) if user is not None else []
        request._navigation = (cle, navigation)
    return {
        "DEPARTEMENT_NOM": settings.DEPARTEMENT_NOM,
        "DEPARTEMENT_CODE": settings.DEPARTEMENT_CODE,
        "navigation": navigation,
    }

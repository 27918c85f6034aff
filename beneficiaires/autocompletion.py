"""Sources d'autocomplétion des filtres et formulaires (commun/autocompletion.py) : communes et référents, chacune
dans la portée de l'utilisateur."""

from django.db.models import Q

from commun.autocompletion import Source, chercher_commune, chercher_personne, enregistrer
from comptes.models import Role, User
from referentiel.models import Commune


def communes_visibles(user):
    """Toutes les communes ; celles de ses bassins pour un référent (comme la liste, qui ne lui montre qu'elles)."""
    qs = Commune.objects.only("pk", "nom", "code_insee").order_by("nom", "code_insee")
    if user is not None and user.is_authenticated and user.est_referent:
        qs = qs.filter(bassin_emploi__in=user.bassins.values("pk"))
    return qs


def _referents(user, roles):
    """Les comptes de ces rôles : tous pour l'administration et le pilotage ; pour un référent, ceux qui
    partagent l'un de ses bassins (et les administrateurs si `roles` les compte) ; personne pour les autres."""
    qs = User.objects.filter(role__in=roles).only("pk", "username", "first_name", "last_name")
    qs = qs.order_by("last_name", "first_name", "pk")
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.voit_tout:
        return qs
    if user.est_referent:
        partagent = User.objects.filter(role=Role.REFERENT, bassins__in=user.bassins.values("pk")).values("pk")
        return qs.filter(Q(pk__in=partagent) | Q(role=Role.ADMINISTRATEUR))
    return qs.none()


def referents_visibles(user):
    return _referents(user, [Role.REFERENT])


def referents_et_administrateurs_visibles(user):
    return _referents(user, [Role.REFERENT, Role.ADMINISTRATEUR])


COMMUNES = enregistrer(Source("communes", communes_visibles, chercher_commune))
REFERENTS = enregistrer(Source("referents", referents_visibles, chercher_personne))
REFERENTS_ET_ADMINISTRATEURS = enregistrer(
    Source("referents_administrateurs", referents_et_administrateurs_visibles, chercher_personne)
)

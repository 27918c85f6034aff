"""Contrôles d'accès par rôle, réutilisables : mixin pour les vues classes, vérification pour les vues fonctions.

Un rôle qui n'a pas le droit reçoit un 403 ; un objet hors de son périmètre est un 404
(obtenu en passant par `Modele.objects.visibles_par(request.user)`).
"""

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied

from .models import Role

TOUS_LES_ROLES = tuple(Role.values)
LECTEURS = (Role.ADMINISTRATEUR, Role.PILOTAGE, Role.REFERENT)
REDACTEURS = (Role.ADMINISTRATEUR, Role.REFERENT)


def verifier_role(user, roles):
    if not user.is_authenticated or not user.a_role(*roles):
        raise PermissionDenied("Votre rôle ne permet pas d'accéder à cette page.")


class RoleRequisMixin(AccessMixin):
    """`roles` : rôles autorisés (tous les rôles si vide) ; `roles_ecriture` : rôles autorisés pour POST."""

    roles: tuple = ()
    roles_ecriture: tuple | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        roles = self.roles or TOUS_LES_ROLES
        if request.method not in ("GET", "HEAD", "OPTIONS") and self.roles_ecriture is not None:
            roles = self.roles_ecriture
        verifier_role(request.user, roles)
        return super().dispatch(request, *args, **kwargs)

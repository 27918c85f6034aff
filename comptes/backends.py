"""Authentification par mot de passe : ModelBackend de Django, plus le refus des comptes de démonstration."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


def compte_autorise(user):
    """Un compte peut-il ouvrir (ou garder) une session ? Actif, et pas un compte de démonstration hors
    développement : ces comptes ont un mot de passe public, ils sont refusés quel que soit leur mot de passe."""
    if not getattr(user, "is_active", False):
        return False
    return not (getattr(user, "compte_demo", False) and not settings.DEMO_AUTORISEE)


class ComptesBackend(ModelBackend):
    """`user_can_authenticate` sert à la connexion et à chaque requête (`get_user`) : une session ouverte par un
    compte de démonstration cesse de valoir dès que le serveur tourne sans DEBUG."""

    def user_can_authenticate(self, user):
        return compte_autorise(user)

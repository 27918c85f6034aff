"""Authentification par mot de passe : ModelBackend de Django, plus le refus des comptes de démonstration ; le
compte d'une session relu en base seulement quand les comptes ont changé."""

import copy

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from commun import versions

# Un compte par agent connecté à ce processus : au-delà, tout est oublié.
_comptes_lus = versions.GardesSousVersion(("comptes",), taille_max=2000)


def compte_autorise(user):
    """Un compte peut-il ouvrir (ou garder) une session ? Actif, et pas un compte de démonstration hors
    développement : ces comptes ont un mot de passe public, ils sont refusés quel que soit leur mot de passe."""
    if not getattr(user, "is_active", False):
        return False
    return not (getattr(user, "compte_demo", False) and not settings.DEMO_AUTORISEE)


def compte_de_la_session(user_id, lire):
    """Le compte d'une session ouverte, à chaque requête (`get_user` des moteurs d'authentification) : relu en base
    par `lire(user_id)` seulement quand la version des comptes a changé (`versions.GardesSousVersion` : toute
    écriture validée d'un compte, de son rôle, de ses bassins, de son mot de passe la change, pour tous les
    processus), gardé par processus sinon, sans passer par le cache partagé (il porte l'empreinte du mot de passe).
    Chaque requête reçoit sa propre copie. `compte_autorise` est vérifié à chaque requête ; l'empreinte de session
    (mot de passe changé) l'est par Django après nous."""
    user = _comptes_lus.lire(user_id, lambda: lire(user_id))
    return copy.copy(user) if user is not None and compte_autorise(user) else None


def oublier_les_comptes_lus():
    _comptes_lus.oublier()


class ComptesBackend(ModelBackend):
    """`user_can_authenticate` sert à la connexion et à chaque requête (`get_user`) : une session ouverte par un
    compte de démonstration cesse de valoir dès que le serveur tourne sans DEBUG."""

    def user_can_authenticate(self, user):
        return compte_autorise(user)

    def get_user(self, user_id):
        return compte_de_la_session(user_id, super().get_user)

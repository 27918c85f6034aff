"""Authentification par mot de passe : ModelBackend de Django, plus le refus des comptes de démonstration ; le
compte d'une session relu en base seulement quand les comptes ont changé."""

import copy

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from commun import versions

# Comptes gardés par processus : au-delà, tout est oublié (un compte par agent connecté à ce processus).
TAILLE_MAX = 2000
_comptes_lus: dict = {}


def compte_autorise(user):
    """Un compte peut-il ouvrir (ou garder) une session ? Actif, et pas un compte de démonstration hors
    développement : ces comptes ont un mot de passe public, ils sont refusés quel que soit leur mot de passe."""
    if not getattr(user, "is_active", False):
        return False
    return not (getattr(user, "compte_demo", False) and not settings.DEMO_AUTORISEE)


def compte_de_la_session(user_id, lire):
    """Le compte d'une session ouverte, à chaque requête (`get_user` des moteurs d'authentification) : relu en base
    par `lire(user_id)` seulement quand la version des comptes a changé (commun/versions.py, en base, la même pour
    tous les processus : toute écriture validée d'un compte, de son rôle, de ses bassins, de son mot de passe la
    change), gardé par processus sinon, sans passer par le cache partagé (il porte l'empreinte du mot de passe).
    Chaque requête reçoit sa propre copie. `compte_autorise` est vérifié à chaque requête ; l'empreinte de session
    (mot de passe changé) l'est par Django après nous."""
    version = versions.versions("comptes")
    deja = _comptes_lus.get(user_id)
    if deja is not None and deja[0] == version:
        user = copy.copy(deja[1])
    else:
        user = lire(user_id)
        if user is not None and "+" not in version:  # pas d'écriture des comptes en attente dans la transaction
            if len(_comptes_lus) >= TAILLE_MAX:
                _comptes_lus.clear()
            _comptes_lus[user_id] = (version, copy.copy(user))
    return user if user is not None and compte_autorise(user) else None


def oublier_les_comptes_lus():
    """Vide les comptes gardés (tests : la fin d'un test remet les versions à leurs valeurs d'avant, ce qui n'arrive
    jamais hors des tests, où elles ne font que croître)."""
    _comptes_lus.clear()


class ComptesBackend(ModelBackend):
    """`user_can_authenticate` sert à la connexion et à chaque requête (`get_user`) : une session ouverte par un
    compte de démonstration cesse de valoir dès que le serveur tourne sans DEBUG."""

    def user_can_authenticate(self, user):
        return compte_autorise(user)

    def get_user(self, user_id):
        return compte_de_la_session(user_id, super().get_user)

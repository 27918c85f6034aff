"""Abonnements de comptes : tout export produit (signal du commun) est inscrit au journal des exports ; toute
connexion ouvre une ligne « session ouverte » (Mes sessions)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from commun.signaux import export_realise

from .services import export_journaliser


@receiver(export_realise, dispatch_uid="comptes_journal_export")
def _journaliser_export(sender, *, par, vue, filtres, format, lignes, **kwargs):
    export_journaliser(par=par, vue=vue, filtres=filtres, format=format, lignes=lignes)


@receiver(user_logged_in, dispatch_uid="comptes_session_ouverte")
def _suivre_session(sender, request, user, **kwargs):
    from .middleware import session_suivre

    session = getattr(request, "session", None) if request is not None else None
    if session is None:
        return
    if not session.session_key:
        # Connexion par-dessus la session d'un autre compte : login() l'a vidée, la nouvelle n'a pas encore de clé.
        session.save()
    session_suivre(request, user)

"""Moteur des sessions : celui de Django qui les lit dans le cache et les tient en base (`cached_db`), dont la fin
d'une session retire aussi la copie du cache après la validation de la transaction qui l'a terminée."""

from django.contrib.sessions.backends.cached_db import SessionStore as SessionEnCacheEtEnBase
from django.db import router, transaction


class SessionStore(SessionEnCacheEtEnBase):
    """`delete` retire la session du cache tout de suite et de la base à la validation : entre les deux, une autre
    requête de la même session, qui ne la trouve plus dans le cache, la relit en base (ligne pas encore effacée) et
    la remet dans le cache, où elle survivrait à sa fin (« Terminer » dans « Mes sessions », déconnexion). La copie
    du cache est donc retirée une seconde fois une fois la fin validée."""

    def delete(self, session_key=None):
        cle = session_key if session_key is not None else self.session_key
        super().delete(session_key)
        if cle is not None:
            base = router.db_for_write(self.model)
            transaction.on_commit(lambda: self._cache.delete(self.cache_key_prefix + cle), using=base)

"""Pages de lecture servies hors de la transaction de requête."""

from django.conf import settings
from django.db import transaction


class PageDeLectureMixin:
    """Une page qui ne fait que lire (liste, fiche, recherche) : servie sans la transaction que `ATOMIC_REQUESTS`
    pose autour de chaque vue (BEGIN et COMMIT à chaque page : 5 % des instructions d'une page de liste), et qui
    n'accepte que GET, HEAD et OPTIONS (toute autre méthode : 405, une écriture n'y arrive jamais). Ce qu'elle écrit
    en passant (journal des consultations, des exports) passe par un service, qui pose sa propre transaction.

    En lecture, la transaction de requête n'apportait rien : en READ COMMITTED (PostgreSQL), chaque instruction voit
    les données validées à son début, dans une transaction ou non ; le compte et les lignes d'une page restent deux
    lectures distinctes."""

    http_method_names = ["get", "head", "options"]

    @classmethod
    def as_view(cls, **initkwargs):
        vue = super().as_view(**initkwargs)
        for alias in settings.DATABASES:
            vue = transaction.non_atomic_requests(using=alias)(vue)
        return vue

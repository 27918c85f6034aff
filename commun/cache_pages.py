"""Le corps des pages de lecture les plus demandées (listes filtrées, fiche d'une personne) gardé en cache.

Une page de lecture se rend en deux parts : la mise en page (menu, messages, fil d'Ariane), rendue à chaque
requête, et le corps (filtres, tableau, pagination, fiche), qui coûte l'essentiel (requêtes, centaines de
cellules). Le corps est mis en cache sous une clé qui comprend :

- l'utilisateur : un corps n'est jamais servi qu'à celui pour qui il a été rendu (son périmètre, son rôle,
  les actions qui lui sont proposées) ;
- l'adresse complète (filtres, tri, page), la date du jour, le gabarit du corps et l'empreinte du code du projet
  (`fragments.empreinte_du_projet` : modules Python et gabarits, bibliothèques de rendu, VERSION_DEPLOIEMENT) : un
  déploiement qui change un rendu (colonne, format d'un montant) ne ressert pas les corps rendus avant lui ;
- les **versions des données** des applications dont la page dépend (`espaces` de la vue ; toutes par
  défaut), tenues EN BASE par `commun.versions` : les mêmes pour tous les processus et tous les serveurs,
  incrémentées après chaque écriture validée sur un modèle de ces applications (signaux) et par
  `versions.ecritures_en_masse(...)` pour les écritures sans signal. Une écriture ailleurs (une location pour
  la liste des bénéficiaires), un POST refusé ou anonyme, une connexion ne périment rien.

N'est jamais mis en cache un corps rendu par une transaction qui a écrit dans l'un de ces espaces sans l'avoir
encore validé, ni un corps qui contient un jeton CSRF. La durée de vie (PAGES_CACHE_DUREE, 300 s) ne fait que
libérer la mémoire : elle n'est pas ce qui garantit la fraîcheur.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.safestring import mark_safe

from . import pagination, versions
from .fragments import criteres, empreinte_du_projet
from .lecture import PageDeLectureMixin


def duree():
    return getattr(settings, "PAGES_CACHE_DUREE", 300)


# --- Le corps en cache --------------------------------------------------------------------------------------


def cle_corps(request, gabarit, espaces=None):
    lues = versions.versions(*(espaces or sorted(versions.applications_du_projet())))
    version = hashlib.sha1(lues.encode(), usedforsecurity=False).hexdigest()[:20]
    adresse = hashlib.sha1(request.get_full_path().encode(), usedforsecurity=False).hexdigest()
    return (
        f"corps:{gabarit}:{empreinte_du_projet()}:{request.user.pk}:{version}:{timezone.localdate().isoformat()}:"
        f"{adresse}"
    )


class CorpsEnCacheMixin(PageDeLectureMixin):
    """À placer avant la vue générique ; une page de lecture (`PageDeLectureMixin` : GET, hors transaction). Le
    gabarit de la page (`template_name`) affiche `{{ corps }}` dans son bloc de contenu ; `gabarit_corps` est le
    corps, rendu avec le contexte complet de la vue. La vue appelle `servir(calculer)`, où `calculer()` rend la
    réponse de la vue générique (son contexte complet)."""

    gabarit_corps = None
    # Les applications dont le corps dépend (ses lignes, ses filtres, le périmètre de l'utilisateur) ; toutes
    # les applications du projet si None.
    espaces = None

    @property
    def paginator_class(self):
        """Pour un tableau paginé (django-tables2) : le compte des lignes gardé en cache sous les mêmes versions
        (commun/pagination.py), refait après toute écriture dans `espaces`."""
        return pagination.paginateur(self.espaces, self.page_de_la_liste())

    def page_de_la_liste(self):
        """(requête, critères du filtre) : ce qui choisit les lignes d'une liste filtrée, pour la clé de son compte
        et de ses totaux (`pagination.cle_de_la_page`). La sélection d'une liste (`get_queryset`) ne dépend que de
        l'utilisateur (testé pour chaque liste) ; sans filtre, None (compte gardé sous son SQL)."""
        filterset = getattr(self, "filterset", None)
        return (self.request, criteres(filterset)) if filterset is not None else None

    def contexte_page(self):
        """Ce dont la mise en page a besoin (titre, fil d'Ariane) quand le corps vient du cache."""
        return {}

    def get(self, request, *args, **kwargs):
        return self.servir(lambda: super(CorpsEnCacheMixin, self).get(request, *args, **kwargs))

    def servir(self, calculer):
        # Les versions lues une fois pour la page, son compte, ses fragments (commun.versions.memoire).
        with versions.memoire():
            return self._servir(calculer)

    def _servir(self, calculer):
        espaces = sorted(self.espaces) if self.espaces else None
        cle = cle_corps(self.request, self.gabarit_corps, espaces)
        corps = cache.get(cle)
        trouve = corps is not None
        if corps is None:
            reponse = calculer()
            if not isinstance(reponse, TemplateResponse) or reponse.status_code != 200:
                return reponse  # export, redirection : rien à mettre en cache
            corps = render_to_string(self.gabarit_corps, reponse.context_data, self.request)
            # Pas en cache : un corps qui contient un jeton CSRF (propre à la requête), ni un corps rendu avec les
            # écritures pas encore validées de la transaction en cours (elle peut encore être annulée).
            en_attente = versions.en_attente(*(espaces or versions.applications_du_projet()))
            if "csrfmiddlewaretoken" not in corps and not en_attente:
                cache.set(cle, corps, duree())
        contexte = {**self.contexte_page(), "corps": mark_safe(corps)}  # noqa: S308 (rendu par notre gabarit)
        reponse = TemplateResponse(self.request, self.template_name, contexte)
        if getattr(settings, "PAGES_CACHE_ENTETE", False):  # le banc compte les réussites du cache
            reponse["X-Corps-Cache"] = "trouve" if trouve else "calcule"
        return reponse

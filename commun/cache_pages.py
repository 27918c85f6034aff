"""Le corps des pages de lecture les plus demandées (listes filtrées, fiche d'une personne) gardé en cache.

Une page de lecture se rend en deux parts : la mise en page (menu, messages, fil d'Ariane), rendue à chaque
requête, et le corps (filtres, tableau, pagination, fiche), qui coûte l'essentiel (requêtes, centaines de
cellules). Le corps est mis en cache sous une clé qui comprend :

- l'utilisateur : un corps n'est jamais servi qu'à celui pour qui il a été rendu (son périmètre, son rôle,
  les actions qui lui sont proposées) ;
- l'adresse complète (filtres, tri, page), la date du jour et l'empreinte du gabarit du corps ;
- la **version des données**, tenue EN BASE (une séquence PostgreSQL ; une ligne sous SQLite), donc la même
  pour tous les processus gunicorn, quel que soit le cache (local ou partagé).

La version est incrémentée :
- par toute écriture (post_save, post_delete, m2m_changed) sur un modèle des applications du projet, sauf les
  journaux écrits par les lectures elles-mêmes (consultations, exports) : tout de suite (la transaction
  relit ses propres écritures) et après la validation (les autres processus, qui ont pu rendre un corps
  avec les données d'avant, ne le retrouvent plus) ;
- après toute requête HTTP d'écriture (POST…), quelle qu'ait été la façon d'écrire ;
- par `donnees_modifiees()`, qu'appellent les écritures en masse sans signal (import, effacement RGPD,
  forums), et par le signal `referentiel.signaux.ecritures_en_masse` (chargement des communes).

N'est jamais mis en cache un corps rendu avec des écritures pas encore validées (la transaction peut encore
être annulée), ni un corps qui contient un jeton CSRF. La durée de vie (PAGES_CACHE_DUREE, 300 s)
borne le retard d'une écriture qui échapperait à tout cela (SQL écrit à la main hors requête HTTP).
"""

import functools
import hashlib
import secrets
import sys
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.template.loader import get_template, render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.safestring import mark_safe

from referentiel.signaux import ecritures_en_masse

NOM_VERSION = "comptes_version_donnees"
# Écrits par les lectures (la consultation d'une fiche, un export) et jamais affichés dans un corps en cache.
MODELES_IGNORES = {"comptes.JournalConsultation", "comptes.JournalExport"}
METHODES_LECTURE = {"GET", "HEAD", "OPTIONS", "TRACE"}


def duree():
    return getattr(settings, "PAGES_CACHE_DUREE", 300)


# --- La version des données, en base -----------------------------------------------------------------------


def creer_compteur(schema_editor):
    """Appelée par la migration : une séquence sous PostgreSQL (incrémentée hors transaction, sans verrou, jamais
    ramenée en arrière), une table d'une ligne sous SQLite (où une écriture verrouille déjà toute la base)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {NOM_VERSION}")
    else:
        schema_editor.execute(f"CREATE TABLE IF NOT EXISTS {NOM_VERSION} (id integer PRIMARY KEY, valeur bigint)")
        schema_editor.execute(f"INSERT INTO {NOM_VERSION} (id, valeur) VALUES (1, 1)")


def supprimer_compteur(schema_editor):
    objet = "SEQUENCE" if schema_editor.connection.vendor == "postgresql" else "TABLE"
    schema_editor.execute(f"DROP {objet} IF EXISTS {NOM_VERSION}")


def version():
    """La version courante (une requête) ; note que la connexion l'a lue depuis la dernière incrémentation."""
    with connection.cursor() as curseur:
        if connection.vendor == "postgresql":
            curseur.execute(f"SELECT last_value FROM {NOM_VERSION}")
        else:
            curseur.execute(f"SELECT valeur FROM {NOM_VERSION} WHERE id = 1")
        valeur = curseur.fetchone()[0]
    connection.plan_emploi_version_lue = True
    return valeur


def _incrementer():
    with connection.cursor() as curseur:
        if connection.vendor == "postgresql":
            curseur.execute(f"SELECT nextval('{NOM_VERSION}')")
        else:
            # Une valeur tirée au hasard, pas valeur + 1 : une transaction annulée ramènerait un numéro
            # déjà servi (et les corps rendus entre-temps avec ses écritures annulées).
            curseur.execute(f"UPDATE {NOM_VERSION} SET valeur = %s WHERE id = 1", [secrets.randbits(62)])
    connection.plan_emploi_version_lue = False


def _ecritures_en_attente():
    """La transaction en cours a écrit (un rappel de fin de transaction est inscrit)."""
    return connection.in_atomic_block and any(rappel[1] is _incrementer for rappel in connection.run_on_commit)


def donnees_modifiees():
    """Périme tous les corps en cache : tout de suite, et après la validation de la transaction."""
    if not connection.in_atomic_block:
        _incrementer()
        return
    premiere = not _ecritures_en_attente()
    # Tout de suite : à la première écriture de la transaction, puis à chaque écriture qui suit une lecture de
    # la version (la transaction relit ses propres écritures) ; pas mille fois pour mille lignes importées.
    if premiere or getattr(connection, "plan_emploi_version_lue", True):
        _incrementer()
    if premiere:
        transaction.on_commit(_incrementer)


@functools.cache
def applications_du_projet():
    """Les applications du projet (leur code est sous BASE_DIR, hors de l'environnement Python, même quand
    .venv est dans le projet) : une application ajoutée est surveillée sans rien déclarer ; Django et les
    bibliothèques (sessions, axes, types de contenu) ne le sont pas."""
    racine, environnement = Path(settings.BASE_DIR).resolve(), Path(sys.prefix).resolve()
    chemins = {a.label: Path(a.path).resolve() for a in django_apps.get_app_configs()}
    return frozenset(
        label for label, c in chemins.items() if c.is_relative_to(racine) and not c.is_relative_to(environnement)
    )


def _surveille(modele):
    meta = getattr(modele, "_meta", None)
    return meta is not None and meta.app_label in applications_du_projet() and meta.label not in MODELES_IGNORES


def _sur_ecriture(sender, **kwargs):
    if not kwargs.get("action", "post_").startswith("post_"):
        return
    modeles = [sender, type(kwargs.get("instance")), kwargs.get("model")]
    if any(_surveille(m) for m in modeles if m is not None):
        donnees_modifiees()


def _sur_ecritures_en_masse(sender, **kwargs):
    donnees_modifiees()


def brancher():
    ecritures_en_masse.connect(_sur_ecritures_en_masse, dispatch_uid="cache_pages_ecritures_en_masse")
    post_save.connect(_sur_ecriture, dispatch_uid="cache_pages_post_save")
    post_delete.connect(_sur_ecriture, dispatch_uid="cache_pages_post_delete")
    m2m_changed.connect(_sur_ecriture, dispatch_uid="cache_pages_m2m_changed")


class EcrituresMiddleware:
    """Après toute requête d'écriture (validée ou non), les corps en cache sont périmés : un service qui
    écrirait sans signal (QuerySet.update, bulk_create) ne peut pas laisser une page périmée."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reponse = self.get_response(request)
        if request.method not in METHODES_LECTURE:
            donnees_modifiees()
        return reponse


# --- Le corps en cache --------------------------------------------------------------------------------------

_empreintes = {}


def _empreinte_gabarit(nom):
    if nom not in _empreintes:
        origine = get_template(nom).origin.name
        with open(origine, "rb") as f:
            _empreintes[nom] = hashlib.sha1(f.read(), usedforsecurity=False).hexdigest()[:12]
    return _empreintes[nom]


def cle_corps(request, gabarit):
    adresse = hashlib.sha1(request.get_full_path().encode(), usedforsecurity=False).hexdigest()
    return (
        f"corps:{gabarit}:{_empreinte_gabarit(gabarit)}:{request.user.pk}:{version()}:{timezone.localdate().isoformat()}:"
        f"{adresse}"
    )


class CorpsEnCacheMixin:
    """À placer avant la vue générique. Le gabarit de la page (`template_name`) affiche `{{ corps }}` dans son
    bloc de contenu ; `gabarit_corps` est le corps, rendu avec le contexte complet de la vue. La vue appelle
    `servir(calculer)`, où `calculer()` rend la réponse de la vue générique (son contexte complet)."""

    gabarit_corps = None

    def contexte_page(self):
        """Ce dont la mise en page a besoin (titre, fil d'Ariane) quand le corps vient du cache."""
        return {}

    def get(self, request, *args, **kwargs):
        return self.servir(lambda: super(CorpsEnCacheMixin, self).get(request, *args, **kwargs))

    def servir(self, calculer):
        cle = cle_corps(self.request, self.gabarit_corps)
        corps = cache.get(cle)
        if corps is None:
            reponse = calculer()
            if not isinstance(reponse, TemplateResponse) or reponse.status_code != 200:
                return reponse  # export, redirection : rien à mettre en cache
            corps = render_to_string(self.gabarit_corps, reponse.context_data, self.request)
            # Pas en cache : un corps qui contient un jeton CSRF (propre à la requête), ni un corps rendu avec les
            # écritures pas encore validées de la transaction en cours (elle peut encore être annulée).
            if "csrfmiddlewaretoken" not in corps and not _ecritures_en_attente():
                cache.set(cle, corps, duree())
        contexte = {**self.contexte_page(), "corps": mark_safe(corps)}  # noqa: S308 (rendu par notre gabarit)
        return TemplateResponse(self.request, self.template_name, contexte)

"""Ce que partagent les tableaux django-tables2 du projet.

- `Tableau` : la classe de base, qui borne les lignes par page demandées dans l'adresse ;
- `departager(...)` : chaque tri d'une colonne finit par des clés uniques (ordre total d'une page à l'autre) ;
- `lue_par_cle(...)` : la valeur d'un objet lié, lue par sous-requête pour une liste (sans jointure) ;
  `selection_faite_une_fois(...)` : la sélection annotée d'une liste, faite une fois par processus, copiée par page,
  dont les sous-requêtes (`SousRequeteFigee`) ne sont compilées qu'une fois ;
  `perimetre_fait_une_fois(...)` : cette sélection restreinte au périmètre d'un utilisateur, faite une fois par
  processus, utilisateur, jour et version des comptes, copiée par page ;
- `ColonneDate` : une date jj/mm/aaaa sans gabarit ; `ColonneEuros` : un montant, le nombre à l'export ;
- la signature mémorisée : django-tables2 appelle `utils.signature(fn)` (donc `inspect.signature`) à chaque
  cellule d'une colonne qui a un rendu propre (`render_*`, `linkify`, colonne de date ou booléenne) quand il la
  calcule lui-même (exports, colonnes hors du corps rapide) ; la signature d'une fonction ne change pas, elle est
  mémorisée par fonction sous-jacente (une méthode liée est recréée à chaque accès, sa fonction `__func__` reste
  la même). Le résultat est exactement celui de la fonction d'origine.
"""

import copy
import functools
import inspect

import django_tables2 as tables
from django.core.paginator import Paginator
from django.db.models import F, OuterRef
from django.utils import timezone
from django_tables2 import utils
from django_tables2.utils import OrderByTuple

from . import versions
from .francais import euros
from .requetes import SousRequeteFigee

# Borne de sécurité : une fonction créée à la volée (lambda par ligne) ne doit pas faire grossir le cache.
TAILLE_MAX = 2000

_signature_origine = utils.signature
_memo: dict = {}


def signature_memorisee(fn):
    fonction = getattr(fn, "__func__", fn)
    if not (inspect.isfunction(fonction) or inspect.isbuiltin(fonction)):
        return _signature_origine(fn)
    cle = (fonction, hasattr(fn, "__self__"))
    resultat = _memo.get(cle)
    if resultat is None:
        if len(_memo) >= TAILLE_MAX:
            _memo.clear()
        resultat = _memo[cle] = _signature_origine(fn)
    return resultat


def installer():
    """Appelé une fois au démarrage (ComptesConfig.ready)."""
    utils.signature = signature_memorisee


# Lignes par page demandées dans l'adresse (`?per_page=`, que django-tables2 lit) : au plus ce nombre. Sans borne,
# `per_page=100000` rendait tout le registre en une page (13 Mo, plusieurs secondes, gardée en cache) et une valeur
# négative faisait une erreur 500. Zéro ou moins : la page habituelle des listes du projet.
LIGNES_PAR_PAGE_MAX = 200
LIGNES_PAR_PAGE = 50


class ColonnesDeLaClasse(dict):
    """Les colonnes déclarées d'un tableau du projet (`base_columns`). django-tables2 en donne à chaque tableau une
    copie profonde (`copy.deepcopy(type(self).base_columns)`, pour que rien de ce qu'un tableau change à ses
    colonnes n'atteigne la classe) : chaque attribut de chaque colonne, dictionnaires d'attributs HTML, liens et
    libellés compris, 0,3 ms par page de liste. Ici, chaque tableau reçoit une copie de chaque colonne
    (`copy.copy`) : ce que la bibliothèque pose sur une colonne (accesseur par défaut, `hide()` / `show()`,
    localisation) reste sur la copie. Ce que les colonnes contiennent (dictionnaires `attrs`, lien) est partagé avec
    la classe : ni django-tables2 (3.0) ni le projet ne l'écrivent en place, ils en font des copies ; un test
    vérifie, pour chaque tableau du projet rendu, trié, masqué et exporté, que les colonnes de la classe n'ont pas
    changé."""

    def __deepcopy__(self, memo):
        return {nom: copy.copy(colonne) for nom, colonne in self.items()}


class Tableau(tables.Table):
    """Le tableau de base du projet : au plus `LIGNES_PAR_PAGE_MAX` lignes par page, `LIGNES_PAR_PAGE` pour une
    demande de zéro ligne ou moins ; ses colonnes copiées une à une pour chaque tableau (`ColonnesDeLaClasse`)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.base_columns = ColonnesDeLaClasse(cls.base_columns)

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        if per_page is not None:
            per_page = min(int(per_page), LIGNES_PAR_PAGE_MAX) if int(per_page) > 0 else LIGNES_PAR_PAGE
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)


class ColonneDate(tables.Column):
    """Date au format jj/mm/aaaa (la date elle-même à l'export : jj/mm/aaaa en CSV, vraie date en XLSX),
    comme `DateColumn(format="d/m/Y")` mais sans gabarit :
    `DateColumn` hérite de `TemplateColumn`, qui compile son gabarit à chaque cellule (une part notable du
    rendu d'une page de liste)."""

    def render(self, value):
        # Ce qu'écrit strftime("%d/%m/%Y"), en près de trois fois moins de temps (0,8 contre 2,1 µs ; trois dates
        # par ligne de la liste des contrats, 150 par page).
        return f"{value.day:02d}/{value.month:02d}/{value.year}"

    def value(self, value):
        return value


class ColonneEuros(tables.Column):
    """Montant en euros, au format de tout le projet (« 1 234,50 € », `commun.francais.euros`) ; le nombre lui-même
    à l'export (une cellule de tableur, pas un texte mis en forme). Son rendu ne dépend que de la valeur : le corps
    rapide des tableaux l'appelle directement (`rendu_simple`)."""

    rendu_simple = True

    def render(self, value):
        return euros(value)

    def value(self, value):
        return value


def departager(*cles):
    """Décorateur de tableau : chaque tri d'une colonne finit par `cles` (la dernière : une clé unique), pour un
    ordre total. Sans départage, la base rend les ex aequo dans l'ordre qui lui plaît, différent d'une page à
    l'autre (PostgreSQL trie partiellement pour LIMIT / OFFSET) : trié par commune, une personne paraissait sur
    deux pages et une autre sur aucune. Les clés déjà dans le tri de la colonne n'y sont pas répétées ; une
    colonne triée par une méthode `order_<nom>` du tableau se départage elle-même (`table.departage`)."""

    def decorer(classe):
        classe.departage = cles
        for nom, colonne in classe.base_columns.items():
            if colonne.orderable is False or hasattr(classe, f"order_{nom}"):  # None : celui du tableau
                continue
            tri = list(colonne.order_by or (colonne.accessor or nom,))
            tri += [c for c in cles if c not in tri and f"-{c}" not in tri]
            colonne.order_by = OrderByTuple(tri)
        return classe

    return decorer


def selection_faite_une_fois(fabrique):
    """La sélection (QuerySet) de `fabrique()`, faite au premier appel puis rendue en copie à chaque appel : pour une
    liste dont les annotations à sous-requêtes (`lue_par_cle`) coûtent à résoudre (1 ms par page pour cinq). Une
    copie (`.all()`) ne partage pas le cache de résultats de la sélection faite (jamais évaluée elle-même), et ce
    qu'on lui ajoute (périmètre, filtres, tri) donne le même SQL que sur une sélection neuve. `fabrique` ne doit
    dépendre que du code : ni utilisateur, ni date, ni réglage."""
    faite = functools.cache(fabrique)
    return lambda: faite().all()


# Les sélections restreintes au périmètre de chaque utilisateur connecté (quelques centaines au plus par processus).
_perimetres = versions.GardesSousVersion(("comptes",), taille_max=2000)


def perimetre_fait_une_fois(nom, fabrique):
    """`fabrique(user)` : la sélection d'une liste restreinte au périmètre de l'utilisateur (`visibles_par`), faite
    une fois par processus, par utilisateur, par jour et par version de l'application `comptes`, puis rendue en
    copie à chaque appel (0,3 à 0,7 ms par page pour résoudre le filtre du périmètre et ses jointures). Le SQL du
    périmètre ne dépend que du compte (rôle, structure ; les bassins d'un référent et les orientations d'un
    prestataire y sont des sous-requêtes lues à chaque page) et de la date du jour (délai de grâce d'un prestataire
    après la clôture d'une orientation, écrit en date dans le SQL) : la clé porte la date et ce que le compte passé
    dit de son rôle et de sa structure, et toute écriture validée sur un compte (rôle changé, compte désactivé,
    bassins réaffectés) change la version et fait refaire la sélection, que rien ne garde pendant une transaction
    qui a écrit sur les comptes sans valider (`versions.GardesSousVersion`). Comme pour `selection_faite_une_fois`,
    la sélection gardée n'est jamais évaluée : chaque page a sa copie. `nom` désigne la liste."""

    def selection(user):
        if not user.is_authenticated:
            return fabrique(user)
        cle = (nom, user.pk, user.role, user.is_superuser, user.structure_id, timezone.localdate())
        return _perimetres.lire(cle, lambda: fabrique(user)).all()

    return selection


def oublier_les_perimetres():
    """Tests : la fin d'un test remet les versions à leurs valeurs d'avant (et SQLite redonne les mêmes clés)."""
    _perimetres.oublier()


def lue_par_cle(modele, cle, valeur):
    """La `valeur` (nom de champ, éventuellement à travers des relations, ou expression) de l'objet de `modele`
    désigné par la colonne `cle` de chaque ligne, lue par une sous-requête : pour montrer dans une liste une valeur
    d'un objet lié sans jointure. Le compte de la liste (COUNT, à chaque filtre nouveau) n'en hérite pas : il
    reste une lecture d'index, alors qu'une annotation `F("foyer__…")` y laissait la jointure (27 au lieu de 4 ms
    à l'échelle du Loiret) ; PostgreSQL ne l'évalue qu'après le tri, pour les lignes jusqu'à la fin de la page
    demandée (celles des pages précédentes comprises), pas pour toute la sélection."""
    expression = F(valeur) if isinstance(valeur, str) else valeur
    liees = modele._base_manager.filter(pk=OuterRef(cle)).order_by()
    return SousRequeteFigee(liees.annotate(valeur_liee=expression).values("valeur_liee")[:1])

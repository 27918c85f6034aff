"""Filtres communs des listes (django-filter).

`FilterSet` : celui de django-filter, dont les listes déroulantes sont écrites en une passe (`ListeRapide`)
au lieu d'un gabarit par option (le gabarit `select_option.html` de Django coûtait l'essentiel du rendu des
formulaires de filtre : 325 communes, une dizaine de listes par page).

`champ_filtre(champ)` : le HTML de `{% bootstrap_field champ %}` (django-bootstrap5) écrit directement pour les
champs d'un formulaire de filtre (liste, case à cocher, zone de saisie, sans erreur ni aide) ; le moteur de
rendu de django-bootstrap5 coûtait un quart du temps d'une page de liste (16 champs). Tout autre cas lui est
confié. Les tests comparent les deux rendus, champ par champ, sur tous les filtres du projet.

`choix_du_referentiel(nom, fabrique)` : une sélection du référentiel (les bassins d'emploi, ceux d'un référent)
dont un `ChampChoixModele` lit les choix une fois par processus et par version du référentiel, pour s'écrire et
pour valider la valeur reçue, au lieu de deux requêtes par page.

`ModelChoiceFilter` : celui de django-filter, dont la liste de choix est lue par une requête ordinaire. Django
lit les choix d'un champ de modèle par `QuerySet.iterator()`, qui ouvre sur PostgreSQL un curseur côté serveur
(DECLARE, FETCH, CLOSE : trois allers-retours) pour quelques dizaines de lignes ; sur une page de liste à trois
listes déroulantes, c'était plusieurs millisecondes par page.
"""

import copy

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.forms.widgets import Input
from django.utils.html import conditional_escape, escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django_bootstrap5.core import get_bootstrap_setting
from django_bootstrap5.forms import render_field
from django_filters.filters import QuerySetRequestMixin
from django_filters.widgets import BooleanWidget

from . import versions
from .formulaires import EntreesBorneesMixin, attributs_html, borner_champ


class ListeRapide(forms.Select):
    """Liste déroulante écrite en une passe : même HTML que `forms.Select` pour des choix à plat (sans groupes,
    qui passent par le rendu de Django)."""

    def render(self, name, value, attrs=None, renderer=None):
        brut = list(iter(self.choices))  # une lecture, sans le COUNT de len() d'un choix de modèle
        if any(isinstance(libelle, list | tuple) for _, libelle in brut):
            return super().render(name, value, attrs, renderer)
        # Comme le gabarit de Django : la valeur est toujours échappée, le libellé sauf s'il est déjà sûr.
        choix = [(escape(str(v)), conditional_escape(libelle)) for v, libelle in brut]
        attrs = {"name": name, **self.build_attrs(self.attrs, attrs)}
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        valeurs = {escape(str(v)) for v in self.format_value(value)}
        options = "".join(
            f'<option value="{v}"{" selected" if v in valeurs else ""}>{libelle}</option>' for v, libelle in choix
        )
        return mark_safe(f"<select{attributs_html(attrs)}>{options}</select>")  # noqa: S308 - valeurs échappées


class ListeMultipleRapide(ListeRapide, forms.SelectMultiple):
    allow_multiple_selected = True


# --- Choix tirés du référentiel, lus une fois par version --------------------------------------------------

# Quelques sélections (les bassins, ceux de chaque référent connecté) : au-delà, tout est oublié.
_lus_du_referentiel = versions.GardesSousVersion(versions.REFERENTIEL, taille_max=1000)


def lus_du_referentiel(nom, fabrique):
    """Les objets de `fabrique()` (une petite sélection du référentiel : bassins d'emploi, bassins d'un référent),
    lus une fois par processus et par version du référentiel (`versions.REFERENTIEL` : applications `referentiel`
    et `comptes`) : toute écriture validée dans ces applications les fait relire (`versions.GardesSousVersion`)."""
    return _lus_du_referentiel.lire(nom, lambda: list(fabrique()))


_selections_faites = {}


def oublier_les_choix_du_referentiel():
    _lus_du_referentiel.oublier()
    _selections_faites.clear()


def choix_du_referentiel(nom, fabrique):
    """La sélection `fabrique()`, marquée pour qu'un `ChampChoixModele` qui la reçoit lise ses choix (pour les
    écrire et pour valider la valeur reçue) par `lus_du_referentiel(nom, fabrique)` au lieu de deux requêtes par
    page. `nom` désigne la sélection : le même nom pour la même sélection, et un nom propre à l'utilisateur pour une
    sélection qui dépend de lui (ses bassins). La sélection elle-même est faite une fois par processus et rendue en
    copie (la construire, jointure des bassins d'un référent, coûtait 0,2 ms par page) : elle n'est jamais évaluée,
    et son SQL ne dépend que du code et de `nom` (l'utilisateur y est une sous-requête sur sa clé) ; ce qu'elle
    choisit est lu en base à chaque lecture (`lus_du_referentiel`, sous la version)."""
    faite = _selections_faites.get(nom)
    if faite is None:
        if len(_selections_faites) >= 1000:
            _selections_faites.clear()
        faite = _selections_faites[nom] = fabrique()
    selection = faite.all()
    selection.lecture_en_memoire = lambda: lus_du_referentiel(nom, fabrique)
    return selection


class IterateurChoix(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        objets = self.field.objets_en_memoire()
        for obj in objets if objets is not None else self.queryset.all():
            yield self.choice(obj)


class ChampChoixModele(forms.ModelChoiceField):
    """Choix d'un objet, écrit sans curseur côté serveur (`IterateurChoix`). Une sélection marquée par
    `choix_du_referentiel` est lue en mémoire, par version du référentiel, pour s'écrire comme pour valider ; la
    marque ne suit que la sélection qui la porte : toute autre sélection posée sur le champ (`champ.queryset = …`,
    celle d'un utilisateur) se lit en base."""

    iterator = IterateurChoix
    lecture = None
    _objets = None

    def __setattr__(self, nom, valeur):
        if nom == "queryset":  # la marque de la sélection posée, ou aucune
            object.__setattr__(self, "lecture", getattr(valeur, "lecture_en_memoire", None))
            object.__setattr__(self, "_objets", None)
        super().__setattr__(nom, valeur)

    def __deepcopy__(self, memo):
        copie = super().__deepcopy__(memo)  # pose une copie (`.all()`) de la même sélection, sans la marque
        copie.lecture = self.lecture
        return copie

    def objets_en_memoire(self):
        """Les objets de la sélection marquée, lus une fois par champ (le champ d'un formulaire : une requête) pour
        valider puis pour s'écrire ; None pour une sélection à lire en base."""
        if self.lecture is None:
            return None
        if self._objets is None:
            self._objets = self.lecture()
        return self._objets

    def to_python(self, value):
        """Comme `ModelChoiceField.to_python` (même message, même code), la valeur cherchée parmi les choix lus en
        mémoire quand la sélection est marquée."""
        if self.lecture is None or value in self.empty_values:
            return super().to_python(value)
        self.validate_no_null_characters(value)
        cle = self.to_field_name or "pk"
        modele = self.queryset.model
        try:
            if isinstance(value, modele):
                value = getattr(value, cle)
            champ = modele._meta.pk if cle == "pk" else modele._meta.get_field(cle)
            attendue = champ.to_python(value)
            for objet in self.objets_en_memoire():
                if getattr(objet, cle) == attendue:
                    return copy.copy(objet)  # à la requête : les objets gardés servent aux suivantes
        except (ValueError, TypeError, ValidationError):
            pass
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})


class EntierFilter(django_filters.NumberFilter):
    """Filtre sur un nombre entier (année, identifiant) : un entier, borné par `min_value`/`max_value` (sinon par
    les bornes par défaut du formulaire de filtre), au lieu du nombre décimal quelconque de `NumberFilter`."""

    field_class = forms.IntegerField

    def get_max_validator(self):
        # django-filter borne tout nombre à 1e50 : ce sont les bornes du champ ou celles du formulaire qui valent.
        return None


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ChampChoixModele


class OuiNon(BooleanWidget):
    """Filtre oui / non : « Tous » (pas de critère), « Oui », « Non » ; pas de choix « Inconnu »."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", "Tous"), ("true", "Oui"), ("false", "Non"))


class FiltresDeLaClasse(dict):
    """Les filtres déclarés d'une classe de filtres du projet (`base_filters`). django-filter en donne à chaque jeu
    de filtres une copie profonde (`copy.deepcopy(self.base_filters)`, django-filter 26.2), pour que ce qu'un jeu
    pose sur ses filtres (`model`, `parent`, le `queryset` de l'utilisateur) n'atteigne ni la classe ni la requête
    suivante : chaque attribut de chaque filtre, sélections et choix compris, 0,7 ms par page pour les seize filtres
    de la liste des bénéficiaires. Ici, chaque jeu reçoit une copie de chaque filtre (`copy.copy`) et de son
    dictionnaire `extra` (les arguments du champ), et un filtre à méthode (`method=`) est relié à sa copie (le
    `FilterMethod` que pose la propriété `method` de django-filter appelle la méthode du jeu de la copie, jamais
    celle d'un autre jeu). Le reste (sélections, choix, widgets) est partagé avec la classe : ni django-filter ni
    le projet ne l'écrivent en place, ils posent des valeurs neuves sur la copie ; un test le vérifie pour toutes
    les classes de filtres du projet, formulaires faits, validés et filtrés."""

    def __deepcopy__(self, memo):
        copies = {}
        for nom, filtre in self.items():
            copie = copy.copy(filtre)
            copie.extra = dict(filtre.extra)
            copie.__dict__.pop("_field", None)  # le champ d'un filtre se fait sur la copie, jamais partagé
            if filtre.method is not None:
                copie.method = filtre.method  # un FilterMethod neuf, qui lit `copie.parent`
            copies[nom] = copie
        return copies


def _listes_de_choix(champ):
    """Les listes de choix d'un champ (`choices` d'un champ de choix de Django, ou la liste qu'enveloppe l'itérateur
    de choix de django-filter) ; rien pour un choix de modèle, dont Django ne copie pas les choix."""
    choix = getattr(champ, "choices", None)
    for liste in (choix, getattr(choix, "choices", None)):
        if type(liste) is list:
            yield liste


class ChampsDeLaClasse(dict):
    """Les champs du formulaire d'une classe de filtres du projet (`base_fields`), faits une fois par classe.
    Django en donne à chaque formulaire une copie profonde (`copy.deepcopy(self.base_fields)`), champ, widget et
    listes de choix compris : chaque couple (valeur, libellé) de chaque liste, jusqu'à 0,1 ms par liste déroulante et
    la moitié de la construction du formulaire de la liste des bénéficiaires. Ici, chaque formulaire reçoit toujours
    sa copie de chaque champ et de chaque widget (celle de Django), mais les listes de choix elles-mêmes restent
    partagées avec la classe : ni Django ni django-filter ni le projet ne les changent en place, ils posent une liste
    neuve (`champ.choices = …`) ; un test vérifie, pour toutes les classes de filtres du projet, formulaires faits,
    validés et filtrés, que les choix de la classe n'ont pas changé."""

    def __deepcopy__(self, memo):
        for champ in self.values():
            for liste in _listes_de_choix(champ):
                memo[id(liste)] = liste  # « déjà copiée » : la copie profonde la reprend telle quelle
        return {nom: copy.deepcopy(champ, memo) for nom, champ in self.items()}


class FilterSet(django_filters.FilterSet):
    """FilterSet dont les listes déroulantes (choix, choix de modèle, choix multiples) sans widget déclaré
    sont des `ListeRapide`, les filtres oui / non sans « Inconnu », les libellés commencent par une majuscule,
    et dont le formulaire borne toutes les valeurs lues de l'URL (`EntreesBorneesMixin` : dates de 1900 à 2100,
    nombres tenables par la base, caractères nuls refusés).

    La classe du formulaire est faite une fois par classe de filtres et par processus, au premier formulaire
    demandé (django-filter la refait à chaque page : une classe, un champ par filtre, 1,5 ms pour la liste des
    bénéficiaires), puis chaque formulaire reçoit, sur ses propres copies des champs, les listes de choix de SA
    requête (`queryset` des filtres de modèle : appelable qui lit l'utilisateur, ou posé par le `__init__` d'une
    classe de filtres selon l'utilisateur) ; une autocomplétion sans valeur reçue, qui ne lit pas ses choix, garde
    la liste vide de la classe (`choix_lus_pour_une_valeur`). Tout le reste d'un champ ne dépend que de la classe de
    filtres : un `__init__` ne change d'un filtre que son `queryset` (un test le vérifie pour toutes les classes du
    projet)."""

    def get_form_class(self):
        classe = type(self).__dict__.get("_classe_formulaire")
        if classe is None:
            base = super().get_form_class()
            classe = type(base.__name__, (EntreesBorneesMixin, base), {})
            for nom, champ in classe.base_fields.items():
                if champ.label:
                    champ.label = capfirst(champ.label)
                borner_champ(champ)  # une fois : les copies de chaque formulaire le restent
                if isinstance(self.filters[nom], QuerySetRequestMixin) and champ.queryset is not None:
                    # Jamais les choix de la première requête (son utilisateur) : chaque formulaire reçoit ceux de
                    # la sienne ; sans eux, une liste vide.
                    champ.queryset = champ.queryset.none()
            classe.base_fields = ChampsDeLaClasse(classe.base_fields)
            type(self)._classe_formulaire = classe
        return classe

    @classmethod
    def get_filters(cls):
        """Les filtres de la classe (`base_filters`), une fois par classe : leurs widgets posés ici, copiés un à un
        pour chaque jeu de filtres (`FiltresDeLaClasse`)."""
        filtres = FiltresDeLaClasse(super().get_filters())
        for filtre in filtres.values():
            if isinstance(filtre, django_filters.BooleanFilter) and filtre.extra.get("widget") is None:
                filtre.extra["widget"] = OuiNon
                continue
            if filtre.extra.get("widget") is not None:
                continue
            if isinstance(filtre, django_filters.MultipleChoiceFilter | django_filters.ModelMultipleChoiceFilter):
                filtre.extra["widget"] = ListeMultipleRapide
            elif isinstance(filtre, django_filters.ChoiceFilter | django_filters.ModelChoiceFilter):
                filtre.extra["widget"] = ListeRapide
        return filtres

    @property
    def form(self):
        form = super().form  # fait une fois par django-filter, puis rendu tel quel
        if not getattr(form, "_choix_de_la_requete", False):
            for nom, filtre in self.filters.items():
                if isinstance(filtre, QuerySetRequestMixin):
                    champ = form.fields[nom]
                    if getattr(champ, "choix_lus_pour_une_valeur", False) and champ.widget.value_omitted_from_data(
                        form.data, form.files, form.add_prefix(nom)
                    ):
                        # Sans valeur reçue, ce champ ne lit pas ses choix (ni pour valider, ni pour s'écrire) : il
                        # garde la liste vide de la classe (0,3 à 0,7 ms de construction par champ et par page).
                        continue
                    queryset = filtre.get_queryset(filtre.get_request())
                    if queryset is not None:
                        champ.queryset = queryset
            form._choix_de_la_requete = True
        return form


# Zones de saisie que django-bootstrap5 habille en `form-control` (sans « color » ni « range », à part).
TYPES_SAISIE = frozenset(
    ("text", "number", "email", "url", "tel", "date", "time", "password", "month", "datetime-local", "week", "search")
)
# Celles qui reçoivent le libellé comme texte indicatif (placeholder), comme is_widget_with_placeholder.
AVEC_INDICATION = (forms.TextInput, forms.NumberInput, forms.EmailInput, forms.URLInput, forms.PasswordInput)


def _classes(*groupes):
    vues, classes = set(), []
    for groupe in groupes:
        for c in groupe.split():
            if c not in vues:
                vues.add(c)
                classes.append(c)
    return " ".join(classes)


def _nature(widget):
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return None
    if isinstance(widget, forms.Select):
        return "form-select"
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, Input) and widget.input_type in TYPES_SAISIE:
        return "form-control"
    return None


def rendu_bootstrap(champ):
    """`{% bootstrap_field %}` pour un champ de filtre : une erreur se signale (rouge), mais un critère accepté
    n'est pas peint en vert « valide » (un filtre n'est pas une saisie à valider)."""
    return render_field(
        champ,
        server_side_validation=bool(champ.errors) and get_bootstrap_setting("server_side_validation"),
        success_css_class="",
    )


def champ_filtre(champ):
    widget = champ.field.widget
    nature = _nature(widget)
    if (
        nature is None
        or champ.errors
        or champ.help_text
        or champ.is_hidden
        or champ.form.empty_permitted
        or not get_bootstrap_setting("server_side_validation")
    ):
        return rendu_bootstrap(champ)
    attrs = dict(widget.attrs)
    attrs["class"] = _classes(nature, attrs.get("class", ""))
    indication = attrs.get("placeholder", champ.label)
    if indication and get_bootstrap_setting("set_placeholder") and isinstance(widget, AVEC_INDICATION):
        if widget.input_type not in ("color", "range"):
            attrs["placeholder"] = conditional_escape(strip_tags(indication))
    html_widget = champ.as_widget(attrs=attrs)
    cible = champ.id_for_label
    pour = f' for="{escape(cible)}"' if cible else ""
    requis = ""
    if champ.field.required:  # la classe des champs obligatoires, comme django-bootstrap5 (aucune par défaut)
        requis = getattr(champ.form, "required_css_class", get_bootstrap_setting("required_css_class")) or ""
    enveloppe = _classes(get_bootstrap_setting("wrapper_class"), requis)
    libelle = conditional_escape(champ.label)
    if nature == "form-check-input":
        interieur = (
            f'<div class="form-check">{html_widget}<label class="form-check-label"{pour}>{libelle}</label></div>'
        )
    else:
        interieur = f'<label class="form-label"{pour}>{libelle}</label>{html_widget}'
    return mark_safe(f'<div class="{escape(enveloppe)}">{interieur}</div>')  # noqa: S308 - parties échappées

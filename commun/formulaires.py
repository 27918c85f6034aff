"""Outils de formulaires communs aux applications."""

import datetime
import functools

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.shortcuts import redirect
from django.utils.html import escape
from django.utils.safestring import SafeData, mark_safe
from django.views.generic import FormView


class SaisieRapideMixin:
    """Pour un widget `<input>` de Django (gabarit `input.html`) : le même HTML écrit en une passe, sans le moteur de
    gabarits (0,1 à 0,3 ms par champ). Le contexte est celui du widget (`get_context` : valeur formatée, attributs),
    écrit comme le font `input.html` et `attrs.html` : valeur et attributs échappés sauf s'ils sont déjà sûrs, un
    attribut vrai écrit seul, un attribut faux omis. Les tests comparent les deux rendus."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        valeur = "" if widget["value"] is None else f' value="{_texte(widget["value"])}"'
        html = f'<input type="{_texte(widget["type"])}" name="{_texte(widget["name"])}"'
        return mark_safe(f"{html}{valeur}{attributs_html(widget['attrs'])}>")  # noqa: S308 - parties échappées


def _texte(valeur):
    """`{{ valeur|stringformat:'s' }}` dans un gabarit : le texte de la valeur, échappé sauf s'il est déjà sûr."""
    return valeur if isinstance(valeur, SafeData) else escape(str(valeur))


def attributs_html(attrs):
    """Les attributs d'un widget comme les écrit le gabarit `attrs.html` de Django (dans l'ordre, chacun précédé
    d'une espace) : un attribut vrai écrit seul, un attribut faux omis, une valeur échappée sauf si elle est sûre."""
    return "".join(
        f" {_texte(cle)}" if v is True else f' {_texte(cle)}="{_texte(v)}"'
        for cle, v in attrs.items()
        if v is not False
    )


class DateInput(SaisieRapideMixin, forms.DateInput):
    """La saisie d'une date de tous les formulaires et filtres du projet : le calendrier du navigateur
    (`type="date"`), qui n'accepte et n'envoie que le format ISO (AAAA-MM-JJ) quelle que soit la langue : une date
    connue (valeur initiale, formulaire à corriger) y est écrite ainsi, jamais en jj/mm/aaaa (le format français
    de Django, que le navigateur ignorerait)."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=format or "%Y-%m-%d")


def rattacher_erreurs(form, erreur):
    """Rattache une ValidationError levée par un service aux champs du formulaire qu'elle nomme,
    sinon au formulaire entier : l'erreur s'affiche à côté du champ concerné."""
    if hasattr(erreur, "error_dict"):
        for champ, liste in erreur.error_dict.items():
            form.add_error(champ if champ in form.fields else None, liste)
    else:
        form.add_error(None, erreur)


class VueService(FormView):
    """Page à formulaire qui appelle un service : `executer(form)` rend l'objet écrit. Une ValidationError du
    service s'affiche sur les champs qu'elle nomme (rien n'est écrit : le service est atomique) ; sinon
    `message_succes` et redirection vers l'objet (`get_success_url`)."""

    message_succes = ""

    def executer(self, form):  # pragma: no cover - chaque page le définit
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.objet = self.executer(form)
        except ValidationError as erreur:
            rattacher_erreurs(form, erreur)
            return self.form_invalid(form)
        message = self.get_message_succes()
        if message:
            messages.success(self.request, message)
        return redirect(self.get_success_url())

    def get_message_succes(self):
        return self.message_succes

    def get_success_url(self):
        return self.objet.get_absolute_url()


# --- Valeurs lues de l'URL (et des formulaires) : bornées, sans caractère nul ------------------------------

DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)
# Un entier sans bornes déclarées reste dans ce qu'une colonne entière de la base peut tenir (64 bits signés) :
# au-delà, SQLite comme PostgreSQL lèvent une erreur au lieu de ne rien trouver.
ENTIER_MAX = 2**63 - 1
MESSAGE_NUL = "Les caractères nuls ne sont pas autorisés."
MESSAGE_DATE = f"Saisissez une date entre le {DATE_MIN:%d/%m/%Y} et le {DATE_MAX:%d/%m/%Y}."


def contient_nul(valeur):
    if isinstance(valeur, str):
        return "\x00" in valeur
    if isinstance(valeur, list | tuple):
        return any(contient_nul(v) for v in valeur)
    return False


def _a_borne(champ, classe, limite=None):
    """Le champ a déjà une borne de cette sorte (plus serrée que `limite`, pour un nombre)."""
    for v in champ.validators:
        if not isinstance(v, classe):
            continue
        valeur = v.limit_value() if callable(v.limit_value) else v.limit_value
        if limite is None or abs(valeur) <= limite:
            return True
    return False


@functools.cache
def _sans_nul(classe):
    """La sous-classe de `classe` dont `clean` refuse un caractère nul avant toute conversion ou requête (une
    clé texte contenant NUL fait échouer PostgreSQL au lieu de ne rien trouver)."""

    def clean(self, valeur, *args, **kwargs):
        if contient_nul(valeur):
            raise ValidationError(MESSAGE_NUL, code="null_characters_not_allowed")
        return super(sous_classe, self).clean(valeur, *args, **kwargs)

    sous_classe = type(classe.__name__, (classe,), {"clean": clean, "_borne": True, "__module__": classe.__module__})
    return sous_classe


def borner_champ(champ, date_min=DATE_MIN, date_max=DATE_MAX):
    """Borne un champ de formulaire en place : une date entre `date_min` et `date_max` (1900-2100 par défaut),
    un nombre dans ce que la base peut tenir s'il n'a pas ses propres bornes, et aucune valeur contenant un
    caractère nul (refusée avant toute conversion ou requête). Idempotent."""
    if getattr(champ, "_borne", False):
        return champ
    # Une sous-classe plutôt qu'une méthode posée sur l'instance : une copie du champ (Django copie les champs
    # de la classe pour chaque formulaire) garde le refus et le rattache à elle-même.
    champ.__class__ = _sans_nul(type(champ))
    if isinstance(champ, forms.DateField | forms.DateTimeField):
        if not _a_borne(champ, MinValueValidator):
            champ.validators.append(_BorneDate(date_min, minimum=True))
        if not _a_borne(champ, MaxValueValidator):
            champ.validators.append(_BorneDate(date_max, minimum=False))
    elif isinstance(champ, forms.IntegerField | forms.DecimalField | forms.FloatField):
        if not _a_borne(champ, MinValueValidator, ENTIER_MAX):
            champ.validators.append(MinValueValidator(-ENTIER_MAX))
        if not _a_borne(champ, MaxValueValidator, ENTIER_MAX):
            champ.validators.append(MaxValueValidator(ENTIER_MAX))
    return champ


class _BorneDate(MinValueValidator):
    """Borne d'une date (ou d'un instant, comparé par sa date) avec le message en français du projet."""

    def __init__(self, limite, *, minimum):
        self.minimum = minimum
        message = MESSAGE_DATE
        if limite not in (DATE_MIN, DATE_MAX):
            message = (
                f"Saisissez une date à partir du {limite:%d/%m/%Y}."
                if minimum
                else f"Saisissez une date jusqu'au {limite:%d/%m/%Y}."
            )
        super().__init__(limite, message=message)
        self.code = "date_hors_bornes"

    def compare(self, a, b):
        a = a.date() if isinstance(a, datetime.datetime) else a
        return a < b if self.minimum else a > b

    def __eq__(self, autre):
        return isinstance(autre, _BorneDate) and (self.limit_value, self.minimum) == (autre.limit_value, autre.minimum)


class EntreesBorneesMixin:
    """À placer avant `forms.Form` (ou `ModelForm`) : chaque champ est borné par `borner_champ` (dates de 1900
    à 2100, nombres tenables par la base, caractères nuls refusés). Le `FilterSet` commun l'applique à tous les
    formulaires de filtre ; les formulaires lus depuis l'URL (recherche, période) en héritent. Un champ qui
    veut d'autres bornes les déclare (validateurs `MinValueValidator`/`MaxValueValidator`, `min_value`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for champ in self.fields.values():
            borner_champ(champ)


class FormulaireURL(EntreesBorneesMixin, forms.Form):
    """Formulaire des paramètres d'une page lus dans l'URL (GET) : bornés ; `valeurs()` rend les données
    nettoyées d'un formulaire valide, les valeurs initiales des champs sinon (une valeur refusée est signalée
    par le formulaire affiché, la page garde ses valeurs par défaut)."""

    def valeurs(self):
        if self.is_bound and self.is_valid():
            return self.cleaned_data
        defauts = {}
        for nom, champ in self.fields.items():
            initial = self.initial.get(nom, champ.initial)
            defauts[nom] = initial() if callable(initial) else initial
        if self.is_bound:
            defauts |= {n: v for n, v in self.cleaned_data.items() if n not in self.errors}
        return defauts

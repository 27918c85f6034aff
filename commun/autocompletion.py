"""Autocomplétion : une zone de saisie à la place d'une liste déroulante de centaines d'options (325 communes,
tous les référents), rendue avec la seule option choisie.

- `Source` : ce qu'on peut choisir (un QuerySet **dans la portée de l'utilisateur**), comment y chercher un texte
  et le libellé d'un choix. Chaque application enregistre les siennes (`enregistrer`) ; le point d'accès
  `commun:autocompletion` (connexion requise) rend en JSON au plus `LIMITE` choix de la source pour un texte.
- `ChampAutocompletion` (champ de formulaire) et `SaisieAutocompletion` (son widget) : le widget est une zone de
  texte qui porte le libellé du choix (une requête pour la seule valeur choisie, jamais la liste entière) ;
  `static/commun/autocompletion.js` en fait une combobox ARIA (liste de propositions, clavier, annonces) et envoie
  l'identifiant du choix dans un champ caché à part (`<nom>_choix`, vidé dès que le texte change). La zone, elle,
  envoie toujours le texte saisi, cherché comme texte (libellé exact, nom, code INSEE…) : un nombre saisi (« 45234 »)
  n'est jamais pris pour un identifiant. Le champ reconnaît le texte (libellé exact, ou un seul résultat de la
  recherche), sinon il dit pourquoi (aucun ou plusieurs résultats).
- `AutocompletionFilter` : le même champ dans un formulaire de filtre (django-filter), sa portée tirée de la
  requête.
"""

import re
from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .formulaires import ENTIER_MAX, MESSAGE_NUL

LIMITE = 20  # choix rendus au plus par le point d'accès
LONGUEUR_MAX = 100  # caractères du texte cherché ; au-delà, la recherche est refusée


@dataclass(frozen=True)
class Source:
    nom: str
    # (user) -> QuerySet : ce que cet utilisateur peut choisir (sa portée), déjà trié.
    portee: Any
    # (QuerySet, texte) -> QuerySet : les choix qui correspondent au texte (texte non vide, borné, nettoyé).
    chercher: Any
    libelle: Any = str

    def resultats(self, user, texte, limite=LIMITE):
        qs = self.portee(user)
        if texte:
            qs = self.chercher(qs, texte)
        objets = list(qs[: limite + 1])
        return [{"valeur": o.pk, "libelle": self.libelle(o)} for o in objets[:limite]], len(objets) > limite


_sources = {}


def enregistrer(source):
    _sources[source.nom] = source
    return source


def source(nom):
    return _sources.get(nom)


def nettoyer(texte):
    """Le texte cherché : sans espaces superflus ; None s'il est trop long ou porte un caractère nul ou de
    contrôle (refusé)."""
    texte = " ".join(str(texte or "").split())
    if len(texte) > LONGUEUR_MAX or any(ord(c) < 32 or c == "\x7f" for c in texte):
        return None
    return texte


SUFFIXE_CHOIX = "_choix"  # nom du champ caché (posé par le script) qui porte l'identifiant du choix


def est_identifiant(valeur):
    texte = str(valeur).strip()
    return texte.isdigit() and len(texte) <= 19 and 0 < int(texte) <= ENTIER_MAX


class Identifiant(str):
    """L'identifiant d'un choix, lu dans le champ caché `<nom>_choix` (jamais dans le texte saisi)."""


class SaisieAutocompletion(forms.TextInput):
    """Zone de saisie : porte le libellé du choix (lu par une requête sur la seule valeur choisie) et, pour le
    script, l'adresse de la source et l'identifiant choisi. `choices` est posé par le champ (ModelChoiceField)."""

    def __init__(self, source, attrs=None):
        self.source = source
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def noms(self, name):
        """Les noms envoyés par la zone : le texte saisi et l'identifiant choisi."""
        return [name, name + SUFFIXE_CHOIX]

    def value_from_datadict(self, data, files, name):
        """L'identifiant (`Identifiant`) s'il a été choisi dans la liste, sinon le texte saisi (une chaîne)."""
        choix = data.get(name + SUFFIXE_CHOIX)
        if choix not in (None, "") and str(choix).strip():
            return Identifiant(str(choix).strip())
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return all(n not in data for n in self.noms(name))

    def _choisi(self, value):
        """(identifiant, libellé) de la valeur : un identifiant (valeur initiale, ou choix du champ caché) est lu
        dans le QuerySet du champ (un seul objet) ; un texte saisi est rendu tel quel, même fait de chiffres."""
        if value in (None, ""):
            return "", ""
        if hasattr(value, "pk"):
            return str(value.pk), _source(self.source).libelle(value)
        if isinstance(value, (Identifiant, int)) and est_identifiant(value):
            queryset = getattr(getattr(self, "choices", None), "queryset", None)
            objet = queryset.filter(pk=value).first() if queryset is not None else None
            if objet is not None:
                return str(objet.pk), _source(self.source).libelle(objet)
        return "", str(value)

    def render(self, name, value, attrs=None, renderer=None):
        identifiant, libelle = self._choisi(value)
        attrs = self.build_attrs(self.attrs, attrs)
        attrs.update(
            {
                "type": "text",
                "name": name,
                "value": libelle,
                "data-autocompletion": reverse("commun:autocompletion", args=[self.source]),
                "data-valeur": identifiant,
                "data-choix": name + SUFFIXE_CHOIX,
            }
        )
        attributs = "".join(
            f" {cle}" if v is True else f' {cle}="{escape(v)}"' for cle, v in attrs.items() if v not in (False, None)
        )
        return mark_safe(f"<input{attributs}>")  # noqa: S308 - valeurs échappées


def _source(nom):
    trouvee = source(nom)
    if trouvee is None:
        raise LookupError(f"Source d'autocomplétion inconnue : {nom}")
    return trouvee


class ChampAutocompletion(forms.ModelChoiceField):
    """Choix d'un objet d'une source par autocomplétion. Accepte l'identifiant choisi dans la liste (champ caché
    posé par le script) ou le texte saisi : libellé exact, ou texte qui ne désigne qu'un seul choix. Le texte est
    toujours cherché comme texte : un code INSEE saisi désigne sa commune, jamais la clé d'une autre."""

    default_error_messages = {
        "aucun": "Aucun choix ne correspond à « %(texte)s ».",
        "plusieurs": "Plusieurs choix correspondent à « %(texte)s » : précisez, par exemple « %(exemple)s ».",
        "trop_long": f"Saisissez au plus {LONGUEUR_MAX} caractères, sans caractère de contrôle.",
    }

    # Ses choix ne servent qu'à reconnaître une valeur reçue et à écrire son libellé : sans valeur, un formulaire de
    # filtre ne les lui donne pas (commun.filtres.FilterSet.form).
    choix_lus_pour_une_valeur = True

    def __init__(self, *args, source, **kwargs):
        self.source = source
        kwargs.setdefault("widget", SaisieAutocompletion(source))
        kwargs.setdefault("empty_label", None)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if hasattr(value, "pk"):
            return super().to_python(value)
        if "\x00" in str(value):
            raise ValidationError(MESSAGE_NUL, code="null_characters_not_allowed")
        if isinstance(value, Identifiant):
            if not est_identifiant(value):
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            return super().to_python(str(value))
        texte = nettoyer(value)
        if texte is None:
            raise ValidationError(self.error_messages["trop_long"], code="trop_long")
        if not texte:
            return None
        src = _source(self.source)
        trouves = list(src.chercher(self.queryset, texte)[: LIMITE + 1])
        exacts = [o for o in trouves if src.libelle(o).casefold() == texte.casefold()]
        if len(exacts) == 1:
            return exacts[0]
        if len(trouves) == 1:
            return trouves[0]
        if not trouves:
            raise ValidationError(self.error_messages["aucun"], code="aucun", params={"texte": texte})
        raise ValidationError(
            self.error_messages["plusieurs"],
            code="plusieurs",
            params={"texte": texte, "exemple": src.libelle(trouves[0])},
        )


class AutocompletionFilter(django_filters.ModelChoiceFilter):
    """Filtre par autocomplétion : `source` nomme la source ; le QuerySet du champ est la portée de l'utilisateur
    de la requête (une valeur hors portée est refusée comme un choix inconnu)."""

    field_class = ChampAutocompletion

    def __init__(self, *args, source, **kwargs):
        kwargs.setdefault("queryset", lambda request: _source(source).portee(getattr(request, "user", None)))
        kwargs["source"] = source
        kwargs.setdefault("widget", SaisieAutocompletion(source))
        super().__init__(*args, **kwargs)


# --- Recherches communes ------------------------------------------------------------------------------------

RE_LIBELLE_COMMUNE = re.compile(r"^(?P<nom>.*?)\s*\((?P<code>[0-9][0-9AB][0-9]{3})\)$")


def chercher_commune(qs, texte):
    """Nom (début ou partie), code INSEE, ou libellé « Nom (code INSEE) »."""
    libelle = RE_LIBELLE_COMMUNE.match(texte)
    if libelle:
        return qs.filter(code_insee=libelle["code"])
    if re.fullmatch(r"[0-9][0-9AB][0-9]{0,3}", texte):
        return qs.filter(code_insee__startswith=texte)
    return qs.filter(nom__icontains=texte)


def chercher_personne(qs, texte):
    """Chaque mot du texte dans le nom, le prénom ou l'identifiant de connexion."""
    from django.db.models import Q

    for mot in texte.split():
        qs = qs.filter(Q(last_name__icontains=mot) | Q(first_name__icontains=mot) | Q(username__icontains=mot))
    return qs

"""La saisie d'une date commune à tous les formulaires et filtres (commun.formulaires.DateInput) : le même HTML que
le widget de Django (gabarit `input.html`), écrit en une passe, et toujours une date ISO pour le calendrier du
navigateur."""

import datetime
import importlib

import pytest
from django import forms
from django.apps import apps
from django.utils.safestring import mark_safe

from commun import versions
from commun.formulaires import DateInput


class _AvecHtml:
    """Un objet qui sait s'écrire en HTML sans être un texte sûr : le gabarit de Django échappe son texte."""

    def __html__(self):
        return "<b>gras</b>"

    def __str__(self):
        return "<b>gras</b>"


ATTRIBUTS = [
    None,
    {"class": "form-control", "id": "id_debut"},
    {"required": True, "disabled": False, "aria-describedby": "aide_debut", "placeholder": 'Le "début" <b>&'},
    {"data-sur": mark_safe("<déjà sûr>"), "min": datetime.date(1900, 1, 1), "max": 2100, "title": _AvecHtml()},
]

VALEURS = [
    None,
    "",
    "2026-12-07",
    datetime.date(2026, 12, 7),
    datetime.datetime(2026, 12, 7, 8, 30),
    '"><script>',
    31,
    _AvecHtml(),
]


class _DeDjango(forms.DateInput):
    input_type = "date"


@pytest.mark.parametrize("attrs", ATTRIBUTS)
@pytest.mark.parametrize("valeur", VALEURS)
def test_meme_html_que_le_widget_de_django(attrs, valeur):
    rapide = DateInput(attrs={"class": "base"})
    django = _DeDjango(attrs={"class": "base"}, format="%Y-%m-%d")
    assert rapide.render("debut", valeur, attrs) == django.render("debut", valeur, attrs)


def test_une_date_connue_ecrite_au_format_iso():
    html = DateInput().render("fin", datetime.date(2026, 3, 1))
    assert html == '<input type="date" name="fin" value="2026-03-01">'


def test_champ_lie_rendu_comme_django():
    class Formulaire(forms.Form):
        debut = forms.DateField(label="Du", widget=DateInput(), help_text="Premier jour")
        fin = forms.DateField(label="Au", widget=DateInput(), required=False, disabled=True)

    class Temoin(forms.Form):
        debut = forms.DateField(label="Du", widget=_DeDjango(format="%Y-%m-%d"), help_text="Premier jour")
        fin = forms.DateField(label="Au", widget=_DeDjango(format="%Y-%m-%d"), required=False, disabled=True)

    for donnees in (None, {"debut": "2026-13-45"}, {"debut": "2026-12-07", "fin": "2026-12-08"}):
        for nom in ("debut", "fin"):
            initial = {"debut": datetime.date(2026, 1, 2)}
            attendu = str(Temoin(donnees, initial=initial)[nom])
            assert str(Formulaire(donnees, initial=initial)[nom]) == attendu


def test_toutes_les_saisies_de_date_du_projet_sont_la_saisie_commune():
    """Aucun formulaire ni filtre du projet n'écrit plus une date en jj/mm/aaaa dans un calendrier du navigateur."""
    vus = set()
    for label in sorted(versions.applications_du_projet()):
        config = apps.get_app_config(label)
        for nom in ("forms", "filters"):
            try:
                module = importlib.import_module(f"{config.name}.{nom}")
            except ModuleNotFoundError:
                continue
            for objet in vars(module).values():
                champs = {}
                if isinstance(objet, type) and issubclass(objet, forms.BaseForm):
                    champs = objet.base_fields
                elif isinstance(objet, type) and hasattr(objet, "base_filters"):
                    # Le widget déclaré du filtre (sans faire son champ, que la classe garderait).
                    champs = {n: f.extra.get("widget") for n, f in objet.base_filters.items()}
                for nom_champ, champ in champs.items():
                    widget = getattr(champ, "widget", champ)
                    if isinstance(widget, type):
                        widget = widget()
                    if isinstance(widget, forms.DateInput) and widget.input_type == "date":
                        assert isinstance(widget, DateInput), (objet, nom_champ, type(widget))
                        vus.add((objet, nom_champ))
    assert len(vus) >= 20, vus

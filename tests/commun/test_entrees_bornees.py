"""Les valeurs lues de l'URL sont bornées par le mécanisme commun (`commun.formulaires.borner_champ`)."""

import datetime

import django_filters
import pytest
from django import forms

from commun.filtres import EntierFilter, FilterSet
from commun.formulaires import MESSAGE_DATE, MESSAGE_NUL, EntreesBorneesMixin, FormulaireURL
from referentiel.models import BassinEmploi


class Formulaire(EntreesBorneesMixin, forms.Form):
    jour = forms.DateField(required=False)
    nombre = forms.IntegerField(required=False)
    semaines = forms.IntegerField(required=False, min_value=1, max_value=8)
    texte = forms.CharField(required=False)
    bassin = forms.ModelChoiceField(queryset=BassinEmploi.objects.all(), required=False, to_field_name="nom")


@pytest.mark.parametrize("jour", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_une_date_hors_de_1900_2100_est_refusee_en_francais(jour):
    form = Formulaire({"jour": jour})
    assert form.errors == {"jour": [MESSAGE_DATE]}


def test_les_dates_limites_passent():
    for jour in ("1900-01-01", "2100-12-31"):
        assert Formulaire({"jour": jour}).is_valid()


def test_un_entier_sans_bornes_reste_dans_ce_que_la_base_tient():
    assert not Formulaire({"nombre": "9" * 20}).is_valid()
    assert not Formulaire({"nombre": "-" + "9" * 20}).is_valid()
    assert Formulaire({"nombre": "123"}).is_valid()


def test_un_entier_borne_garde_ses_bornes_et_un_seul_message():
    form = Formulaire({"semaines": "9" * 20})
    assert form.errors == {"semaines": ["Assurez-vous que cette valeur est inférieure ou égale à 8."]}


@pytest.mark.django_db
@pytest.mark.parametrize("champ", ["jour", "nombre", "texte", "bassin"])
def test_le_caractere_nul_est_refuse_avant_toute_conversion(champ):
    form = Formulaire({champ: "ab\x00c"})
    assert form.errors == {champ: [MESSAGE_NUL]}


class Filtre(FilterSet):
    annee = EntierFilter(field_name="date_creation__year", min_value=1900, max_value=2100)
    apres = django_filters.DateFilter(field_name="date_creation", lookup_expr="gte")
    q = django_filters.CharFilter(field_name="nom")

    class Meta:
        model = BassinEmploi
        fields = []


@pytest.mark.django_db
def test_le_filterset_commun_borne_chaque_filtre():
    f = Filtre({"annee": "-5", "apres": "9999-12-31", "q": "\x00"}, queryset=BassinEmploi.objects.all())
    assert not f.is_valid()
    assert set(f.form.errors) == {"annee", "apres", "q"}
    assert f.form.errors["apres"] == [MESSAGE_DATE]
    assert Filtre({"annee": "2026"}, queryset=BassinEmploi.objects.all()).is_valid()


def test_formulaire_url_garde_les_valeurs_par_defaut_d_une_valeur_refusee():
    class F(FormulaireURL):
        jour = forms.DateField(required=False, initial=datetime.date(2026, 12, 6))
        nombre = forms.IntegerField(required=False, initial=4)

    valeurs = F({"jour": "9999-12-31", "nombre": "3"}).valeurs()
    assert valeurs == {"jour": datetime.date(2026, 12, 6), "nombre": 3}
    assert F().valeurs() == {"jour": datetime.date(2026, 12, 6), "nombre": 4}


@pytest.mark.django_db
def test_une_copie_du_champ_garde_le_refus_et_ses_propres_choix():
    import copy

    form = Formulaire({"bassin": "x\x00"})
    copie = copy.deepcopy(form.fields["bassin"])
    copie.queryset = BassinEmploi.objects.none()
    with pytest.raises(forms.ValidationError, match="nuls"):
        copie.clean("x\x00")
    with pytest.raises(forms.ValidationError):
        copie.clean("Orléans")  # la copie interroge sa propre liste (vide), pas celle de l'original
    assert isinstance(copie, forms.ModelChoiceField) and type(copie).__name__ == "ModelChoiceField"

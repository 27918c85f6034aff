"""`champ_filtre` écrit le même HTML que `{% bootstrap_field %}` de django-bootstrap5, pour chaque champ de chaque
filtre du projet : non lié, lié vide, lié avec des valeurs, lié avec des valeurs refusées (erreurs)."""

import inspect

import pytest
from django import forms

from beneficiaires.filters import BeneficiaireFilter
from commun.filtres import champ_filtre, rendu_bootstrap
from contrats.filters import ContratFilter
from forums import filters as filtres_forums
from mobilite import filters as filtres_mobilite
from placement import filters as filtres_placement
from tests.beneficiaires.factories import BeneficiaireFactory

pytestmark = pytest.mark.django_db

FILTRES = [
    BeneficiaireFilter,
    ContratFilter,
    filtres_forums.ForumFilter,
    filtres_forums.ParticipationFilter,
    filtres_forums.OffreFilter,
    filtres_forums.EntretienFilter,
    filtres_forums.InvitationFilter,
    filtres_placement.OrientationFilter,
    filtres_placement.ResultatFilter,
    filtres_placement.LotFilter,
    filtres_mobilite.LocationFilter,
    filtres_mobilite.VehiculeFilter,
    filtres_mobilite.ConventionFilter,
]


def _valeur(champ, refusee=False):
    widget = champ.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "on"
    if isinstance(widget, forms.Select):
        if refusee:
            return "valeur-inconnue"
        valeurs = [str(v) for v, _ in widget.choices if str(v) != ""]
        if not valeurs:
            return ""
        return valeurs[:2] if isinstance(widget, forms.SelectMultiple) else valeurs[-1]
    if getattr(widget, "input_type", "") == "date":
        return "pas-une-date" if refusee else "2024-01-02"
    if getattr(widget, "input_type", "") == "number":
        return "douze" if refusee else "2024"
    return "Dupont <b>&</b> fils"


def _filtre(classe, donnees, user):
    parametres = inspect.signature(classe.__init__).parameters
    extra = {"user": user} if "user" in parametres else {}
    return classe(donnees, queryset=classe._meta.model.objects.none(), **extra)


def _etats(classe, user):
    vide = _filtre(classe, None, user)
    yield "non lié", vide
    yield "lié vide", _filtre(classe, {}, user)
    for refusee in (False, True):
        donnees = {}
        for champ in vide.form:
            valeur = _valeur(champ, refusee=refusee)
            if isinstance(valeur, list):
                donnees[champ.html_name] = valeur
            elif valeur != "":
                donnees[champ.html_name] = valeur
        yield ("valeurs refusées" if refusee else "valeurs"), _filtre(classe, _MultiDict(donnees), user)


class _MultiDict(dict):
    """Comme request.GET : getlist pour les listes à choix multiples."""

    def getlist(self, cle, defaut=None):
        v = self.get(cle, defaut if defaut is not None else [])
        return v if isinstance(v, list) else [v]

    def get(self, cle, defaut=None):
        v = super().get(cle, defaut)
        return v[-1] if isinstance(v, list) and v else v


@pytest.mark.parametrize("classe", FILTRES, ids=lambda c: c.__name__)
def test_meme_html_que_django_bootstrap5(classe, admin_user, bassins):
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    rapides = 0
    for etat, filtre in _etats(classe, admin_user):
        filtre.form.is_valid()
        for champ in filtre.form:
            attendu = str(rendu_bootstrap(champ))
            assert "is-valid" not in attendu, "un critère accepté n'est pas peint en vert"
            assert str(champ_filtre(champ)) == attendu, f"{classe.__name__}, {etat}, champ {champ.name}"
            rapides += not champ.errors
    assert rapides  # au moins des champs sans erreur : la voie rapide a bien été comparée


def test_la_voie_rapide_sert_les_champs_simples(monkeypatch, admin_user):
    """Sans erreur, les champs de la liste des bénéficiaires ne passent pas par django-bootstrap5."""
    import commun.filtres as module

    appels = []
    monkeypatch.setattr(module, "render_field", lambda champ, **options: appels.append(champ.name) or "")
    filtre = _filtre(BeneficiaireFilter, {"q": "dupont"}, admin_user)
    for champ in filtre.form:
        champ_filtre(champ)
    assert appels == []


@pytest.mark.parametrize("classe", FILTRES, ids=lambda c: c.__name__)
def test_libelles_en_majuscule_oui_non_sans_inconnu_et_pas_de_vert(classe, admin_user, bassins):
    filtre = _filtre(classe, {}, admin_user)
    filtre.form.is_valid()
    for champ in filtre.form:
        assert not champ.label or champ.label[0] == champ.label[0].upper(), f"{classe.__name__}.{champ.name}"
        html = str(champ_filtre(champ))
        assert "Inconnu" not in html and "is-valid" not in html, f"{classe.__name__}.{champ.name}"


def test_recherche_de_vehicules_meme_html_que_django_bootstrap5(bassins, monkeypatch):
    """Le formulaire « Trouver un véhicule » (dates obligatoires) : même HTML que django-bootstrap5 pour un critère de
    filtre, non lié, valide, refusé ; les champs obligatoires sans erreur passent par la voie rapide."""
    from mobilite.forms import RechercheForm

    etats = {
        "non lié": RechercheForm(None),
        "valide": RechercheForm({"debut": "2026-12-08", "fin": "2026-12-09", "bassin": bassins["Gien"].pk}),
        "refusé": RechercheForm({"debut": "pas-une-date", "fin": "2026-12-01", "bassin": "0", "type": "fusee"}),
        "fin avant le début": RechercheForm({"debut": "2026-12-09", "fin": "2026-12-08"}),
    }
    import commun.filtres as module

    lents = []
    monkeypatch.setattr(module, "rendu_bootstrap", lambda champ: lents.append(champ) or rendu_bootstrap(champ))
    rapides = 0
    for etat, form in etats.items():
        form.is_bound and form.is_valid()
        for champ in form:
            attendu = str(rendu_bootstrap(champ))
            lents.clear()
            assert str(champ_filtre(champ)) == attendu, f"{etat}, champ {champ.name}"
            if not champ.errors:  # obligatoire ou non, un champ sans erreur est écrit par la voie rapide
                assert not lents, f"{etat}, champ {champ.name}"
                rapides += champ.field.required
    assert rapides
    choisi = f'<option value="{bassins["Gien"].pk}" selected>Gien</option>'
    assert choisi in str(champ_filtre(etats["valide"]["bassin"]))


def test_champ_obligatoire_garde_la_classe_des_champs_requis(settings, bassins, monkeypatch):
    from mobilite.forms import RechercheForm

    settings.BOOTSTRAP5 = {**getattr(settings, "BOOTSTRAP5", {}), "required_css_class": "obligatoire"}
    import commun.filtres as module

    form = RechercheForm(None)
    attendu = str(rendu_bootstrap(form["debut"]))
    monkeypatch.setattr(module, "rendu_bootstrap", None)  # la voie rapide seule
    assert str(champ_filtre(form["debut"])) == attendu
    assert 'class="mb-3 obligatoire"' in str(champ_filtre(form["debut"]))
    assert "obligatoire" not in str(champ_filtre(form["bassin"]))

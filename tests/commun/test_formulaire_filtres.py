"""Formulaire de filtre fait une fois par classe de filtres (commun/filtres.py) : chaque formulaire reste celui que
django-filter ferait pour sa requête (libellés, widgets, choix, listes de choix de l'utilisateur), pour toutes les
classes de filtres du projet et des utilisateurs de rôles et de périmètres différents."""

import importlib
import inspect

import pytest
from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.test import RequestFactory

from commun.autocompletion import ChampAutocompletion
from commun.filtres import FilterSet
from commun.formulaires import borner_champ
from tests.comptes.factories import UserFactory

pytestmark = pytest.mark.django_db


def _classes_du_projet():
    for config in apps.get_app_configs():
        for nom in ("filters", "filtres"):
            try:
                importlib.import_module(f"{config.name}.{nom}")
            except ModuleNotFoundError:
                continue
    vues, pile = [], list(FilterSet.__subclasses__())
    while pile:
        classe = pile.pop()
        pile.extend(classe.__subclasses__())
        if classe.__module__.split(".")[0] != "tests":
            vues.append(classe)
    return sorted(vues, key=lambda c: (c.__module__, c.__qualname__))


def _instance(classe, user, donnees=None):
    requete = RequestFactory().get("/")
    requete.user = user
    kwargs = {"request": requete}
    if "user" in inspect.signature(classe.__init__).parameters:
        kwargs["user"] = user
    return classe(donnees or {}, **kwargs)


def _sql(queryset):
    try:
        return str(queryset.query)
    except EmptyResultSet:  # liste vide par construction (`none()`, aucun lot pour ce compte)
        return "vide"


def _description(champ):
    """Ce qu'un champ affiche et accepte : sa classe, son libellé, son widget, ses choix ou sa liste de choix."""
    queryset = getattr(champ, "queryset", None)
    return (
        type(champ),
        champ.label,
        champ.required,
        type(champ.widget),
        champ.widget.attrs,
        champ.validators,
        _sql(queryset) if queryset is not None else None,
        list(champ.choices) if hasattr(champ, "choices") and queryset is None else None,
    )


def _etat(valeur):
    """Ce que contient un filtre, à comparer avant et après : une sélection par son SQL (et sa marque de lecture en
    mémoire), un widget par sa classe, ses attributs et ses choix, un dictionnaire ou une suite valeur par valeur."""
    from django.db.models import QuerySet
    from django.forms import Widget

    if isinstance(valeur, QuerySet):
        return ("sélection", _sql(valeur), valeur._result_cache, hasattr(valeur, "lecture_en_memoire"))
    if isinstance(valeur, Widget):
        return (type(valeur), _etat(valeur.attrs), _etat(list(getattr(valeur, "choices", []))))
    if isinstance(valeur, dict):
        return {repr(k): _etat(v) for k, v in valeur.items()}
    if isinstance(valeur, list | tuple):
        return [_etat(v) for v in valeur]
    return repr(valeur)


def _etat_des_filtres(classe):
    return {nom: (type(f), _etat(vars(f))) for nom, f in classe.base_filters.items()}


def test_toutes_les_classes_du_projet_sont_vues():
    noms = {c.__name__ for c in _classes_du_projet()}
    assert {"BeneficiaireFilter", "ContratFilter", "VehiculeFilter", "OrientationFilter"} <= noms


def test_formulaire_identique_a_celui_de_django_filter_pour_chaque_requete(bassins):
    utilisateurs = [
        UserFactory(administrateur=True),
        UserFactory(referent=True, bassins=[bassins["Orléans"]]),
        UserFactory(referent=True, bassins=[bassins["Gien"]]),
        UserFactory(prestataire=True),
        UserFactory(pilotage=True),
    ]
    for classe in _classes_du_projet():
        # Une autocomplétion ne lit ses choix que pour une valeur reçue : sans valeur, sa liste reste vide (jamais
        # celle d'un autre) ; avec une valeur, c'est celle de la requête, comme les autres listes.
        autocompletions = [n for n, f in classe.base_filters.items() if f.field_class is ChampAutocompletion]
        for donnees in ({}, {n: "x" for n in autocompletions}):
            for user in utilisateurs:  # la classe du formulaire, faite au premier formulaire du processus, resservie
                filtres = _instance(classe, user, donnees)
                formulaire = filtres.form
                temoin = _instance(classe, user, donnees)  # le champ tel que django-filter le fait pour la requête
                for nom, filtre in temoin.filters.items():
                    attendu = _description(borner_champ(filtre.field))
                    attendu = (attendu[0], attendu[1][:1].upper() + attendu[1][1:], *attendu[2:])
                    if nom in autocompletions and not donnees:
                        attendu = (*attendu[:6], "vide", attendu[7])
                    assert _description(formulaire.fields[nom]) == attendu, (classe.__name__, user.role, nom, donnees)


def test_classe_du_formulaire_faite_une_fois(bassins):
    from beneficiaires.filters import BeneficiaireFilter

    admin = UserFactory(administrateur=True)
    referent = UserFactory(referent=True, bassins=[bassins["Orléans"]])
    premier, second = _instance(BeneficiaireFilter, admin).form, _instance(BeneficiaireFilter, referent).form
    assert type(premier) is type(second)
    assert premier.fields["bassin"] is not second.fields["bassin"]  # chaque formulaire a ses copies des champs


def test_liste_de_choix_de_la_requete_pour_valider(bassins):
    """Un référent d'Orléans ne peut pas filtrer sur Gien, même après un formulaire fait pour un administrateur."""
    from beneficiaires.filters import BeneficiaireFilter

    admin = UserFactory(administrateur=True)
    referent = UserFactory(referent=True, bassins=[bassins["Orléans"]])
    gien = bassins["Gien"].pk
    requete = RequestFactory().get("/")
    requete.user = admin
    assert BeneficiaireFilter({"bassin": gien}, request=requete, user=admin).form.is_valid()
    requete.user = referent
    refuse = BeneficiaireFilter({"bassin": gien}, request=requete, user=referent).form
    assert not refuse.is_valid() and "bassin" in refuse.errors


def test_liste_de_choix_de_la_classe_vide(bassins):
    """La classe du formulaire ne garde pas les choix de la requête qui l'a faite (son utilisateur) : sans ceux de
    sa propre requête, un formulaire n'aurait aucun choix, jamais ceux d'un autre."""
    from beneficiaires.filters import BeneficiaireFilter

    referent = UserFactory(referent=True, bassins=[bassins["Orléans"]])
    classe = type(_instance(BeneficiaireFilter, referent).form)
    for nom in ("bassin", "commune", "referent"):
        assert list(classe.base_fields[nom].queryset) == [], nom


def test_chaque_jeu_a_ses_propres_filtres_et_laisse_ceux_de_la_classe(bassins):
    """Chaque jeu de filtres reçoit ses copies des filtres de la classe (`FiltresDeLaClasse`) : formulaires faits,
    validés et appliqués pour des utilisateurs de rôles et de périmètres différents, aucun filtre de la classe n'a
    changé (ni `parent`, ni `queryset`, ni arguments du champ)."""
    from commun.filtres import FiltresDeLaClasse

    utilisateurs = [
        UserFactory(administrateur=True),
        UserFactory(referent=True, bassins=[bassins["Orléans"]]),
        UserFactory(prestataire=True),
    ]
    classes = _classes_du_projet()
    for classe in classes:  # la classe du formulaire refaite ici : ce que la faire écrirait compte aussi
        if "_classe_formulaire" in vars(classe):
            delattr(classe, "_classe_formulaire")
    avant = {c: _etat_des_filtres(c) for c in classes}
    for classe in classes:
        assert type(classe.base_filters) is FiltresDeLaClasse, classe
        for user in utilisateurs:
            filtres = _instance(classe, user, {"q": "dupont", "bassin": str(bassins["Gien"].pk)})
            for nom, filtre in filtres.filters.items():
                de_la_classe = classe.base_filters[nom]
                assert filtre is not de_la_classe and filtre.extra is not de_la_classe.extra, (classe, nom)
                assert filtre.parent is filtres and not hasattr(de_la_classe, "parent"), (classe, nom)
            filtres.is_valid()
            _sql(filtres.qs)
    assert {c: _etat_des_filtres(c) for c in classes} == avant


def test_filtre_a_methode_appelle_celle_de_son_propre_jeu(bassins):
    """Un filtre à méthode (`method="filtrer_recherche"`) copié pour un jeu appelle la méthode de CE jeu : deux
    requêtes faites l'une après l'autre filtrent chacune sur leur propre recherche."""
    from beneficiaires.filters import BeneficiaireFilter

    admin = UserFactory(administrateur=True)
    premier = _instance(BeneficiaireFilter, admin, {"q": "dupont"})
    second = _instance(BeneficiaireFilter, admin, {"q": "martin"})
    assert premier.filters["q"].filter.f is premier.filters["q"]
    assert second.filters["q"].filter.f is second.filters["q"]
    sql_premier, sql_second = _sql(premier.qs), _sql(second.qs)
    assert "dupont" in sql_premier and "martin" not in sql_premier
    assert "martin" in sql_second and "dupont" not in sql_second


def test_chaque_formulaire_a_ses_champs_et_laisse_ceux_de_la_classe(bassins):
    """Chaque formulaire reçoit sa copie de chaque champ et de chaque widget (`ChampsDeLaClasse`), les listes de choix
    partagées avec la classe : formulaires faits, validés, écrits et filtrés pour des utilisateurs de rôles et de
    périmètres différents, aucun champ de la classe n'a changé (libellé, widget et ses attributs, choix)."""
    from commun.filtres import ChampsDeLaClasse, _listes_de_choix

    utilisateurs = [
        UserFactory(administrateur=True),
        UserFactory(referent=True, bassins=[bassins["Orléans"]]),
        UserFactory(prestataire=True),
    ]

    def etat_des_champs(classe_formulaire):
        return {nom: (_description(c), _etat(c.widget)) for nom, c in classe_formulaire.base_fields.items()}

    for classe in _classes_du_projet():
        classe_formulaire = type(_instance(classe, utilisateurs[0]).form)
        assert type(classe_formulaire.base_fields) is ChampsDeLaClasse, classe
        avant = etat_des_champs(classe_formulaire)
        for user in utilisateurs:
            filtres = _instance(classe, user, {"q": "dupont", "bassin": str(bassins["Gien"].pk)})
            formulaire = filtres.form
            for nom, champ in formulaire.fields.items():
                de_la_classe = classe_formulaire.base_fields[nom]
                assert champ is not de_la_classe and champ.widget is not de_la_classe.widget, (classe, nom)
                assert champ.widget.attrs is not de_la_classe.widget.attrs, (classe, nom)
                if getattr(champ, "queryset", None) is None and hasattr(champ, "choices"):
                    assert list(champ.choices) == list(de_la_classe.choices), (classe, nom)
                    listes, de_la_classe_listes = list(_listes_de_choix(champ)), list(_listes_de_choix(de_la_classe))
                    assert listes and all(a is b for a, b in zip(listes, de_la_classe_listes, strict=True)), nom
            filtres.is_valid()
            str(formulaire)  # chaque champ écrit
            _sql(filtres.qs)
        assert etat_des_champs(classe_formulaire) == avant, classe

"""Réglages communs des listes : signature des rendus mémorisée, colonnes de date, corps des tableaux écrit en
Python, choix des filtres de modèle lus sans curseur côté serveur."""

import inspect
from unittest import mock

import django_tables2 as tables
import pytest
from django.test import RequestFactory
from django_tables2 import utils

from commun import tableaux


class Ligne:
    def __init__(self, nom):
        self.nom = nom


class Tableau(tables.Table):
    nom = tables.Column()
    double = tables.Column(accessor="nom", verbose_name="Double")

    def render_double(self, value, record):
        return f"{value}-{record.nom}"


def test_signature_installee_au_demarrage():
    assert utils.signature is tableaux.signature_memorisee


def test_meme_resultat_que_la_fonction_d_origine():
    def libre(value, record, **kwargs):
        return value

    table = Tableau([])
    for fn in (libre, table.render_double, Tableau.render_double, len):
        assert tableaux.signature_memorisee(fn) == tableaux._signature_origine(fn)
    # Méthode liée et fonction nue ne se confondent pas (self retiré de la première seulement).
    assert tableaux.signature_memorisee(table.render_double) == (("value", "record"), None)
    assert tableaux.signature_memorisee(Tableau.render_double) == (("self", "value", "record"), None)


def test_une_introspection_par_fonction_pour_toute_la_page():
    tableaux._memo.clear()
    table = Tableau([Ligne(f"n{i}") for i in range(50)])
    with mock.patch.object(inspect, "signature", wraps=inspect.signature) as espion:
        cellules = [cellule for ligne in table.rows for cellule in ligne]
    assert cellules[:2] == ["n0", "n0-n0"]
    assert len(cellules) == 100
    # Sans la mémorisation : une introspection par cellule rendue par render_double (50).
    assert espion.call_count <= 2


def test_le_cache_est_borne():
    tableaux._memo.clear()
    with mock.patch.object(tableaux, "TAILLE_MAX", 3):
        for i in range(10):
            exec(f"def f{i}(value): return value", ns := {})
            tableaux.signature_memorisee(ns[f"f{i}"])
            assert len(tableaux._memo) <= 3


class Contrat:
    def __init__(self, debut):
        self.debut = debut


class TableauDates(tables.Table):
    debut = tableaux.ColonneDate(verbose_name="Début", default="non signée")


def test_colonne_date_jour_mois_annee_a_l_ecran_la_date_a_l_export():
    import datetime

    table = TableauDates([Contrat(datetime.date(2017, 3, 9)), Contrat(None)])
    assert [ligne.get_cell("debut") for ligne in table.rows] == ["09/03/2017", "non signée"]
    # À l'export, la date elle-même : jj/mm/aaaa en CSV, vraie date en XLSX (commun.exports).
    assert list(table.as_values()) == [["Début"], [datetime.date(2017, 3, 9)], [None]]
    # Le format écrit sans strftime : le même texte, jours et mois à deux chiffres, date ou date et heure.
    colonne = tableaux.ColonneDate()
    for valeur in (
        datetime.date(2026, 12, 31),
        datetime.date(2026, 1, 1),
        datetime.date(1999, 10, 5),
        datetime.datetime(2026, 4, 7, 23, 59),
    ):
        assert colonne.render(valeur) == valeur.strftime("%d/%m/%Y")


class TableauPrix(tables.Table):
    montant = tableaux.ColonneEuros(verbose_name="Prix")


def test_colonne_euros_au_format_du_projet_a_l_ecran_le_nombre_a_l_export():
    from decimal import Decimal

    lignes = [Mesure("a", Decimal("1234.5"), None, 1), Mesure("b", None, None, 2)]
    table = TableauPrix(lignes)
    assert [ligne.get_cell("montant") for ligne in table.rows] == ["1\u202f234,50\u00a0€", "—"]
    assert list(table.as_values()) == [["Prix"], [Decimal("1234.5")], [None]]
    # Le corps rapide l'écrit comme le gabarit de django-tables2.
    assert _corps(TableauPrix(lignes), "django_tables2/plan_emploi.html") == _corps(
        TableauPrix(lignes), "django_tables2/bootstrap5.html"
    )


class Mesure:
    def __init__(self, nom, montant, heures, pk):
        self.nom, self.montant, self.heures, self.pk = nom, montant, heures, pk


class TableauMesures(tables.Table):
    nom = tables.Column(attrs={"td": {"class": "text-uppercase", "data-nom": lambda record: record.nom}})
    montant = tables.Column(attrs={"td": {"class": "text-end"}})
    heures = tables.Column(localize=False)
    pk = tables.Column(localize=True, verbose_name="N°")

    class Meta:
        empty_text = "Aucune mesure."
        row_attrs = {"data-id": lambda record: record.pk}


def _corps(table, gabarit):
    """Le contenu du <tbody> rendu par `gabarit`, espaces normalisés."""
    import re

    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    table.paginate(per_page=50)
    html = Template("{% load django_tables2 %}{% render_table table '" + gabarit + "' %}").render(
        Context({"table": table, "request": request})
    )
    corps = re.search(r"<tbody[^>]*>(.*?)</tbody>", html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", corps)).strip()


def test_corps_ecrit_en_python_identique_au_gabarit_de_django_tables2(settings):
    from decimal import Decimal

    settings.USE_THOUSAND_SEPARATOR = True
    lignes = [
        Mesure("<b>dupont</b>", Decimal("1234.5"), Decimal("20.5"), 12345),
        Mesure("martin", Decimal("0.25"), None, 7),
    ]
    attendu = _corps(TableauMesures(lignes), "django_tables2/bootstrap5.html")
    obtenu = _corps(TableauMesures(lignes), "django_tables2/plan_emploi.html")
    assert obtenu == attendu
    # Ce qui est vérifié : échappement, attributs calculés par ligne, localisation française (virgule).
    assert "&lt;b&gt;dupont&lt;/b&gt;" in obtenu
    assert 'data-nom="martin"' in obtenu and 'data-id="7"' in obtenu
    assert "1 234,5" in obtenu.replace("\xa0", " ") and ">20.5<" in obtenu and "12 345" in obtenu.replace("\xa0", " ")


def test_tableau_vide_meme_ligne_que_le_gabarit():
    attendu = _corps(TableauMesures([]), "django_tables2/bootstrap5.html")
    assert _corps(TableauMesures([]), "django_tables2/plan_emploi.html") == attendu
    assert "Aucune mesure." in attendu and 'colspan="4"' in attendu


@pytest.mark.django_db
def test_filtre_de_modele_lit_ses_choix_sans_curseur_serveur(bassins, django_assert_num_queries):
    from commun.filtres import FilterSet, ListeRapide, ModelChoiceFilter
    from referentiel.models import BassinEmploi

    class Filtre(FilterSet):
        bassin = ModelChoiceFilter(queryset=BassinEmploi.objects.order_by("nom"), empty_label="Tous")

        class Meta:
            model = BassinEmploi
            fields = []

    champ = Filtre({}).form["bassin"]
    assert isinstance(champ.field.widget, ListeRapide)
    # Une requête : ni curseur côté serveur, ni COUNT avant la lecture des choix.
    with django_assert_num_queries(1) as requetes:
        html = str(champ)
    assert not requetes.captured_queries[0]["sql"].upper().startswith("DECLARE")
    assert html.index(">Tous<") < html.index(">Gien<") < html.index(">Orléans<")


@pytest.mark.django_db
def test_listes_reelles_corps_identique_au_gabarit_de_django_tables2(bassins):
    """Tableaux du projet sur des données réelles : champs à choix (libellés), relations vides (référent,
    évaluation), dates, liens, rendus propres (`render_*`) ; le corps rapide rend le même HTML."""
    import datetime

    from beneficiaires.models import Beneficiaire
    from beneficiaires.selecteurs import pour_la_liste
    from beneficiaires.tables import BeneficiaireTable
    from contrats.models import ContratAide
    from contrats.selecteurs import pour_la_liste as pour_la_liste_contrats
    from contrats.tables import ContratTable
    from tests.beneficiaires.factories import BeneficiaireFactory, EvaluationFactory, en_vigueur
    from tests.comptes.factories import UserFactory
    from tests.contrats.factories import ContratAideFactory

    referent = UserFactory(referent=True, first_name="Inès", last_name="Bélanger")
    evaluee = BeneficiaireFactory(commune=bassins["Gien"].commune_test, referent=referent, nom="<Dupont>")
    evaluation = EvaluationFactory(beneficiaire=evaluee, date=datetime.date(2017, 10, 2))
    en_vigueur(evaluation)
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test, orientation="pro", soumis_droits_devoirs=False)
    ContratAideFactory(signe=True, beneficiaire=evaluee)
    ContratAideFactory(beneficiaire=evaluee)  # brouillon : ni numéro ni date de signature
    personnes = pour_la_liste(Beneficiaire.objects.all())
    contrats = pour_la_liste_contrats(ContratAide.objects.all())
    for table_class, donnees in ((BeneficiaireTable, personnes), (ContratTable, contrats)):
        attendu = _corps(table_class(donnees), "django_tables2/bootstrap5.html")
        assert _corps(table_class(donnees), "django_tables2/plan_emploi.html") == attendu
        assert attendu.count("<tr") == 2
    corps = _corps(BeneficiaireTable(personnes), "django_tables2/plan_emploi.html")
    assert "&lt;Dupont&gt;" in corps and "02/10/2017" in corps and "Bélanger" in corps


@pytest.mark.django_db
def test_liens_et_booleens_du_corps_rapide_identiques_au_gabarit(bassins):
    """Lien `linkify=True` (avec attributs), colonnes booléennes (nulles ou non, à travers une relation vide),
    champ à choix : même HTML que le gabarit de django-tables2."""
    import datetime

    from beneficiaires.models import Beneficiaire
    from commun.templatetags.rendu_tableaux import _lecteur_rapide
    from tests.beneficiaires.factories import BeneficiaireFactory, EvaluationFactory, en_vigueur

    class TableauEssai(tables.Table):
        nom = tables.Column(linkify=True, attrs={"a": {"class": "lien"}})
        prenoms = tables.Column(linkify=True)
        sdd = tables.BooleanColumn(accessor="soumis_droits_devoirs", yesno="Oui,Non")
        permis = tables.BooleanColumn(accessor="evaluation_courante__permis_b")
        permis_connu = tables.BooleanColumn(accessor="evaluation_courante__permis_b", null=True, default="?")
        statut = tables.Column(accessor="statut_parcours")

        class Meta:
            order_by = ("pk",)

    evaluee = BeneficiaireFactory(commune=bassins["Gien"].commune_test, nom="<Dupont>", prenoms="Zoé & co")
    evaluation = EvaluationFactory(beneficiaire=evaluee, date=datetime.date(2017, 10, 2), permis_b=True)
    en_vigueur(evaluation)
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test, soumis_droits_devoirs=False)
    donnees = Beneficiaire.objects.select_related("evaluation_courante")
    table = TableauEssai(donnees)
    rapides = {c.name for c in table.columns if _lecteur_rapide(c, table, donnees.first()) is not None}
    assert rapides == {"nom", "prenoms", "sdd", "permis", "permis_connu", "statut"}  # aucune par le calcul complet
    attendu = _corps(TableauEssai(donnees), "django_tables2/bootstrap5.html")
    assert _corps(TableauEssai(donnees), "django_tables2/plan_emploi.html") == attendu
    assert f'class="lien" href="{evaluee.get_absolute_url()}"' in attendu and "&lt;Dupont&gt;" in attendu
    assert '<span class="true">Oui</span>' in attendu and '<span class="false">✘</span>' in attendu
    assert ">?<" in attendu


@pytest.mark.parametrize("multiple", [False, True])
@pytest.mark.parametrize("valeur", [None, "", "b", ["a", "c"]])
def test_liste_rapide_meme_html_que_le_widget_de_django(multiple, valeur):
    import re

    from django import forms
    from django.utils.safestring import mark_safe

    from commun.filtres import ListeMultipleRapide, ListeRapide

    choix = [
        ("", "---------"),
        ("a", "Aïe <b>"),
        ("b", 'Guillemets "x"'),
        ("c", "Ç & co"),
        ("d&", mark_safe("<i>sûr</i>")),
    ]
    django_widget = (forms.SelectMultiple if multiple else forms.Select)(choices=choix, attrs={"class": "form-select"})
    rapide = (ListeMultipleRapide if multiple else ListeRapide)(choices=choix, attrs={"class": "form-select"})
    if not multiple and isinstance(valeur, list):
        valeur = valeur[0]

    def normaliser(html):
        return re.sub(r">\s+<", "><", str(html)).strip()

    attrs = {"id": "id_x", "required": False}
    assert normaliser(rapide.render("x", valeur, attrs)) == normaliser(django_widget.render("x", valeur, attrs))


@pytest.mark.django_db
def test_corps_sans_api_privee_de_django_tables2(bassins):
    """`{% corps_tableau %}` ne passe que par l'API publique de django-tables2 (`BoundRow.get_cell`, attributs
    `render` et `link` de la colonne liée) : privée de `_get_and_render_with` et `_call_render`, la liste des
    contrats (rendus propres, lien à arguments) se rend à l'identique, toutes ses colonnes par le lecteur préparé.
    Seul `utils.signature` (commun/tableaux.py) reste remplacé : la version est épinglée à 3.0.x."""
    import django_tables2
    from django_tables2.rows import BoundRow

    from commun.templatetags.rendu_tableaux import _lecteur_rapide
    from contrats.models import ContratAide
    from contrats.selecteurs import pour_la_liste as pour_la_liste_contrats
    from contrats.tables import ContratTable
    from tests.beneficiaires.factories import BeneficiaireFactory
    from tests.contrats.factories import ContratAideFactory

    personne = BeneficiaireFactory(commune=bassins["Gien"].commune_test)
    ContratAideFactory(signe=True, beneficiaire=personne)
    ContratAideFactory(beneficiaire=personne)  # brouillon : rendu propre du numéro
    contrats = pour_la_liste_contrats(ContratAide.objects.all())
    attendu = _corps(ContratTable(contrats), "django_tables2/bootstrap5.html")
    table = ContratTable(contrats)
    assert all(_lecteur_rapide(c, table, contrats.first()) is not None for c in table.columns)

    def interdit(*args, **kwargs):
        raise AssertionError("API privée de django-tables2 appelée")

    with (
        mock.patch.object(BoundRow, "_get_and_render_with", interdit),
        mock.patch.object(BoundRow, "_call_render", interdit),
    ):
        assert _corps(ContratTable(contrats), "django_tables2/plan_emploi.html") == attendu
    assert "Brouillon n°" in attendu
    assert django_tables2.__version__.startswith("3.0.") and callable(django_tables2.utils.signature)


def test_libelle_de_choix_rapide_egal_a_celui_de_django():
    """Le libellé d'un champ à choix lu dans un dictionnaire fait une fois par page vaut `get_<champ>_display()`,
    valeur inconnue ou vide comprise ; un modèle qui définit sa propre méthode garde la sienne."""
    from beneficiaires.models import Beneficiaire, StatutParcours
    from commun.templatetags.rendu_tableaux import _libelles_de_choix

    champ = Beneficiaire._meta.get_field("statut_parcours")
    libelle = _libelles_de_choix(Beneficiaire, champ, "get_statut_parcours_display")
    for valeur in [*StatutParcours.values, "inconnu", "", None]:
        attendu = Beneficiaire(statut_parcours=valeur).get_statut_parcours_display()
        assert libelle(valeur) == attendu and type(libelle(valeur)) is type(attendu)

    class Propre:  # une classe qui définit sa propre méthode (sans créer de modèle pendant les tests)
        def get_statut_parcours_display(self):
            return "à moi"

    assert _libelles_de_choix(Propre, champ, "get_statut_parcours_display") is None


def test_libelles_de_choix_faits_une_fois_par_champ_et_par_langue():
    """Les libellés d'un champ sont faits une fois par processus (plus à chaque page), et à part pour chaque langue
    active : un libellé traduisible suit la langue de la requête."""
    from django.utils import translation

    from beneficiaires.models import Beneficiaire
    from commun.templatetags.rendu_tableaux import _libelles_de_choix

    champ = Beneficiaire._meta.get_field("statut_parcours")
    premier = _libelles_de_choix(Beneficiaire, champ, "get_statut_parcours_display")
    assert _libelles_de_choix(Beneficiaire, champ, "get_statut_parcours_display") is premier
    with translation.override("en"):
        assert _libelles_de_choix(Beneficiaire, champ, "get_statut_parcours_display") is not premier


def test_departager_finit_chaque_tri_par_les_cles_donnees():
    """Tableaux du projet : chaque colonne triable finit par une clé unique, dans les deux sens ; une colonne
    non triable ou triée par sa méthode `order_<nom>` n'est pas touchée."""
    from beneficiaires.models import Beneficiaire
    from beneficiaires.tables import BeneficiaireTable
    from commun.tableaux import departager
    from contrats.models import ContratAide
    from contrats.tables import ContratTable

    @departager("nom", "pk")
    class Essai(tables.Table):
        nom = tables.Column(order_by=("-nom",))
        ville = tables.Column(accessor="commune__nom")
        fixe = tables.Column(orderable=False)
        propre = tables.Column()

        def order_propre(self, queryset, is_descending):
            return queryset, True

    colonnes = Essai.base_columns
    assert list(colonnes["nom"].order_by) == ["-nom", "pk"]
    assert list(colonnes["ville"].order_by) == ["commune__nom", "nom", "pk"]
    assert colonnes["fixe"].order_by is None and colonnes["propre"].order_by is None

    for table in (BeneficiaireTable(Beneficiaire.objects.none()), ContratTable(ContratAide.objects.none())):
        for colonne in table.columns:
            if colonne.orderable and not hasattr(table, f"order_{colonne.name}"):
                assert colonne.order_by[-1] == "pk", colonne.name
                assert colonne.order_by.opposite[-1] == "-pk", colonne.name


@pytest.mark.django_db
@pytest.mark.parametrize(("demande", "lignes"), [("100000", 200), ("-5", 50), ("0", 50), ("3", 3)])
def test_lignes_par_page_bornees(client, bassins, demande, lignes):
    """`?per_page=` (lu par django-tables2) : au plus 200 lignes ; 0 ou moins, la page par défaut (50)."""
    from django.urls import reverse

    from tests.beneficiaires.factories import BeneficiaireFactory
    from tests.comptes.factories import UserFactory

    BeneficiaireFactory.create_batch(205, commune=bassins["Gien"].commune_test)
    client.force_login(UserFactory(administrateur=True))
    reponse = client.get(reverse("beneficiaires:liste"), {"per_page": demande})
    assert reponse.status_code == 200
    assert reponse.content.decode().count('name="beneficiaires" value=') == lignes


def tableaux_du_projet():
    import importlib
    import importlib.util

    from django.apps import apps
    from django.conf import settings

    trouves = []
    for config in apps.get_app_configs():
        module = f"{config.name}.tables"
        du_projet = config.path.startswith(str(settings.BASE_DIR)) and "site-packages" not in config.path
        if du_projet and importlib.util.find_spec(module):
            contenu = vars(importlib.import_module(module)).values()
            trouves += [
                c for c in contenu if isinstance(c, type) and issubclass(c, tables.Table) and c.__module__ == module
            ]
    return trouves


def test_chaque_tableau_du_projet_borne_ses_lignes_par_page():
    """Tout tableau des applications du projet hérite de `Tableau` (sinon `?per_page=` y serait sans borne)."""
    from commun.tableaux import Tableau

    tableaux = tableaux_du_projet()
    assert len(tableaux) >= 12, tableaux
    assert all(issubclass(c, Tableau) for c in tableaux), [c for c in tableaux if not issubclass(c, Tableau)]


def etat(objet, vus=None):
    """L'état complet d'un objet, à comparer avant et après : dictionnaires, suites et attributs, récursivement."""
    vus = set() if vus is None else vus
    if isinstance(objet, str | int | float | bool | type(None)):
        return objet
    if id(objet) in vus:
        return "<déjà vu>"
    vus = vus | {id(objet)}
    if isinstance(objet, dict):
        return {repr(k): etat(v, vus) for k, v in objet.items()}
    if isinstance(objet, list | tuple | set | frozenset):
        return [etat(v, vus) for v in objet]
    if hasattr(objet, "__dict__") and not callable(objet):
        return (type(objet).__qualname__, etat(vars(objet), vus))
    return repr(objet)


def etat_des_classes():
    return {t: {nom: etat(c) for nom, c in t.base_columns.items()} for t in tableaux_du_projet()}


def test_chaque_tableau_a_ses_propres_colonnes_et_laisse_celles_de_la_classe():
    """Chaque tableau reçoit ses copies des colonnes de la classe (`ColonnesDeLaClasse`) : ce qu'il y change
    (colonne masquée, accesseur, tri) ne touche ni la classe ni le tableau suivant."""
    from commun.tableaux import ColonnesDeLaClasse

    avant = etat_des_classes()
    for classe in tableaux_du_projet():
        assert type(classe.base_columns) is ColonnesDeLaClasse, classe
        modele = getattr(classe._meta, "model", None)
        donnees = modele.objects.none() if modele is not None else []
        table = classe(donnees)
        premiere = next(iter(table.columns)).name
        assert all(table.columns[n].column is not c for n, c in classe.base_columns.items() if n in table.columns)
        table.columns.hide(premiere)
        table.order_by = (f"-{premiere}",)
        assert [str(c.header) for c in table.columns]  # en-têtes calculés (accesseurs par défaut posés)
        assert table.as_html(RequestFactory().get("/"))
        assert not table.columns[premiere].visible
        assert classe(donnees).columns[premiere].visible
    assert etat_des_classes() == avant


@pytest.mark.django_db
def test_listes_rendues_et_exportees_laissent_les_colonnes_de_la_classe(client, bassins):
    """Les listes des bénéficiaires et des contrats, rendues (cellules, liens, cases, tris) et exportées, ne
    changent rien aux colonnes de leur classe : ce que les copies partagent avec elle n'est écrit par personne."""
    from django.urls import reverse

    from tests.comptes.factories import UserFactory
    from tests.contrats.factories import ContratAideFactory

    for _ in range(3):
        ContratAideFactory(beneficiaire__commune=bassins["Gien"].commune_test)
    client.force_login(UserFactory(administrateur=True))
    avant = etat_des_classes()
    for liste in ("beneficiaires:liste", "contrats:liste"):
        for parametres in ({}, {"sort": "-nom"}, {"_export": "csv"}):
            reponse = client.get(reverse(liste), parametres)
            assert reponse.status_code == 200, (liste, parametres)
        assert "Gien" in client.get(reverse(liste), {"sort": "-commune"}).content.decode()
    assert etat_des_classes() == avant


def test_selection_faite_une_fois_copiee_a_chaque_appel_sans_cache_partage(bassins):
    """La sélection annotée d'une liste est faite au premier appel ; chaque appel en rend une copie, dont les
    résultats ne se partagent pas (une personne créée entre deux pages est dans la seconde)."""
    from beneficiaires.models import Beneficiaire
    from tests.beneficiaires.factories import BeneficiaireFactory

    fabrique = mock.Mock(side_effect=lambda: Beneficiaire.objects.order_by("pk"))
    selection = tableaux.selection_faite_une_fois(fabrique)
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    premiere = selection()
    assert len(premiere) == 1
    BeneficiaireFactory(commune=bassins["Gien"].commune_test)
    seconde = selection()
    assert seconde is not premiere and len(seconde) == 2 and len(premiere) == 1
    assert fabrique.call_count == 1


@pytest.mark.parametrize("role", ["referent", "pilotage", "prestataire", "administrateur"])
def test_listes_meme_sql_que_la_selection_neuve_pour_chaque_role(bassins, role):
    """La liste des bénéficiaires et celle des contrats, faites d'une sélection annotée une fois par processus
    puis restreinte au périmètre, donnent le SQL de la sélection construite pour la requête."""
    from django.core.exceptions import EmptyResultSet

    from beneficiaires import selecteurs as sb
    from beneficiaires.models import Beneficiaire
    from contrats import selecteurs as sc
    from contrats.models import ContratAide
    from tests.comptes.factories import UserFactory
    from tests.referentiel.factories import StructureFactory

    options = {"bassins": [bassins["Orléans"]]} if role == "referent" else {}
    if role == "prestataire":
        options = {"structure": StructureFactory()}
    user = UserFactory(role=role, **options)
    paires = (
        (sb.beneficiaires_visibles(user), sb.pour_la_liste(Beneficiaire.objects.visibles_par(user))),
        (sc.contrats_visibles(user), sc.pour_la_liste(ContratAide.objects.visibles_par(user))),
    )
    for faite, neuve in paires:
        try:
            attendu = str(neuve.filter(pk__gt=0).order_by("-pk").query)
        except EmptyResultSet:
            with pytest.raises(EmptyResultSet):
                str(faite.filter(pk__gt=0).order_by("-pk").query)
            continue
        assert str(faite.filter(pk__gt=0).order_by("-pk").query) == attendu


def _normaliser(html):
    """Espaces normalisés, et retirés au bord des balises (le gabarit en met autour des libellés des en-têtes)."""
    import re

    return re.sub(r"\s+<", "<", re.sub(r">\s+", ">", re.sub(r"\s+", " ", html))).strip()


def _rendu(table, gabarit, adresse):
    from django.template import Context, Template

    html = Template("{% load django_tables2 %}{% render_table table '" + gabarit + "' %}").render(
        Context({"table": table, "request": RequestFactory().get(adresse)})
    )
    return _normaliser(html)


@pytest.mark.django_db
@pytest.mark.parametrize("tri", ["", "nom", "-nom", "-commune"])
def test_en_tete_identique_au_gabarit_de_django_tables2(bassins, tri):
    """L'en-tête écrit en Python (`entete_tableau`) : le `<thead>` du gabarit Bootstrap 5 de django-tables2, liens
    de tri (direction suivante, autres paramètres gardés et échappés), classes de tri, case « tout cocher »."""
    import re

    from beneficiaires.models import Beneficiaire
    from beneficiaires.tables import BeneficiaireTable
    from contrats.models import ContratAide
    from contrats.tables import ContratTable

    adresse = f"/liste/?q=%C3%A9t%C3%A9+%26+%3Cb%3E&bassin=3&bassin=4&sort={tri}"
    for table_class, donnees in (
        (BeneficiaireTable, Beneficiaire.objects.all()),
        (ContratTable, ContratAide.objects.all()),
    ):
        entetes = []
        for gabarit in ("django_tables2/bootstrap5.html", "django_tables2/plan_emploi.html"):
            table = table_class(donnees, order_by=tri or None)
            entetes.append(re.search(r"<thead.*?</thead>", _rendu(table, gabarit, adresse)).group(0))
        assert entetes[1] == entetes[0]
        assert "&amp;sort=" in entetes[1] and "%3Cb%3E" in entetes[1]


# La pagination du projet telle que le gabarit l'écrivait (référence de `pagination_tableau`).
PAGINATION_GABARIT = (
    "{% load django_tables2 %}\n"
    "{% if table.page and table.paginator.num_pages > 1 %}\n"
    '<nav aria-label="Pages du tableau">\n'
    '  <ul class="pagination justify-content-center flex-wrap">\n'
    "    {% if table.page.has_previous %}\n"
    '    <li class="page-item"><a class="page-link" href="{% querystring_replace'
    ' table.prefixed_page_field=table.page.previous_page_number %}"><span'
    ' aria-hidden="true">&laquo;</span> Page précédente</a></li>\n'
    "    {% endif %}\n"
    "    {% for p in table.page|table_page_range:table.paginator %}\n"
    '    {% if p == "..." %}\n'
    '    <li class="page-item disabled"><span class="page-link">…</span></li>\n'
    "    {% elif p == table.page.number %}\n"
    '    <li class="page-item active" aria-current="page"><span class="page-link">{{ p }}</span></li>\n'
    "    {% else %}\n"
    '    <li class="page-item"><a class="page-link" href="{% querystring_replace'
    ' table.prefixed_page_field=p %}" aria-label="Page {{ p }}">{{ p }}</a></li>\n'
    "    {% endif %}\n"
    "    {% endfor %}\n"
    "    {% if table.page.has_next %}\n"
    '    <li class="page-item"><a class="page-link" href="{% querystring_replace'
    ' table.prefixed_page_field=table.page.next_page_number %}">Page suivante <span'
    ' aria-hidden="true">&raquo;</span></a></li>\n'
    "    {% endif %}\n"
    "  </ul>\n"
    "</nav>\n"
    "{% endif %}\n"
)


@pytest.mark.parametrize(("lignes", "page"), [(3, 1), (30, 1), (30, 2), (30, 3), (400, 1), (400, 9), (400, 40)])
def test_pagination_identique_a_celle_du_gabarit(lignes, page):
    """`pagination_tableau` : la pagination que le gabarit écrivait (premières, dernières pages, points de
    suspension, page courante annoncée), rien pour une seule page ; paramètres de l'adresse gardés."""
    from django.template import Context, Template

    adresse = f"/liste/?q=%C3%A9t%C3%A9+%26&page={page}"
    rendus = []
    for gabarit in (PAGINATION_GABARIT, "{% load rendu_tableaux %}{% pagination_tableau table %}"):
        table = Tableau([Ligne(f"n{i}") for i in range(lignes)])
        table.paginate(page=page, per_page=10)
        contexte = Context({"table": table, "request": RequestFactory().get(adresse)})
        rendus.append(_normaliser(Template(gabarit).render(contexte)))
    assert rendus[1] == rendus[0]
    assert (rendus[1] == "") == (lignes <= 10)
    if lignes > 10:
        assert 'aria-current="page"><span class="page-link">' + str(page) in rendus[1]


@pytest.mark.parametrize(
    "valeur",
    ["", "Orléans", "D'ARC", 'Le "Clos"', "A & B", "a<b", "x>y", "/beneficiaires/12/", 12, None, 3.5],
)
def test_cellule_echappee_comme_django(valeur):
    """Le texte d'une cellule (et l'adresse de son lien) échappé comme le fait `conditional_escape`, qu'il ait ou non
    un caractère à échapper ; un texte déjà sûr tel quel."""
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    from commun.echappement import echapper

    assert echapper(valeur) == str(conditional_escape(valeur))
    if isinstance(valeur, str):
        assert echapper(mark_safe(valeur)) == valeur


@pytest.mark.parametrize(
    "adresse",
    [
        "/liste/",
        "/liste/?sort=nom",
        "/liste/?sort=nom&q=%C3%A9t%C3%A9+%26+%3Cb%3E&page=2",
        "/liste/?q=a&sort=-nom&bassin=3&bassin=4",
        "/liste/?bassin=3&bassin=4&q=%22x%22&page=7",
        "/liste/?q=&page=&sort=",
    ],
)
@pytest.mark.parametrize(
    ("cle", "valeur"),
    [("sort", "-commune"), ("page", 3), ("nouvelle", "a&b<c"), ("q", ""), ("bassin", "5"), ("bassin", ["1", "2"])],
)
def test_adresses_des_liens_comme_l_encodage_de_tous_les_parametres(adresse, cle, valeur):
    """Les adresses des liens d'un tableau (paramètres autour de la clé encodés une fois par clé) : exactement
    l'adresse de `{% querystring_replace %}` (tous les paramètres, la clé remplacée à sa place ou ajoutée à la fin,
    encodés puis échappés), pour une clé au début, au milieu, à la fin, absente, à plusieurs valeurs."""
    from django.utils.html import escape
    from django.utils.http import urlencode
    from django.utils.safestring import SafeString

    from commun.templatetags.rendu_tableaux import _Adresses

    requete = RequestFactory().get(adresse)
    adresses = _Adresses({"request": requete})
    attendu = escape("?" + urlencode({**dict(requete.GET), cle: valeur}, doseq=True))
    assert adresses.avec(cle, valeur) == attendu and isinstance(adresses.avec(cle, valeur), SafeString)
    assert adresses.avec(cle, valeur) == attendu  # encore, avec les paramètres autour déjà encodés
    assert adresses.avec("", None) == escape("?" + urlencode(dict(requete.GET), doseq=True))


@pytest.mark.parametrize(
    "attrs",
    [
        {},
        {"class": "text-uppercase"},
        {"class": "a b", "id": "x", "td": {"class": "ignoré"}, "th": {"class": "ignoré"}, "_ordering": {}},
        {"title": 'Le "Clos" & <b>', "data-n": 3, "hidden": None, "aria-label": "Orléans"},
        {"class": lambda: "appelée", "data-vide": lambda: None, "lien": "/a/?b=1&c=2"},
        {"data-sur": "<i>déjà sûr</i>"},
    ],
)
def test_attributs_html_comme_ceux_de_django_tables2(attrs):
    """`attributs_html` (sans `format_html_join`) : exactement `AttributeDict.as_html()` (clés réservées et valeurs
    None omises, valeurs appelables appelées, clés et valeurs échappées, texte déjà sûr tel quel), marqué sûr."""
    from django.utils.safestring import SafeString, mark_safe

    from commun.echappement import attributs_html, sur

    if "data-sur" in attrs:
        attrs = {"data-sur": mark_safe(attrs["data-sur"])}
    attendu = utils.AttributeDict(attrs).as_html()
    assert attributs_html(utils.AttributeDict(attrs)) == attendu
    assert isinstance(attributs_html(utils.AttributeDict(attrs)), SafeString)
    assert sur("<a>") == mark_safe("<a>") and isinstance(sur("<a>"), SafeString)


class TableauAvecPied(tables.Table):
    nom = tables.Column(footer="Total", attrs={"tf": {"class": "pied"}})
    montant = tables.Column(footer=lambda table: sum(m.montant for m in table.data), localize=True)

    class Meta:
        attrs = {"class": "table-sm", "id": "mesures", "tfoot": {"class": "gras"}}


def _tableau_par_les_deux_balises(fabrique, adresse="/liste/?page=2&sort=nom"):
    """Le tableau rendu par `{% render_table table %}` (gabarit du projet) et par `{% tableau table %}`, espaces
    normalisés ; chacun sur son propre tableau (`fabrique()`), paginé à 50 lignes comme les listes."""
    from django.template import Context, Template

    rendus = []
    for balise in ("{% load django_tables2 %}{% render_table table %}", "{% load rendu_tableaux %}{% tableau table %}"):
        table = fabrique()
        requete = RequestFactory().get(adresse)
        tables.RequestConfig(requete, paginate={"per_page": 50}).configure(table)
        rendus.append(_normaliser(Template(balise).render(Context({"table": table, "request": requete}))))
    return rendus


@pytest.mark.django_db
def test_balise_tableau_identique_a_render_table_pour_chaque_tableau_du_projet(bassins):
    """`{% tableau %}` (sans contexte de gabarit refait ni gabarits emboîtés) : le HTML de `{% render_table %}` pour
    chaque tableau du projet (vide), pour les deux listes principales paginées et triées, et pour un tableau à pied
    (attributs du pied, valeur calculée, localisée)."""
    from decimal import Decimal

    from beneficiaires.models import Beneficiaire
    from beneficiaires.selecteurs import pour_la_liste
    from beneficiaires.tables import BeneficiaireTable
    from contrats.models import ContratAide
    from contrats.selecteurs import pour_la_liste as pour_la_liste_contrats
    from contrats.tables import ContratTable
    from tests.beneficiaires.factories import BeneficiaireFactory
    from tests.contrats.factories import ContratAideFactory

    for table_class in tableaux_du_projet():
        modele = table_class._meta.model
        donnees = modele.objects.none() if modele is not None else []
        attendu, obtenu = _tableau_par_les_deux_balises(lambda c=table_class, d=donnees: c(d))
        assert obtenu == attendu, table_class
        assert 'class="table-container table-responsive"' in obtenu
    for i in range(120):
        personne = BeneficiaireFactory(commune=bassins["Orléans"].commune_test, nom=f"<Nom {i:03d}>")
        if i % 20 == 0:
            ContratAideFactory(beneficiaire=personne)
    paires = (
        (BeneficiaireTable, lambda: pour_la_liste(Beneficiaire.objects.all())),
        (ContratTable, lambda: pour_la_liste_contrats(ContratAide.objects.all())),
    )
    for table_class, donnees in paires:
        attendu, obtenu = _tableau_par_les_deux_balises(lambda c=table_class, d=donnees: c(d()))
        assert obtenu == attendu, table_class
    personnes = _tableau_par_les_deux_balises(lambda: BeneficiaireTable(pour_la_liste(Beneficiaire.objects.all())))
    assert (
        "Page suivante" in personnes[1] and "&lt;Nom 050&gt;" in personnes[1] and 'aria-current="page"' in personnes[1]
    )
    lignes = [Mesure("a", Decimal("1234.5"), None, 1), Mesure("b", Decimal("1"), None, 2)]
    attendu, obtenu = _tableau_par_les_deux_balises(lambda: TableauAvecPied(lignes), "/")
    assert obtenu == attendu
    assert '<tfoot class="gras"><tr><td class="pied">Total</td>' in obtenu


class TableauAvecGabarit(tables.Table):
    """Une colonne de gabarit (lit le contexte du tableau) et un `before_render` qui masque une colonne."""

    nom = tables.TemplateColumn("{{ record.nom }} ({{ origine }})")
    montant = tables.Column()
    heures = tables.Column()

    def before_render(self, request):
        self.columns.hide("heures")


def _rendu_sous(balise, table, enveloppe="@"):
    from django.template import Context, Template

    requete = RequestFactory().get("/")
    source = "{% load l10n django_tables2 rendu_tableaux %}" + enveloppe.replace("@", balise)
    return _normaliser(
        Template(source).render(Context({"table": table, "request": requete, "origine": "page", "balise_brute": "<i>"}))
    )


def test_balise_tableau_echappe_et_localise_comme_un_gabarit_neuf(settings):
    """Appelée sous `{% autoescape off %}` ou `{% localize off %}`, `{% tableau %}` écrit ce qu'écrit
    `render_table`, dont le gabarit a son propre contexte : cellules et en-têtes échappés, nombres localisés ; le
    contexte de la page retrouve ensuite ses réglages."""
    from decimal import Decimal

    settings.USE_THOUSAND_SEPARATOR = True
    lignes = [Mesure("<b>dupont</b>", Decimal("1234.5"), None, 12345)]
    for enveloppe in (
        "{% autoescape off %}@{% endautoescape %}",
        "{% localize off %}@{% endlocalize %}",
    ):
        attendu = _rendu_sous("{% render_table table %}", TableauMesures(lignes), enveloppe)
        obtenu = _rendu_sous("{% tableau table %}", TableauMesures(lignes), enveloppe)
        assert obtenu == attendu
        assert "&lt;b&gt;dupont&lt;/b&gt;" in obtenu and "<b>dupont" not in obtenu
    assert "1 234,5" in obtenu.replace("\xa0", " ").replace("\u202f", " ")  # localisé sous {% localize off %}
    sous_autoescape_off = _rendu_sous(
        "{% tableau table %}", TableauMesures(lignes), "{% autoescape off %}@{{ balise_brute }}{% endautoescape %}"
    )
    assert sous_autoescape_off.endswith("<i>")  # le réglage de la page lui est rendu


def test_balise_tableau_contexte_before_render_et_gabarit_propre():
    """Comme `render_table` : une colonne de gabarit lit le contexte de la page (`table.context`), `before_render`
    est appelé ; un tableau qui déclare un autre gabarit est rendu par celui-ci."""
    lignes = [Mesure("martin", 1, 2, 3)]
    attendu = _rendu_sous("{% render_table table %}", TableauAvecGabarit(lignes))
    obtenu = _rendu_sous("{% tableau table %}", TableauAvecGabarit(lignes))
    assert obtenu == attendu
    assert "martin (page)" in obtenu and "Heures" not in obtenu
    autre = TableauAvecGabarit(lignes, template_name="django_tables2/bootstrap5.html")
    assert _rendu_sous("{% tableau table %}", autre) == _rendu_sous(
        "{% render_table table %}", TableauAvecGabarit(lignes, template_name="django_tables2/bootstrap5.html")
    )
    assert "table-responsive" not in _rendu_sous("{% tableau table %}", autre)
    with pytest.raises(ValueError, match="tableau django-tables2 est attendu"):
        _rendu_sous("{% tableau table %}", [])

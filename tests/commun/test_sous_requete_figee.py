"""Sous-requêtes des listes compilées une fois (commun.tableaux.SousRequeteFigee) : même SQL et mêmes valeurs que
celles de Django, à chaque page, pour chaque base, et juste quand la liste devient elle-même une sous-requête."""

import pytest
from django.db import connections
from django.db.models import OuterRef, Subquery
from django.db.models.sql.query import Query

from beneficiaires.selecteurs import beneficiaires_visibles
from commun.requetes import SousRequeteFigee
from contrats.selecteurs import contrats_visibles
from referentiel.models import Commune, Structure
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.contrats.factories import ContratAideFactory

pytestmark = pytest.mark.django_db


def _compilee(queryset):
    return queryset.query.get_compiler(connection=connections[queryset.db]).as_sql()


def _avec_les_sous_requetes_de_django(queryset):
    """La même sélection, chaque sous-requête figée remplacée par une `Subquery` de Django sur la même requête
    interne résolue : ce que Django compilerait lui-même."""
    requete = queryset.query.clone()
    requete.annotations = {
        nom: Subquery(a.query, output_field=a.output_field) if isinstance(a, SousRequeteFigee) else a
        for nom, a in requete.annotations.items()
    }
    copie = queryset.all()
    copie.query = requete
    return copie


@pytest.mark.parametrize("liste", ["beneficiaires", "contrats"])
def test_meme_sql_que_django_page_apres_page(bassins, liste):
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    ContratAideFactory()
    admin = UserFactory(administrateur=True)
    referent = UserFactory(referent=True, bassins=[bassins["Orléans"], bassins["Gien"]])
    visibles = beneficiaires_visibles if liste == "beneficiaires" else contrats_visibles
    tri = "commune__nom" if liste == "beneficiaires" else "employeur__nom"
    for user in (admin, referent):
        for page in range(3):  # la première compile et garde, les suivantes resservent
            selection = visibles(user).order_by(tri, "-pk")[page * 50 : page * 50 + 50]
            annotations = [a for a in selection.query.annotations.values() if isinstance(a, SousRequeteFigee)]
            assert len(annotations) >= 5
            sql, params = _compilee(selection)
            attendu_sql, attendu_params = _compilee(_avec_les_sous_requetes_de_django(selection))
            assert sql == attendu_sql and tuple(params) == tuple(attendu_params), (user.role, page)


def test_compilee_une_fois_par_selection_resolue(bassins, monkeypatch):
    """Les sous-requêtes de la liste ne sont compilées qu'à la première page : les suivantes reprennent leur SQL."""
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    admin = UserFactory(administrateur=True)
    annotations = [
        a for a in beneficiaires_visibles(admin).query.annotations.values() if isinstance(a, SousRequeteFigee)
    ]
    internes = {id(a.query) for a in annotations}
    compilees = []
    origine = Query.as_sql

    def as_sql(self, compiler, connection):
        if id(self) in internes:
            compilees.append(self)
        return origine(self, compiler, connection)

    monkeypatch.setattr(Query, "as_sql", as_sql)
    list(beneficiaires_visibles(admin).order_by("nom")[:50])
    premiere = len(compilees)
    list(beneficiaires_visibles(admin).filter(nom__startswith="A").order_by("-nom")[50:100])
    list(beneficiaires_visibles(admin).order_by("commune__nom")[:50])
    assert premiere <= len(annotations) and len(compilees) == premiere


def test_liste_devenue_sous_requete_lit_les_bonnes_valeurs(bassins):
    """La liste (déjà compilée) reprise comme sous-requête d'une requête sur une autre table : ses alias sont
    renommés, le SQL de ses sous-requêtes refait ; chaque commune y lit le nom de la commune de sa personne, chaque
    employeur son propre nom par ses contrats."""
    personnes = [BeneficiaireFactory(commune=bassins[n].commune_test) for n in ("Orléans", "Gien", "Montargis")]
    contrats = [ContratAideFactory(beneficiaire=p) for p in personnes]
    admin = UserFactory(administrateur=True)
    list(beneficiaires_visibles(admin)[:50])  # compile et garde le SQL des sous-requêtes de la liste
    list(contrats_visibles(admin)[:50])
    communes = Commune.objects.filter(pk__in=[p.commune_id for p in personnes]).annotate(
        lue=Subquery(beneficiaires_visibles(admin).filter(commune=OuterRef("pk")).values("liste_commune")[:1])
    )
    assert {c.pk: c.lue for c in communes} == {p.commune_id: p.commune.nom for p in personnes}
    employeurs = Structure.objects.filter(pk__in=[c.employeur_id for c in contrats]).annotate(
        lu=Subquery(contrats_visibles(admin).filter(employeur=OuterRef("pk")).values("liste_employeur")[:1])
    )
    assert {e.pk: e.lu for e in employeurs} == {c.employeur_id: c.employeur.nom for c in contrats}


def test_perimetre_du_referent_meme_sql_que_la_sous_requete_de_django(bassins):
    """Les bassins du référent en sous-requête figée (`User.bassins_du_perimetre`) donnent le SQL que donnait
    `…__in=user.bassins.values("pk")` : sans le tri des bassins (inutile dans `IN (…)`, un tri de plus à exécuter)."""
    from beneficiaires.models import Beneficiaire

    referent = UserFactory(referent=True, bassins=[bassins["Orléans"], bassins["Gien"]])
    figee = Beneficiaire.objects.filter(commune__bassin_emploi__in=referent.bassins_du_perimetre())
    django = Beneficiaire.objects.filter(commune__bassin_emploi__in=referent.bassins.values("pk"))
    assert _compilee(figee.order_by("pk")) == _compilee(django.order_by("pk"))
    assert "ORDER BY" not in _compilee(figee.order_by())[0]

"""Requêtes figées (commun.requetes) : le SQL d'une lecture compilé une fois par forme et par base, ses valeurs
posées à chaque appel, les mêmes lignes que le QuerySet qu'elle fige."""

import pytest
from django.db import connection
from django.db.models import F, IntegerField
from django.test.utils import CaptureQueriesContext

from commun.requetes import Parametre, RequeteFigee
from referentiel.models import BassinEmploi, Commune
from tests.referentiel.factories import BassinFactory, CommuneFactory

pytestmark = pytest.mark.django_db


class Fabrique:
    """Les communes d'au moins `minimum` habitants, du bassin s'il est demandé, avec le nom de leur bassin ; compte
    ses appels (une compilation chacun)."""

    def __init__(self):
        self.appels = []

    def __call__(self, avec_bassin, *, minimum, bassin):
        self.appels.append(avec_bassin)
        communes = Commune.objects.filter(population__gte=minimum)
        if avec_bassin:
            communes = communes.filter(bassin_emploi=bassin)
        return communes.annotate(bassin_nom=F("bassin_emploi__nom")).only("nom").order_by("nom")

    def valeurs(self, avec_bassin, minimum, bassin):
        """Le même QuerySet avec les valeurs elles-mêmes : la référence."""
        communes = Commune.objects.filter(population__gte=minimum)
        if avec_bassin:
            communes = communes.filter(bassin_emploi=bassin)
        return list(communes.order_by("nom").values_list("pk", "nom", "bassin_emploi__nom"))


@pytest.fixture
def communes():
    nord, sud = BassinFactory(nom="Nord"), BassinFactory(nom="Sud")
    for i, (population, bassin) in enumerate([(50, nord), (500, nord), (5000, sud), (800, sud), (20000, nord)]):
        CommuneFactory(nom=f"Ville {i}", population=population, bassin_emploi=bassin)
    return nord, sud


def test_memes_lignes_que_le_queryset_pour_toute_valeur(communes):
    fabrique = Fabrique()
    requete = RequeteFigee(Commune, fabrique, minimum=IntegerField(), bassin=IntegerField())
    for minimum in (0, 100, 800, 801, 30000):
        for bassin in (None, *communes):
            forme = (bassin is not None,)
            lues = requete.lignes(forme, minimum=minimum, bassin=bassin.pk if bassin else None)
            attendu = fabrique.valeurs(bassin is not None, minimum, bassin)
            assert [(c.pk, c.nom, c.bassin_nom) for c in lues] == attendu
    assert sorted(fabrique.appels) == [False, True]  # une compilation par forme, pas par appel


def test_une_requete_par_appel_et_champs_non_lus_differes(communes):
    requete = RequeteFigee(Commune, Fabrique(), minimum=IntegerField(), bassin=IntegerField())
    requete.lignes((False,), minimum=0, bassin=None)
    with CaptureQueriesContext(connection) as requetes:
        lues = requete.lignes((True,), minimum=0, bassin=communes[0].pk)
    assert len(requetes) == 1 and len(lues) == 3
    assert {"population", "code_insee"} <= lues[0].get_deferred_fields()


def test_valeurs_attendues_exactement(communes):
    requete = RequeteFigee(Commune, Fabrique(), minimum=IntegerField(), bassin=IntegerField())
    with pytest.raises(TypeError, match="Valeurs attendues"):
        requete.lignes((False,), minimum=0)
    with pytest.raises(TypeError, match="Valeurs attendues"):
        requete.lignes((False,), minimum=0, bassin=None, autre=1)


def test_la_fabrique_rend_le_modele_annonce(communes):
    requete = RequeteFigee(Commune, lambda *, n: BassinEmploi.objects.filter(pk__gte=n), n=IntegerField())
    with pytest.raises(TypeError, match="pas des Commune"):
        requete.lignes(n=0)


def test_parametre_est_un_marqueur_nomme():
    parametre = Parametre("debut", IntegerField())
    assert parametre.as_sql(None, connection) == ("%s", [parametre])
    assert repr(parametre) == "Parametre('debut')"


def test_objets_lies_refuses_valeurs_converties_comme_le_queryset(communes):
    """`select_related` n'est pas suivi : refusé ; une annotation dont la base rend un autre type (un décimal sous
    SQLite) est convertie comme le ferait le QuerySet."""
    from decimal import Decimal

    from django.db.models import DecimalField
    from django.db.models.functions import Cast

    liee = RequeteFigee(Commune, lambda *, n: Commune.objects.select_related("bassin_emploi"), n=IntegerField())
    with pytest.raises(TypeError, match="select_related"):
        liee.lignes(n=0)

    def decimaux(*, n):
        champ = DecimalField(max_digits=12, decimal_places=2)
        return Commune.objects.filter(population__gte=n).annotate(part=Cast("population", champ)).order_by("pk")

    requete = RequeteFigee(Commune, decimaux, n=IntegerField())
    lues = requete.lignes(n=0)
    attendu = list(decimaux(n=0))
    assert [(c.pk, c.part) for c in lues] == [(c.pk, c.part) for c in attendu]
    assert all(type(c.part) is Decimal for c in lues)


def test_compilee_une_fois_pour_tous_les_fils():
    """Chaque fil a sa connexion (gunicorn à fils, ASGI) : la forme compilée par l'un sert aux autres."""
    import threading

    from django.db import connections

    fabrique = Fabrique()
    requete = RequeteFigee(Commune, fabrique, minimum=IntegerField(), bassin=IntegerField())
    erreurs = []

    def dans_un_fil():
        try:
            requete.lignes((False,), minimum=0, bassin=None)
        except Exception as erreur:  # noqa: BLE001 - rapportée au test
            erreurs.append(erreur)
        finally:
            connections.close_all()

    fil = threading.Thread(target=dans_un_fil)
    fil.start()
    fil.join()
    assert not erreurs
    requete.lignes((False,), minimum=0, bassin=None)
    requete.lignes((False,), minimum=10, bassin=None)
    assert fabrique.appels == [False]

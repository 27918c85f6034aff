"""Instances faites par `ChargementRapide.from_db` (commun/chargement.py) : les mêmes que celles de Django, champs
non lus différés, et le chemin de Django dès qu'un modèle a des récepteurs de `pre_init` / `post_init`."""

import pytest
from django.db.models import Model, Value, signals

from beneficiaires.models import Beneficiaire
from beneficiaires.selecteurs import beneficiaires_visibles
from commun.chargement import ChargementRapide
from contrats.models import ContratAide
from mobilite.models import Vehicule
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.contrats.factories import ContratAideFactory
from tests.mobilite.factories import VehiculeFactory

pytestmark = pytest.mark.django_db


def _par_django(modele, lire):
    """Les instances que fait `Model.from_db` de Django pour la même lecture (`lire()`)."""
    ancien = modele.__dict__.get("from_db")
    modele.from_db = classmethod(Model.from_db.__func__)
    try:
        return list(lire())
    finally:
        if ancien is None:
            del modele.from_db
        else:
            modele.from_db = ancien


def _etat(instance):
    valeurs = {k: v for k, v in instance.__dict__.items() if k != "_state"}
    return type(instance), valeurs, instance._state.adding, instance._state.db, instance.get_deferred_fields()


@pytest.mark.parametrize(
    "fabrique, lecture",
    [
        (BeneficiaireFactory, lambda: Beneficiaire.objects.order_by("pk")),
        (BeneficiaireFactory, lambda: Beneficiaire.objects.only("nom", "commune_id").order_by("pk")),
        (ContratAideFactory, lambda: ContratAide.objects.defer("employeur_id").order_by("pk")),
        (VehiculeFactory, lambda: Vehicule.objects.annotate(un=Value(1)).order_by("pk")),
        (VehiculeFactory, lambda: Vehicule.objects.raw("SELECT id, immatriculation FROM mobilite_vehicule ORDER BY 1")),
    ],
)
def test_memes_instances_que_django(fabrique, lecture):
    fabrique.create_batch(3)
    rapides = list(lecture())
    modele = type(rapides[0])
    assert issubclass(modele, ChargementRapide)
    assert "_plan_de_chargement" in modele.__dict__ and modele._plan_de_chargement[1] is not None  # chemin court
    assert [_etat(i) for i in rapides] == [_etat(i) for i in _par_django(modele, lecture)]


def test_liste_des_beneficiaires_memes_valeurs_et_differes(referent):
    BeneficiaireFactory.create_batch(3, commune__bassin_emploi=referent.bassins.first())
    lues = list(beneficiaires_visibles(referent).order_by("pk"))
    assert len(lues) == 3
    par_django = _par_django(Beneficiaire, lambda: beneficiaires_visibles(referent).order_by("pk"))
    assert [_etat(i) for i in lues] == [_etat(i) for i in par_django]
    personne = lues[0]
    assert "telephone" in personne.get_deferred_fields()
    assert personne.telephone == Beneficiaire.objects.get(pk=personne.pk).telephone  # lu à la demande, comme avant
    personne.nom = "NOUVEAU"
    personne.save(update_fields=["nom"])  # une instance chargée s'enregistre (mise à jour, pas création)
    assert Beneficiaire.objects.get(pk=personne.pk).nom == "NOUVEAU"
    assert Beneficiaire.objects.count() == 3


def test_relation_lue_puis_changee(referent):
    personne = BeneficiaireFactory(commune__bassin_emploi=referent.bassins.first())
    autre = BeneficiaireFactory()
    lue = Beneficiaire.objects.get(pk=personne.pk)
    assert lue.commune == personne.commune  # lue puis gardée
    lue.commune_id = autre.commune_id  # la clé changée oublie l'objet gardé, comme pour une instance de Django
    assert lue.commune == autre.commune


def test_recepteur_de_post_init_le_chemin_de_django():
    VehiculeFactory.create_batch(2)
    vus = []

    def recepteur(sender, instance, **kwargs):
        vus.append(instance.pk)

    signals.post_init.connect(recepteur, sender=Vehicule)
    try:
        lus = list(Vehicule.objects.order_by("pk"))
    finally:
        signals.post_init.disconnect(recepteur, sender=Vehicule)
    assert vus == [v.pk for v in lus]  # Model.__init__ a été appelé pour chaque ligne
    list(Vehicule.objects.order_by("pk"))
    assert Vehicule._plan_de_chargement[1] is not None  # sans récepteur, le chemin court revient


def test_plan_fait_une_fois_par_suite_de_noms(monkeypatch):
    """Une lecture d'un seul objet (la fiche en fait une dizaine) ne refait pas le plan : il est gardé par suite de
    noms lus, et seule la vérification des récepteurs est refaite à chaque lecture."""
    from commun import chargement

    vehicule = VehiculeFactory()
    appels = []
    origine = chargement._plan
    monkeypatch.setattr(chargement, "_plan", lambda modele, noms: appels.append(tuple(noms)) or origine(modele, noms))
    monkeypatch.delattr(Vehicule, "_plans_par_noms", raising=False)
    for _ in range(3):
        assert Vehicule.objects.get(pk=vehicule.pk).immatriculation == vehicule.immatriculation
    assert len(appels) == 1


def test_requete_figee_memes_instances_et_recepteur_branche_ensuite(bassins):
    """Les objets de la recherche de véhicules (requête figée, gardée tout le processus) : ceux du QuerySet ; un
    récepteur de `post_init` branché après une première recherche est appelé à la suivante."""
    import datetime

    from mobilite.models import Vehicule
    from mobilite.selecteurs import _RECHERCHE

    VehiculeFactory.create_batch(3)
    debut, fin = datetime.date(2030, 1, 6), datetime.date(2030, 1, 9)

    def chercher():
        return _RECHERCHE.lignes((False, False), debut=debut, fin=fin, bassin=None, type="")

    premiers = chercher()
    assert len(premiers) == 3 and Vehicule._plan_de_chargement[1] is not None
    par_django = _par_django(Vehicule, chercher)
    assert [_etat(v) for v in premiers] == [_etat(v) for v in par_django]
    vus = []

    def recepteur(sender, instance, **kwargs):
        vus.append(instance.pk)

    signals.post_init.connect(recepteur, sender=Vehicule)
    try:
        suivants = chercher()
    finally:
        signals.post_init.disconnect(recepteur, sender=Vehicule)
    assert vus == [v.pk for v in suivants]


def test_modele_a_init_propre_le_chemin_de_django(monkeypatch):
    """Un modèle qui définit son propre `__init__` : Django l'appelle pour chaque objet lu, le chemin court aussi."""

    def init(self, *args, **kwargs):
        Model.__init__(self, *args, **kwargs)
        self.marque_init = True

    VehiculeFactory.create_batch(2)
    monkeypatch.delattr(Vehicule, "_plans_par_noms", raising=False)
    monkeypatch.setattr(Vehicule, "__init__", init)
    assert [v.marque_init for v in Vehicule.objects.only("immatriculation")] == [True, True]

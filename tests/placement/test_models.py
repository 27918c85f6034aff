"""Les invariants tenus par la base elle-même (contraintes nommées, messages en français)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from placement.models import Orientation, ResultatPaye, Sortie, sortie_est_positive
from tests.placement.outils import J0, declarer, jusqu_a_entree, orienter, personne_de

pytestmark = pytest.mark.django_db


def test_contrainte_une_orientation_ouverte_par_personne(personne, referent, lot_orleans):
    o = orienter(personne, referent)
    doublon = Orientation(
        beneficiaire=personne,
        lot=lot_orleans,
        prescripteur=referent,
        date_proposition=J0,
        statut="acceptee",
        date_reponse=J0,
    )
    with pytest.raises(ValidationError, match="déjà une orientation en cours"):
        doublon.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        doublon.save()
    # Une orientation close (refusée) ne compte pas : la contrainte est partielle.
    Orientation.objects.filter(pk=o.pk).update(statut="refusee", motif_refus="autre", date_reponse=J0)
    doublon.save()


def test_contrainte_refus_motive(personne, referent, lot_orleans):
    o = orienter(personne, referent)
    o.statut, o.date_reponse = "refusee", J0
    with pytest.raises(ValidationError, match="Un refus doit être motivé"):
        o.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        o.save()


def test_contrainte_dates_ordonnees(personne, referent, lot_orleans):
    o = orienter(personne, referent)
    o.statut, o.date_reponse = "acceptee", J0 - datetime.timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        o.save()


def test_contrainte_resultat_paye_une_fois(personne, referent, lot_orleans, agent_a):
    o = jusqu_a_entree(personne, referent, agent_a)
    declarer(o, agent_a, "entree")
    doublon = ResultatPaye(orientation=o, lot=lot_orleans, nature="entree", date=J0, prix_unitaire=Decimal("1"))
    with pytest.raises(ValidationError, match="déjà déclaré"):
        doublon.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        doublon.save()


def test_contrainte_sortie_positive_selon_type(bassins, referent, lot_orleans, agent_a):
    o = jusqu_a_entree(personne_de(bassins["Orléans"]), referent, agent_a)
    fausse = Sortie(orientation=o, type="abandon", date=J0 + datetime.timedelta(days=20), positive=True, auteur=agent_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        fausse.save()
    interim_court = Sortie(
        orientation=o,
        type="interim",
        duree_contrat_mois=3,
        date=J0 + datetime.timedelta(days=20),
        positive=True,
        auteur=agent_a,
        employeur_nom="Intérim",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        interim_court.save()


def test_regle_positive_en_python_et_en_sql_concordent():
    assert sortie_est_positive("interim", 6) and not sortie_est_positive("interim", 5)
    assert not sortie_est_positive("interim", None)
    assert sortie_est_positive("cdi") and not sortie_est_positive("cdd_moins_6")

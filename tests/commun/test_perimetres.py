"""Les sélections des listes restreintes au périmètre de l'utilisateur, faites une fois par processus, utilisateur et
version des comptes (commun.tableaux.perimetre_fait_une_fois) : chaque page en reçoit une copie, chacun la sienne,
et tout changement validé d'un compte (rôle, structure) vaut dès la page suivante.

Transactions réellement validées (transaction=True) : c'est la validation qui change les versions."""

from unittest import mock

import pytest
from django.db import transaction
from django.db.models.sql.query import Query

from beneficiaires.models import Beneficiaire
from beneficiaires.selecteurs import beneficiaires_visibles
from commun import tableaux
from comptes.models import Role, User
from contrats.selecteurs import contrats_visibles
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.contrats.factories import ContratAideFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _noms(user):
    # Le compte relu comme le fait chaque requête : jamais l'objet d'une page précédente.
    return sorted(beneficiaires_visibles(User.objects.get(pk=user.pk)).values_list("nom", flat=True))


def test_selection_faite_une_fois_par_utilisateur_copiee_a_chaque_page(bassins, referent, referent_gien):
    fabrique = mock.Mock(side_effect=lambda user: Beneficiaire.objects.visibles_par(user).order_by("pk"))
    selection = tableaux.perimetre_fait_une_fois("essai", fabrique)
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test, nom="ORLEANAISE")
    premiere = selection(referent)
    assert [b.nom for b in premiere] == ["ORLEANAISE"]
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test, nom="SECONDE")
    seconde = selection(referent)
    # Une copie neuve à chaque page : la personne créée entre deux pages est dans la seconde, pas dans la première.
    assert seconde is not premiere and len(seconde) == 2 and len(premiere) == 1
    assert fabrique.call_count == 1
    # Chacun son périmètre : le référent de Gien ne reçoit pas la sélection de celui d'Orléans.
    assert list(selection(referent_gien)) == []
    assert fabrique.call_count == 2


def test_role_change_vaut_a_la_page_suivante(bassins, referent):
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test, nom="ORLEANAISE")
    BeneficiaireFactory(commune=bassins["Gien"].commune_test, nom="GIENNOISE")
    assert _noms(referent) == ["ORLEANAISE"]
    referent.role = Role.PILOTAGE
    referent.save()
    assert _noms(referent) == ["GIENNOISE", "ORLEANAISE"]
    referent.role = Role.AGENT_MOBILITE
    referent.save()
    assert _noms(referent) == []


def test_bassin_ajoute_au_referent_vaut_a_la_page_suivante(bassins, referent):
    BeneficiaireFactory(commune=bassins["Gien"].commune_test, nom="GIENNOISE")
    assert _noms(referent) == []
    referent.bassins.add(bassins["Gien"])
    assert _noms(referent) == ["GIENNOISE"]


def test_rien_garde_d_une_transaction_qui_a_ecrit_sur_les_comptes_sans_valider(bassins, referent):
    BeneficiaireFactory(commune=bassins["Gien"].commune_test, nom="GIENNOISE")
    with transaction.atomic():
        referent.role = Role.PILOTAGE
        referent.save()  # signal : la version des comptes porte un jeton jusqu'à la validation
        assert _noms(referent) == ["GIENNOISE"]
        transaction.set_rollback(True)
    # Annulée : le périmètre de la transaction (pilotage, tout le registre) n'a pas été gardé.
    assert _noms(referent) == []


def test_liste_des_contrats_suit_le_role(bassins, referent):
    ContratAideFactory(beneficiaire__commune=bassins["Gien"].commune_test)
    assert contrats_visibles(User.objects.get(pk=referent.pk)).count() == 0
    referent.role = Role.PILOTAGE
    referent.save()
    assert contrats_visibles(User.objects.get(pk=referent.pk)).count() == 1


@pytest.mark.parametrize("liste", ["beneficiaires", "contrats"])
def test_bassins_du_referent_compiles_une_fois(bassins, referent, monkeypatch, liste):
    """Les bassins d'un référent (`User.bassins_du_perimetre`) : une sous-requête compilée à la première page
    seulement (Django la recompilait à chaque page) ; un bassin ajouté (écriture sur les comptes, le périmètre est
    refait) compte dès la page suivante."""
    for bassin in ("Orléans", "Gien"):
        ContratAideFactory(beneficiaire=BeneficiaireFactory(commune=bassins[bassin].commune_test))
    visibles = beneficiaires_visibles if liste == "beneficiaires" else contrats_visibles
    compilees = []
    origine = Query.as_sql

    def as_sql(self, compiler, connection):
        if self.model is not None and self.model._meta.model_name == "bassinemploi":
            compilees.append(self)
        return origine(self, compiler, connection)

    monkeypatch.setattr(Query, "as_sql", as_sql)
    for tri in ("pk", "-pk", "date_creation"):  # trois pages, chacune avec le compte relu comme par une requête
        assert len(list(visibles(User.objects.get(pk=referent.pk)).order_by(tri)[:50])) == 1
    assert len(compilees) == 1
    referent.bassins.add(bassins["Gien"])
    assert len(list(visibles(User.objects.get(pk=referent.pk)).order_by("pk")[:50])) == 2

"""Parcours : une référente coche des personnes dans la liste des bénéficiaires (« tout cocher », puis en décoche
une) et les confie à un collègue de son bassin en une action ; le fil de la personne le mentionne."""

import pytest

from beneficiaires.models import Beneficiaire
from tests.beneficiaires.factories import BeneficiaireFactory
from tests.comptes.factories import UserFactory
from tests.e2e.conftest import connecter, texte_principal, verifier_page
from tests.referentiel.factories import BassinFactory, CommuneFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def donnees(transactional_db):
    orleans = BassinFactory(nom="Orléans")
    commune = CommuneFactory(nom="Saran", code_insee="45302", bassin_emploi=orleans)
    gien = BassinFactory(nom="Gien")
    referente = UserFactory(username="rachida", first_name="Rachida", last_name="Référente", bassins=[orleans])
    collegue = UserFactory(first_name="Paul", last_name="Collègue", referent=True, bassins=[orleans])
    UserFactory(first_name="Gina", last_name="Giennoise", referent=True, bassins=[gien])  # jamais proposée
    personnes = [
        BeneficiaireFactory(nom=nom, prenoms=prenom, commune=commune, referent=referente)
        for nom, prenom in (("Arnaud", "Léa"), ("Bernard", "Tom"), ("Caron", "Zoé"))
    ]
    return {"collegue": collegue, "personnes": personnes}


def test_referente_reaffecte_depuis_la_liste(onglet, donnees):
    lea, tom, zoe = donnees["personnes"]
    collegue = donnees["collegue"]
    connecter(onglet, "rachida", verifier=False)
    onglet.aller("/beneficiaires/")
    verifier_page(onglet, "liste-a-cocher")

    tout = onglet.get_by_label("Cocher toutes les personnes de la page")
    assert tout.is_visible()  # le script est chargé : la case « tout cocher » apparaît
    tout.check()
    for p in (lea, tom, zoe):
        assert onglet.get_by_label(f"Choisir {p}").is_checked()
    onglet.get_by_label(f"Choisir {zoe}").uncheck()
    assert tout.evaluate("element => element.indeterminate")  # ni toutes ni aucune

    choix = onglet.get_by_label("Réaffecter à")
    assert "Giennoise" not in choix.inner_text()  # seulement les référents du bassin de la référente
    choix.select_option(label=str(collegue))
    onglet.get_by_role("button", name="Réaffecter les personnes cochées").click()
    onglet.wait_for_load_state()
    verifier_page(onglet, "reaffectees")
    assert f"2 personnes confiées à {collegue}." in texte_principal(onglet)
    referents = dict(Beneficiaire.objects.values_list("pk", "referent__last_name"))
    assert (referents[lea.pk], referents[tom.pk], referents[zoe.pk]) == ("Collègue", "Collègue", "Référente")

    onglet.aller(f"/beneficiaires/{lea.pk}/")
    assert f"Référent désigné : {collegue}" in texte_principal(onglet)

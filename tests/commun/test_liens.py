"""`adresse_par_cle` rend exactement ce que rend `reverse`, préfixe d'adresse et configuration d'adresses compris."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from commun.liens import adresse_par_cle


@pytest.mark.parametrize("nom", ["beneficiaires:detail", "contrats:detail", "contrats:employeur"])
@pytest.mark.parametrize("pk", [1, 7, 42, 918273, 2**31 - 1])
def test_meme_adresse_que_reverse(nom, pk):
    assert adresse_par_cle(nom, pk) == reverse(nom, args=[pk])


def test_prefixe_d_adresse_de_la_requete():
    """Derrière un mandataire qui sert l'application sous un préfixe (SCRIPT_NAME) : le préfixe de la requête."""
    try:
        set_script_prefix("/plan-emploi/")
        assert adresse_par_cle("contrats:detail", 5) == reverse("contrats:detail", args=[5])
        assert adresse_par_cle("contrats:detail", 5).startswith("/plan-emploi/")
    finally:
        set_script_prefix("/")
    assert adresse_par_cle("contrats:detail", 5) == reverse("contrats:detail", args=[5])
    assert not adresse_par_cle("contrats:detail", 5).startswith("/plan-emploi/")


def test_cle_qui_n_est_pas_un_entier_et_vue_inconnue():
    """Une clé texte ou négative passe par `reverse` (même résultat, même refus) ; une vue inconnue lève comme
    `reverse`."""
    assert adresse_par_cle("contrats:detail", "12") == reverse("contrats:detail", args=["12"])
    with pytest.raises(NoReverseMatch):
        adresse_par_cle("contrats:detail", -5)
    with pytest.raises(NoReverseMatch):
        adresse_par_cle("contrats:detail", "abc")
    with pytest.raises(NoReverseMatch):
        adresse_par_cle("contrats:inexistante", 3)

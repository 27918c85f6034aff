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


def test_bloc_lit_le_prefixe_une_fois_et_le_rend_a_la_sortie():
    """Dans un bloc `adresses_d_une_requete`, les adresses portent le préfixe lu à l'entrée du bloc ; après le bloc
    (et après un bloc emboîté), celui de la requête suivante, jamais un préfixe gardé d'une autre."""
    from commun.liens import adresse_fixe, adresses_d_une_requete

    try:
        set_script_prefix("/plan-emploi/")
        with adresses_d_une_requete():
            attendu = reverse("contrats:detail", args=[5])
            assert attendu.startswith("/plan-emploi/") and adresse_par_cle("contrats:detail", 5) == attendu
            assert adresse_fixe("contrats:liste") == reverse("contrats:liste")
            with adresses_d_une_requete():
                assert adresse_par_cle("contrats:detail", 6) == reverse("contrats:detail", args=[6])
            assert adresse_par_cle("contrats:detail", 7) == reverse("contrats:detail", args=[7])
        set_script_prefix("/autre/")
        assert adresse_par_cle("contrats:detail", 5) == "/autre/contrats/5/" == reverse("contrats:detail", args=[5])
        with adresses_d_une_requete():
            assert adresse_par_cle("contrats:detail", 5) == "/autre/contrats/5/"
    finally:
        set_script_prefix("/")
    assert adresse_par_cle("contrats:detail", 5) == reverse("contrats:detail", args=[5]) == "/contrats/5/"


@pytest.mark.django_db
@pytest.mark.parametrize("nombre", [3, 30])
def test_liste_lit_le_prefixe_un_nombre_constant_de_fois(client, bassins, monkeypatch, nombre):
    """La liste des contrats lie chaque ligne à sa fiche et à son employeur : le préfixe d'adresse de la requête est
    lu un nombre de fois qui ne dépend pas du nombre de lignes, et les liens le portent (application servie sous
    un préfixe, SCRIPT_NAME)."""
    from commun import liens
    from tests.comptes.factories import UserFactory
    from tests.contrats.factories import ContratAideFactory

    for _ in range(nombre):
        ContratAideFactory()
    lectures = []
    origine = liens.get_script_prefix

    def lire():
        lectures.append(1)
        return origine()

    client.force_login(UserFactory(administrateur=True))
    chemin = reverse("contrats:liste")
    try:
        set_script_prefix("/plan-emploi/")
        client.get(chemin, SCRIPT_NAME="/plan-emploi")  # adresses gardées (menu, liens) : pas de lecture en plus
        monkeypatch.setattr(liens, "get_script_prefix", lire)
        page = client.get(chemin + "?page=1", SCRIPT_NAME="/plan-emploi").content.decode()
    finally:
        set_script_prefix("/")
    assert page.count('href="/plan-emploi/contrats/employeur/') == nombre
    assert len(lectures) <= 3, len(lectures)


def test_adresse_gardee_sous_le_prefixe_de_sa_cle():
    """Une adresse gardée l'est sous le préfixe de sa clé : même si le préfixe courant changeait dans un bloc, ce
    qui est gardé pour un préfixe reste juste pour ce préfixe."""
    from commun import liens

    liens._morceaux.cache_clear()
    liens._adresse_fixe.cache_clear()
    try:
        set_script_prefix("/a/")
        with liens.adresses_d_une_requete():
            set_script_prefix("/b/")  # ce que rien ne doit faire dans un bloc
            assert liens.adresse_par_cle("contrats:detail", 5) == "/a/contrats/5/"
            assert liens.adresse_fixe("contrats:liste") == "/a/contrats/"
        set_script_prefix("/a/")
        assert liens.adresse_par_cle("contrats:detail", 5) == reverse("contrats:detail", args=[5]) == "/a/contrats/5/"
        assert liens.adresse_fixe("contrats:liste") == reverse("contrats:liste") == "/a/contrats/"
    finally:
        set_script_prefix("/")
        liens._morceaux.cache_clear()
        liens._adresse_fixe.cache_clear()


@pytest.mark.parametrize("prefixe", ["/", "/plan-emploi/"])
def test_balise_adresse_comme_la_balise_url(prefixe):
    """`{% adresse 'nom' %}` (mise en page de chaque page) : le texte de `{% url 'nom' %}`, préfixe de la requête
    compris, échappé de même."""
    from django.template import Context, Template

    gabarit = "{% load adresses %}" + "|".join(
        f"{{% adresse '{nom}' %}}" for nom in ("accueil", "comptes:sessions", "theme_css")
    )
    reference = "|".join(f"{{% url '{nom}' %}}" for nom in ("accueil", "comptes:sessions", "theme_css"))
    try:
        set_script_prefix(prefixe)
        attendu = Template(reference).render(Context())
        assert Template(gabarit).render(Context()) == attendu
        assert attendu.startswith(prefixe)
    finally:
        set_script_prefix("/")

"""Une requête servie dans un seul bloc de la pile de l'interpréteur (commun/pile.py) : une boucle d'appels, à
quelque profondeur qu'elle tombe, ne réserve ni ne rend de bloc à chaque appel (défaut CPython gh-142183, en 3.11
et 3.12 : une paire mmap/munmap et un défaut de page par appel à la frontière de deux blocs)."""

import io
import resource
import sys
from unittest import mock

import pytest

from commun import pile

APPELS = 200


def feuille():
    a = b = 1
    return a + b


def _defauts_a_la_profondeur(profondeur):
    """Défauts de page d'une boucle de APPELS appels faite `profondeur` cadres plus bas que l'appelant."""

    def descendre(n):
        if n:
            return descendre(n - 1)
        avant = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(APPELS):
            feuille()
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - avant

    return descendre(profondeur)


def _pires_defauts(profondeurs=range(0, 300)):
    return max(_defauts_a_la_profondeur(p) for p in profondeurs)


def test_dans_l_enveloppe_aucune_profondeur_ne_fait_un_defaut_de_page_par_appel():
    pires = pile.servie_dans_un_bloc(lambda environ, start_response: _pires_defauts())({}, None)
    assert pires < APPELS // 4


@pytest.mark.skipif(sys.version_info >= (3, 13), reason="corrigé dans l'interpréteur (gh-142183, 3.13 et 3.14)")
def test_sans_enveloppe_une_profondeur_fait_un_defaut_de_page_par_appel():
    """Le défaut que l'enveloppe évite existe bien sur cet interpréteur (sinon le test précédent ne prouverait rien)."""
    assert _pires_defauts() >= APPELS


def test_l_application_wsgi_du_projet_est_enveloppee_et_sert_les_requetes(db):
    from django.core.handlers.wsgi import WSGIHandler

    from plan_emploi.wsgi import application

    assert isinstance(application.application, WSGIHandler)
    assert pile.taille_du_cadre(pile.dans_un_bloc.__code__) >= 8 * pile.VARIABLES_DU_CADRE
    statuts = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/comptes/connexion/",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    with mock.patch.object(pile, "dans_un_bloc", wraps=pile.dans_un_bloc) as bloc:
        reponse = application(environ, lambda statut, entetes, *exc: statuts.append(statut))
    assert bloc.call_count == 1  # la requête servie sous le gros cadre
    contenu = b"".join(reponse)
    reponse.close()
    assert statuts == ["200 OK"] and b"<form" in contenu


def test_la_page_la_plus_profonde_tient_dans_la_place_laissee_avec_une_marge(client, bassins):
    """Les cadres d'une page de liste (middlewares, vue, filtres, gabarits imbriqués, corps du tableau) tiennent
    dans la moitié de la place que le bloc de l'enveloppe leur laisse : aucun autre bloc n'est réservé pendant la
    requête. Profondeur mesurée à chaque appel (somme des tailles des cadres), à partir du cadre du test."""
    from django.urls import reverse

    from tests.beneficiaires.factories import BeneficiaireFactory
    from tests.comptes.factories import UserFactory

    referent = UserFactory(referent=True, bassins=[bassins["Orléans"]])
    for i in range(30):
        BeneficiaireFactory(commune=bassins["Orléans"].commune_test, referent=referent, nom=f"Martin{i}")
    client.force_login(referent)
    adresse = reverse("beneficiaires:liste") + "?sort=-evaluation&statut=a_evaluer&page=1"
    client.get(adresse)

    def profondeur(cadre):
        total = 0
        while cadre is not None:
            total += pile.taille_du_cadre(cadre.f_code)
            cadre = cadre.f_back
        return total

    base = profondeur(sys._getframe())
    plus_profond = [0]

    def suivre(cadre, evenement, _):
        if evenement == "call":
            plus_profond[0] = max(plus_profond[0], profondeur(cadre) - base)

    sys.setprofile(suivre)
    try:
        reponse = client.get(adresse + "&x=1")
    finally:
        sys.setprofile(None)
    assert reponse.status_code == 200
    assert 10_000 < plus_profond[0] < pile.place_pour_la_requete() / 2

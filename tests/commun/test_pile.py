"""Une requête servie dans un seul bloc de la pile de l'interpréteur (commun/pile.py) : une boucle d'appels, à
quelque profondeur qu'elle tombe, ne réserve ni ne rend de bloc à chaque appel (défaut CPython gh-142183, en 3.11
et 3.12 : une paire mmap/munmap et un défaut de page par appel à la frontière de deux blocs)."""

import io
import resource
import sys

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
    from plan_emploi.wsgi import application

    assert application.application is not None and pile.taille_du_cadre() >= pile.VARIABLES_DU_CADRE
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
    reponse = application(environ, lambda statut, entetes, *exc: statuts.append(statut))
    contenu = b"".join(reponse)
    reponse.close()
    assert statuts == ["200 OK"] and b"<form" in contenu

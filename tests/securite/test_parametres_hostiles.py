"""Paramètres d'URL hostiles (hypothesis) sur chaque page de liste et de recherche du projet.

Les pages sont trouvées par le résolveur (comme la matrice d'accès) ; les paramètres GET de chacune sont ceux que
déclarent son filtre (`filterset_class`) ou son formulaire d'URL (`formulaire_url`), plus ceux que la page elle-même
propose (champs de ses formulaires GET, paramètres de ses liens vers elle-même : « mois suivant », pagination).
Chaque paramètre reçoit, seul, des valeurs hostiles : dates et années hors limites, nombres immenses ou négatifs,
caractère nul, texte quelconque tiré par hypothesis (graine fixe). La page est demandée par un rôle qui la voit
(d'après la matrice d'accès), et ses exports CSV/XLSX quand elle en a. Attendu : jamais d'erreur 500.
"""

import datetime
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothese
from hypothesis import strategies as st

from commun.formulaires import MESSAGE_DATE, MESSAGE_NUL
from tests.securite import monde as M
from tests.securite.test_matrice_acces import GET, PARAMS, REQUETE
from tests.securite.urls_projet import routes

pytestmark = pytest.mark.urls("tests.securite.urls_rgpd")

# Les valeurs qui ont fait tomber des pages (années 0001 et 9999, année négative ou à 20 chiffres, NUL) : chaque
# paramètre les reçoit toutes ; hypothesis en tire d'autres.
TRANCHANTES = ["9999-12-31", "0001-01-01", "-5", "9" * 20, "\x00"]
# Tous les paramètres d'une page à la fois reçoivent en plus un mois hors limites.
TRANCHANTES_ENSEMBLE = [*TRANCHANTES, "9999-12"]
# Sur les exports (même filtre, autre sortie) : les nombres qui passent la conversion mais pas la base.
TRANCHANTES_EXPORT = ["-5", "9" * 20]
ALEATOIRES = st.one_of(
    st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)).map(datetime.date.isoformat),
    st.integers(min_value=-(10**22), max_value=10**22).map(str),
    st.text(max_size=30),
    st.from_regex(r"\A-?\d{1,4}-\d{1,2}(-\d{1,2})?\Z"),
)
EXEMPLES_ALEATOIRES = 1
# Paramètres techniques : le déclencheur d'export (essayé à part, avec chaque format) et la clé htmx.
IGNORES = {"_export", "csrfmiddlewaretoken"}


class ParametresGet(HTMLParser):
    """Les noms des champs des formulaires GET de la page, et les paramètres de ses liens vers elle-même."""

    def __init__(self, chemin):
        super().__init__()
        self.chemin = chemin
        self.noms = set()
        self._dans_get = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._dans_get = (a.get("method") or "get").lower() == "get"
        elif tag in ("input", "select", "textarea") and self._dans_get and a.get("name"):
            if (a.get("type") or "").lower() not in ("submit", "button", "reset"):
                self.noms.add(a["name"])
        elif tag == "a" and a.get("href"):
            lien = urlsplit(a["href"])
            if lien.query and lien.path in ("", self.chemin):
                self.noms.update(nom for nom, _ in parse_qsl(lien.query, keep_blank_values=True))

    def handle_endtag(self, tag):
        if tag == "form":
            self._dans_get = False


def parametres_declares(route):
    classe = route.classe
    noms = set()
    if classe is None:
        return noms
    filtre = getattr(classe, "filterset_class", None)
    if filtre is not None:
        noms.update(filtre.base_filters)
    formulaire = getattr(classe, "formulaire_url", None)
    if formulaire is not None:
        noms.update(formulaire.base_fields)
    if getattr(classe, "table_class", None) is not None:
        # Ce que django-tables2 lit dans l'adresse (page, tri, lignes par page), liens proposés ou non.
        noms.update(("page", "sort", "per_page"))
    return noms


def role_qui_voit(nom):
    return next((role for role, code in zip(M.ROLES, GET[nom].split(), strict=True) if code == "200"), None)


def pages_a_parcourir(m, clients):
    """[(nom, url, base, client, paramètres, exporte)] pour chaque page GET ayant des paramètres."""
    pages = []
    for nom, route in sorted(routes().items()):
        role = role_qui_voit(nom) if nom in GET else None
        if role is None or role == "anonyme":
            continue
        url = reverse(nom, kwargs=PARAMS.get(nom, lambda m: {})(m))
        base = REQUETE.get(nom, lambda m: {})(m)
        client = clients[role]
        reponse = client.get(url, base)
        lecteur = ParametresGet(url)
        if reponse.get("Content-Type", "").startswith("text/html"):
            lecteur.feed(reponse.content.decode("utf-8", errors="replace"))
        noms = (parametres_declares(route) | lecteur.noms) - IGNORES
        if not noms:
            continue
        exporte = hasattr(route.classe, "export_formats") if route.classe else False
        pages.append((nom, url, base, client, sorted(noms), exporte))
    return pages


def _demander(client, url, base, parametres, erreurs, nom_page, compte):
    reponse = client.get(url, {**base, **parametres})
    compte["requetes"] += 1
    if reponse.status_code >= 500:
        erreurs.append(f"{nom_page} {url} {parametres!r} ({base}) : {reponse.status_code}")


def au_hasard(demander):
    """`demander(valeur)` pour quelques valeurs tirées par hypothesis (graine fixe : la même suite à chaque fois)."""

    @seed(20261206)
    @hypothese(
        max_examples=EXEMPLES_ALEATOIRES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(valeur=ALEATOIRES)
    def essayer(valeur):
        demander(valeur)

    essayer()


@pytest.mark.django_db
def test_aucun_parametre_d_url_ne_provoque_d_erreur_500(bassins, capsys):
    m = M.construire(bassins)
    clients = {}
    for role in M.ROLES[1:]:
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(m.users[role])
    pages = pages_a_parcourir(m, clients)
    erreurs, compte = [], {"requetes": 0, "couples": 0}
    for nom_page, url, base, client, noms, exporte in pages:
        exports = [{**base, "_export": "csv"}] if exporte else []
        if nom_page == "tableau_de_bord:export":
            exports = [(reverse(nom_page, kwargs={"format": "xlsx"}), base)]
        else:
            exports = [(url, b) for b in exports]
        for valeur in TRANCHANTES_ENSEMBLE:
            # Tous les paramètres à la fois (une période dont début et fin sont tous deux hors limites).
            tous = {nom: valeur for nom in noms}
            _demander(client, url, base, tous, erreurs, nom_page, compte)
            for u, b in exports:
                _demander(client, u, b, tous, erreurs, nom_page, compte)
        for nom_param in noms:
            compte["couples"] += 1
            for valeur in TRANCHANTES:
                _demander(client, url, base, {nom_param: valeur}, erreurs, nom_page, compte)
            for u, b in exports:
                for valeur in TRANCHANTES_EXPORT:
                    _demander(client, u, b, {nom_param: valeur}, erreurs, nom_page, compte)
            au_hasard(
                lambda valeur, p=nom_param, n=nom_page, c=client, u=url, b=base: _demander(
                    c, u, b, {p: valeur}, erreurs, n, compte
                )
            )
    with capsys.disabled():
        print(
            f"\nParamètres d'URL hostiles : {len(pages)} pages, {compte['couples']} couples page × paramètre, "
            f"{compte['requetes']} requêtes, {len(erreurs)} erreurs 500."
        )
    assert len(pages) >= 20, [p[0] for p in pages]
    assert not erreurs, f"{len(erreurs)} erreurs 500 :\n" + "\n".join(erreurs[:80])


# Les cas relevés par la sonde : chacun reçoit l'erreur en français de son formulaire, jamais une erreur 500.
CAS_CONNUS = [
    ("contrats:liste", {}, {"annee": "-5"}, "supérieure ou égale à 1900"),
    ("contrats:liste", {}, {"annee": "9" * 20}, "inférieure ou égale à 2100"),
    ("contrats:liste", {}, {"annee": "-5", "_export": "csv"}, None),
    ("tableau_de_bord:tableau", {}, {"debut": "9990-01-01", "fin": "9999-12-31"}, MESSAGE_DATE),
    ("tableau_de_bord:tableau", {}, {"debut": "0001-01-01", "fin": "0001-12-31"}, MESSAGE_DATE),
    ("mobilite:planning", {}, {"debut": "9999-12-31"}, MESSAGE_DATE),
    ("mobilite:planning", {}, {"debut": "0001-01-01"}, MESSAGE_DATE),
    ("mobilite:planning", {}, {"semaines": "9" * 20}, "inférieure ou égale à 8"),
    ("mobilite:calendrier", {"pk": "vehicule"}, {"mois": "9999-12"}, MESSAGE_DATE),
    ("mobilite:calendrier", {"pk": "vehicule"}, {"mois": "décembre"}, "aaaa-mm"),
    ("mobilite:reserver", {}, {"q": "\x00"}, MESSAGE_NUL),
]


@pytest.mark.django_db
def test_les_cas_releves_recoivent_l_erreur_du_formulaire(bassins):
    m = M.construire(bassins)
    client = Client(raise_request_exception=True)
    client.force_login(m.users["administrateur"])
    for nom, kwargs, parametres, message in CAS_CONNUS:
        url = reverse(nom, kwargs={cle: getattr(m, objet).pk for cle, objet in kwargs.items()})
        base = {"vehicule": m.vehicule.pk} if nom == "mobilite:reserver" else {}
        reponse = client.get(url, {**base, **parametres})
        assert reponse.status_code == 200, (nom, parametres)
        if message is not None:
            assert escape(message) in reponse.content.decode(), (nom, parametres)


@pytest.mark.django_db
@pytest.mark.parametrize("format", ["csv", "xlsx"])
@pytest.mark.parametrize("periode", [("9990-01-01", "9999-12-31"), ("0001-01-01", "0001-12-31")])
def test_l_export_du_tableau_refuse_une_periode_hors_limites(client, admin_user, format, periode):
    client.force_login(admin_user)
    url = reverse("tableau_de_bord:export", kwargs={"format": format})
    reponse = client.get(url, {"debut": periode[0], "fin": periode[1]})
    assert reponse.status_code == 400
    assert MESSAGE_DATE in reponse.content.decode()

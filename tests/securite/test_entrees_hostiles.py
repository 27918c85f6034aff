"""Entrées hostiles (hypothesis) sur les principaux formulaires, soumis par HTTP comme un navigateur.

Pour chaque formulaire, les champs sont lus dans la page (GET), puis remplis de valeurs aléatoires et hostiles :
chaînes très longues, balises HTML et scripts, fragments SQL, Unicode inhabituel, dates hors limites, nombres
négatifs ou immenses. Attendu : jamais d'erreur 500 (le client de test lève l'exception) ; une réponse 200 est
le formulaire ré-affiché avec une erreur en français à côté du champ, et rien n'a été enregistré.
"""

import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothese
from hypothesis import strategies as st

from tests.securite import monde as M
from tests.securite.test_matrice_acces import differences, etat_base

pytestmark = pytest.mark.urls("tests.securite.urls_rgpd")

HOSTILES = [
    "",
    " ",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE beneficiaires_beneficiaire; --",
    "1 OR 1=1",
    '=HYPERLINK("http://x")',
    "A" * 5000,
    "é" * 300,
    "\u202etxt.exe",
    "\u0000nul",
    "𝕏🙂‍👩‍👩‍👧",
    "Ω≈ç√∫˜µ≤≥÷",
    "-1",
    "0",
    "-999999999999",
    "99999999999999999999999",
    "1e308",
    "NaN",
    "1,5",
    "31/02/2020",
    "00/00/0000",
    "01/01/0001",
    "9999-12-31",
    "01/01/1800",
    "2020-13-45",
    "../../etc/passwd",
    "{{ 7*7 }}",
    "%s%s%n",
]

# Messages anglais de Django ou d'une bibliothèque : ils ne doivent jamais atteindre l'utilisateur.
ANGLAIS = re.compile(
    r"This field is required|Enter a valid|Ensure this value|Select a valid choice|is not one of the available"
    r"|has at most|Null characters are not allowed|Invalid|must be|characters long"
)
# Une valeur refusée produit un message dans le formulaire (django-bootstrap5 : invalid-feedback sous le champ
# marqué is-invalid ; text-danger en tête de formulaire pour une règle qui porte sur tout le formulaire).
ERREUR = re.compile(r'class="[^"]*\b(invalid-feedback|is-invalid|text-danger|alert-danger|errorlist)\b')


class LecteurFormulaire(HTMLParser):
    """Les champs (nom, type, options) des formulaires POST de la page."""

    def __init__(self):
        super().__init__()
        self.formulaires = []
        self._courant = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._courant = {"action": a.get("action"), "champs": {}, "enctype": a.get("enctype", "")}
            self.formulaires.append(self._courant)
        elif self._courant is not None and tag in ("input", "select", "textarea") and a.get("name"):
            nom = a["name"]
            if nom == "csrfmiddlewaretoken":
                return
            type_ = a.get("type", tag).lower()
            champ = self._courant["champs"].setdefault(
                nom, {"type": type_, "options": [], "valeur": a.get("value", "")}
            )
            if tag == "select":
                self._select = champ
            if type_ in ("radio", "checkbox") and a.get("value"):
                champ["options"].append(a["value"])
        elif tag == "option" and self._select is not None and a.get("value") not in (None, ""):
            self._select["options"].append(a["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._courant = None
        elif tag == "select":
            self._select = None


def champs_du_formulaire(html):
    lecteur = LecteurFormulaire()
    lecteur.feed(html)
    # Le formulaire de la page est celui qui a le plus de champs (la barre a un formulaire de déconnexion vide).
    formulaire = max(lecteur.formulaires, key=lambda f: len(f["champs"]), default=None)
    assert formulaire and formulaire["champs"], "Aucun formulaire trouvé dans la page"
    return formulaire["champs"]


def valeur_pour(champ):
    hostile = st.one_of(st.sampled_from(HOSTILES), st.text(max_size=60))
    options = champ["options"]
    if champ["type"] == "file":
        return st.just(None)
    if options:
        return st.one_of(st.sampled_from(options), hostile)
    if champ["valeur"]:
        return st.one_of(st.just(champ["valeur"]), hostile)
    return hostile


def donnees(champs):
    return st.fixed_dictionaries({nom: valeur_pour(c) for nom, c in champs.items() if c["type"] != "file"})


@pytest.fixture
def monde(db, bassins):
    m = M.construire(bassins)
    from tests.beneficiaires.factories import BeneficiaireFactory

    m.objets["personne_libre"] = BeneficiaireFactory(commune=m.bassin.commune_test, nom="Personne-Libre")
    return m


FORMULAIRES = {
    # nom : (nom d'URL, rôle, kwargs, paramètres de requête)
    "personne_creer": ("beneficiaires:creer", "referent", lambda m: {}, lambda m: {}),
    "personne_modifier": ("beneficiaires:modifier", "referent", lambda m: {"pk": m.personne.pk}, lambda m: {}),
    "evaluation": ("beneficiaires:evaluation_saisir", "referent", lambda m: {"pk": m.personne.pk}, lambda m: {}),
    "contrat_brouillon": ("contrats:creer", "referent", lambda m: {}, lambda m: {"beneficiaire": m.personne.pk}),
    "orientation": (
        "placement:orienter", "referent", lambda m: {"beneficiaire_pk": m.personne_libre.pk}, lambda m: {}
    ),
    "reservation": (
        "mobilite:reserver", "referent", lambda m: {},
        lambda m: {"beneficiaire": m.personne.pk, "vehicule": m.vehicule.pk},
    ),
    "forum_creer": ("forums:creer", "referent", lambda m: {}, lambda m: {}),
}  # fmt: skip


def verifier_reponse(reponse, avant, apres, nom):
    assert reponse.status_code in (200, 302, 400, 404), f"{nom} : statut {reponse.status_code}"
    if reponse.status_code == 200:
        page = reponse.content.decode()
        assert ERREUR.search(page), f"{nom} : formulaire ré-affiché sans message d'erreur"
        anglais = ANGLAIS.findall(page)
        assert not anglais, f"{nom} : message non traduit {anglais[:3]}"
        assert differences(avant, apres) == [], f"{nom} : enregistrement malgré l'erreur"
    elif reponse.status_code in (400, 404):
        assert differences(avant, apres) == [], f"{nom} : enregistrement malgré le refus"


@pytest.mark.django_db
@pytest.mark.parametrize("nom", sorted(FORMULAIRES))
def test_formulaire_resiste_aux_entrees_hostiles(monde, nom):
    nom_url, role, kwargs, requete = FORMULAIRES[nom]
    client = Client()
    client.force_login(monde.users[role])
    url = reverse(nom_url, kwargs=kwargs(monde))
    q = requete(monde)
    url_complete = f"{url}?{urlencode(q)}" if q else url
    page = client.get(url_complete)
    assert page.status_code == 200, f"{nom} : la page du formulaire ne s'ouvre pas ({page.status_code})"
    champs = champs_du_formulaire(page.content.decode())

    @hypothese(
        max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                               HealthCheck.too_slow], database=None,
    )  # fmt: skip
    @given(valeurs=donnees(champs))
    def essai(valeurs):
        avant = etat_base()
        reponse = client.post(url_complete, valeurs)
        verifier_reponse(reponse, avant, etat_base(), nom)

    essai()


@pytest.mark.django_db
def test_import_refuse_les_fichiers_hostiles(monde, settings):
    settings.IMPORT_TAILLE_MAX = 64 * 1024
    client = Client()
    client.force_login(monde.users["administrateur"])
    url = reverse("beneficiaires:import")
    champs = champs_du_formulaire(client.get(url).content.decode())
    champ_fichier = next(n for n, c in champs.items() if c["type"] == "file")
    autres = {n: "CAF test" for n, c in champs.items() if c["type"] != "file"}

    @hypothese(max_examples=25, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
    @given(
        contenu=st.one_of(
            st.binary(max_size=2000),
            st.sampled_from(
                [
                    b"",
                    b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
                    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
                    b"PK\x03\x04" + b"\x00" * 200,  # un faux XLSX (zip vide)
                    b"MZ\x90\x00" + b"\x00" * 200,  # un exécutable
                    b"<html><script>alert(1)</script></html>",
                    b"A" * (64 * 1024 + 1),  # trop gros
                    b"numero_allocataire;nom\n=cmd|' /C calc'!A0;<script>\n",
                ]
            ),
        ),
        nom_fichier=st.sampled_from(["liste.csv", "liste.xlsx", "photo.png", "../../x.csv", "<b>.csv", ""]),
    )
    def essai(contenu, nom_fichier):
        avant = etat_base()
        fichier = SimpleUploadedFile(nom_fichier or "sans-nom", contenu)
        reponse = client.post(url, {**autres, champ_fichier: fichier})
        apres = etat_base()
        assert reponse.status_code in (200, 302)
        if reponse.status_code == 200:
            verifier_reponse(reponse, avant, apres, "import")
        else:
            # Déposé pour aperçu (contenu CSV lisible) : aucune personne n'est encore créée.
            changees = differences(avant, apres)
            assert set(changees) <= {"beneficiaires.importbeneficiaires"}, changees

    essai()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "contenu,nom_fichier,message",
    [
        (b"A" * (20 * 1024 * 1024 + 1), "liste.csv", "dépasse la taille autorisée (20 Mo)"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "liste.csv", "ni un CSV ni un classeur Excel"),
        (b"%PDF-1.4\n", "liste.xlsx", "ni un CSV ni un classeur Excel"),
        (b"PK\x03\x04" + b"\x00" * 200, "liste.xlsx", "endommagé"),
        (b"", "liste.csv", ""),
    ],
    ids=["trop-gros", "image", "pdf", "faux-xlsx", "vide"],
)
def test_import_refus_clair_du_type_et_de_la_taille(client, admin_user, contenu, nom_fichier, message):
    client.force_login(admin_user)
    avant = etat_base()
    reponse = client.post(
        reverse("beneficiaires:import"),
        {"fichier": SimpleUploadedFile(nom_fichier, contenu), "source": "CAF Loiret"},
    )
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert ERREUR.search(page) and message in page
    assert differences(avant, etat_base()) == []

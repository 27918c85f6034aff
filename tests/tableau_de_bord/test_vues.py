"""La page du tableau de bord et ses exports : accès par rôle, périmètre du référent, registre, liens, SVG, CSV/XLSX."""

import csv
import io
import re
from datetime import date

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from comptes.models import JournalExport
from tableau_de_bord import registre
from tests.comptes.factories import UserFactory

from .indicateurs_test import declarer_tous
from .test_calcul import _ajouter, evaluation

URL = reverse("tableau_de_bord:tableau")
ANNEE = {"annee": 2018}


@pytest.fixture
def jeu(bassins, registre_isole):
    declarer_tous(registre_isole)
    evaluateur = UserFactory(referent=True)
    evaluation(bassins["Orléans"], date(2018, 1, 5), evaluateur=evaluateur)
    evaluation(bassins["Orléans"], date(2018, 3, 5), evaluateur=evaluateur)
    evaluation(bassins["Gien"], date(2018, 3, 15), evaluateur=evaluateur)
    evaluation(bassins["Montargis"], date(2017, 6, 1), evaluateur=evaluateur)
    return bassins


@pytest.mark.parametrize(
    ("role", "attendu"),
    [
        ({"administrateur": True}, 200),
        ({"pilotage": True}, 200),
        ({"referent": True}, 200),
        ({"prestataire": True}, 403),
        ({"agent_mobilite": True}, 403),
    ],
)
def test_acces_par_role(client, jeu, role, attendu):
    client.force_login(UserFactory(**role))
    assert client.get(URL, ANNEE).status_code == attendu
    assert client.get(reverse("tableau_de_bord:export", args=["csv"]), ANNEE).status_code == attendu


def test_anonyme_renvoye_vers_la_connexion(client, db):
    reponse = client.get(URL)
    assert reponse.status_code == 302 and reverse("comptes:connexion") in reponse["Location"]


def test_page_pilotage_montre_chiffres_cibles_evolution_et_liens(client, jeu, pilotage):
    from tableau_de_bord.services import objectif_enregistrer

    objectif_enregistrer(annee=2018, code="test_evaluations", valeur=12)
    client.force_login(pilotage)
    reponse = client.get(URL, ANNEE)
    html = reponse.content.decode()
    t = reponse.context["tableau"]
    assert t.indicateur("test_evaluations").valeur == 3
    assert "Évaluations réalisées (test)" in html
    assert "Cible : 12" in html and "25 %" in html  # 3 / 12
    assert "Évolution : +2 (+200 %)" in html  # 1 évaluation en 2017 (Montargis)
    # Sections dans l'ordre des axes, colonnes des 4 bassins + total.
    assert html.index("Axe 1") < html.index("Axe 2") < html.index("Axe 3") < html.index("Forums de l")
    entetes = re.findall(r'<th scope="col" class="text-end">([^<]+)</th>', html)
    assert entetes == ["Gien", "Montargis", "Orléans", "Pithiviers", "Total"]
    # Chaque chiffre renvoie vers la liste filtrée (total et par bassin).
    ind = t.indicateur("test_evaluations")
    assert ind.lien.replace("&", "&amp;") in html
    for lien in ind.liens_bassin.values():
        assert lien.replace("&", "&amp;") in html
    assert "debut=2018-01-01" in ind.lien and "fin=2018-12-31" in ind.lien


def test_graphique_svg_sans_style_avec_tableau_de_donnees(client, jeu, pilotage):
    client.force_login(pilotage)
    html = client.get(URL, ANNEE).content.decode()
    assert "<svg" in html
    assert "style=" not in html  # CSP : aucun attribut style en ligne, SVG compris
    assert "<script>" not in html
    assert "Données du graphique (tableau)" in html
    assert '<th scope="row">janv. 18</th><td>1</td>' in html
    assert '<th scope="row">mars 18</th><td>2</td>' in html


def test_referent_limite_a_ses_bassins(client, jeu):
    referent = UserFactory(referent=True, bassins=[jeu["Orléans"], jeu["Gien"]])
    client.force_login(referent)
    reponse = client.get(URL, ANNEE)
    html = reponse.content.decode()
    t = reponse.context["tableau"]
    assert t.restreint
    assert [nom for _, nom in t.bassins] == ["Gien", "Orléans"]
    entetes = re.findall(r'<th scope="col" class="text-end">([^<]+)</th>', html)
    assert entetes == ["Gien", "Orléans", "Total"]
    assert "Montargis" not in html and "Pithiviers" not in html
    assert t.indicateur("test_evaluations").valeur == 3
    # Évaluation 2017 de Montargis hors périmètre : période précédente à 0.
    assert t.indicateur("test_evaluations").precedent == 0
    # Le filtre de bassin ne propose que les siens ; un bassin d'un autre est refusé (retour à ses bassins).
    choix = [str(c) for _, c in reponse.context["form"].fields["bassin"].choices]
    assert "Montargis" not in choix
    autre = client.get(URL, {**ANNEE, "bassin": jeu["Montargis"].pk})
    assert [nom for _, nom in autre.context["tableau"].bassins] == ["Gien", "Orléans"]
    assert autre.context["form"].errors


def test_filtre_sur_un_bassin_et_periode_libre(client, jeu, pilotage):
    client.force_login(pilotage)
    reponse = client.get(URL, {"bassin": jeu["Orléans"].pk, "debut": "2018-03-01", "fin": "2018-03-31"})
    t = reponse.context["tableau"]
    assert (t.debut, t.fin) == (date(2018, 3, 1), date(2018, 3, 31))
    assert t.bassins == [(jeu["Orléans"].pk, "Orléans")]
    assert t.indicateur("test_evaluations").valeur == 1
    assert t.indicateur("test_evaluations").precedent == 0  # février 2018


def test_periode_invalide_signalee(client, jeu, pilotage):
    client.force_login(pilotage)
    reponse = client.get(URL, {"debut": "2018-03-01"})
    assert reponse.status_code == 200
    assert "Indiquez les deux dates" in reponse.content.decode()
    reponse = client.get(URL, {"debut": "2018-03-01", "fin": "2018-02-01"})
    assert "La fin de la période doit suivre son début." in reponse.content.decode()


def test_nouvel_indicateur_apparait_sans_toucher_au_tableau(client, jeu, pilotage, registre_isole):
    def dossiers_test(ctx):
        return registre.Indicateur(code="test_dossiers", libelle="Dossiers d'un axe ajouté par un test", valeur=42)

    registre_isole(dossiers_test, axe="mobilite", ordre=99)
    client.force_login(pilotage)
    html = client.get(URL, ANNEE).content.decode()
    assert "Dossiers d&#x27;un axe ajouté par un test" in html
    section = html[html.index("Axe 4") : html.index("Forums de l")]
    assert "42" in section


def test_axe_inconnu_refuse():
    with pytest.raises(ValueError, match="Axe inconnu"):
        registre.indicateur(axe="axe_imaginaire")


@pytest.mark.parametrize("lignes", [3, 30])
def test_requetes_constantes_page(client, jeu, pilotage, lignes, django_assert_max_num_queries):
    _ajouter(jeu, lignes)
    client.force_login(pilotage)
    # session (lecture, écriture) + utilisateur + bassins (calcul, liste du filtre) + 3 x 2 indicateurs
    # + objectifs + chiffres clés + points de sauvegarde (ATOMIC_REQUESTS) + versions des données (clés du
    # cache) : 18, quel que soit le volume.
    with django_assert_max_num_queries(18):
        reponse = client.get(URL, ANNEE)
    assert reponse.context["tableau"].indicateur("test_evaluations").valeur >= 3


# --- Exports -----------------------------------------------------------------------------------------


def _csv(reponse):
    return list(csv.DictReader(io.StringIO(reponse.content.decode("utf-8"))))


def test_export_csv_une_ligne_par_indicateur_bassin_mois(client, jeu, pilotage):
    from tableau_de_bord.services import objectif_enregistrer

    objectif_enregistrer(annee=2018, code="test_evaluations", valeur=12)
    objectif_enregistrer(annee=2018, code="test_evaluations", bassin=jeu["Orléans"], valeur=8)
    client.force_login(pilotage)
    reponse = client.get(reverse("tableau_de_bord:export", args=["csv"]), ANNEE)
    assert reponse.status_code == 200
    assert reponse["Content-Type"].startswith("text/csv")
    assert 'filename="tableau-de-bord_2018-01-01_2018-12-31.csv"' in reponse["Content-Disposition"]
    lignes = _csv(reponse)
    assert list(lignes[0]) == ["code", "libellé", "axe", "bassin", "mois", "valeur", "cible", "unité"]
    # 3 indicateurs x (4 bassins + total) x (12 mois + la période).
    assert len(lignes) == 3 * 5 * 13
    evals = [row for row in lignes if row["code"] == "test_evaluations"]
    par_cle = {(row["bassin"], row["mois"]): row for row in evals}
    assert par_cle[("Orléans", "2018-01")]["valeur"] == "1"
    assert par_cle[("Orléans", "2018-03")]["valeur"] == "1"
    assert par_cle[("Gien", "2018-03")]["valeur"] == "1"
    assert par_cle[("Pithiviers", "2018-03")]["valeur"] == "0"
    assert par_cle[("Tout le Département", "2018-03")]["valeur"] == "2"
    periode = "2018-01-01/2018-12-31"
    assert par_cle[("Tout le Département", periode)]["valeur"] == "3"
    assert par_cle[("Tout le Département", periode)]["cible"] == "12"
    assert par_cle[("Orléans", periode)]["cible"] == "8"
    assert par_cle[("Gien", periode)]["cible"] == ""
    assert {row["axe"] for row in evals} == {registre.AXES["evaluation"]}
    # Somme des mois d'un bassin = valeur du bassin sur la période.
    for nom in ("Gien", "Montargis", "Orléans", "Pithiviers"):
        mois = [int(r["valeur"]) for r in evals if r["bassin"] == nom and r["mois"] != periode]
        assert sum(mois) == int(par_cle[(nom, periode)]["valeur"])


def test_export_neutralise_les_formules_et_est_journalise(client, jeu, pilotage):
    client.force_login(pilotage)
    reponse = client.get(reverse("tableau_de_bord:export", args=["csv"]), ANNEE)
    libelles = {row["libellé"] for row in _csv(reponse)}
    assert "'=SOMME(A1) évaluations avec permis B" in libelles
    assert "=SOMME(A1) évaluations avec permis B" not in libelles
    journal = JournalExport.objects.get()
    assert (journal.utilisateur, journal.vue, journal.format, journal.lignes) == (
        pilotage,
        "tableau_de_bord:export",
        "csv",
        3 * 5 * 13,
    )
    assert "annee=2018" in journal.filtres


def test_export_xlsx(client, jeu, admin_user):
    client.force_login(admin_user)
    reponse = client.get(reverse("tableau_de_bord:export", args=["xlsx"]), ANNEE)
    assert reponse.status_code == 200
    feuille = openpyxl.load_workbook(io.BytesIO(reponse.content)).active
    lignes = list(feuille.iter_rows(values_only=True))
    assert lignes[0] == ("code", "libellé", "axe", "bassin", "mois", "valeur", "cible", "unité")
    assert len(lignes) == 1 + 3 * 5 * 13
    assert any(str(row[1]).startswith("'=SOMME") for row in lignes[1:])
    assert not any(isinstance(c, str) and c.startswith("=") for row in lignes for c in row)
    assert JournalExport.objects.filter(format="xlsx").count() == 1


def test_export_referent_limite_a_ses_bassins(client, jeu):
    client.force_login(UserFactory(referent=True, bassins=[jeu["Gien"]]))
    lignes = _csv(client.get(reverse("tableau_de_bord:export", args=["csv"]), ANNEE))
    assert {row["bassin"] for row in lignes} == {"Gien", "Total des bassins affichés"}
    total = [r for r in lignes if r["code"] == "test_evaluations" and r["mois"] == "2018-01-01/2018-12-31"]
    assert {r["bassin"]: r["valeur"] for r in total} == {"Gien": "1", "Total des bassins affichés": "1"}


def test_export_interdit_au_prestataire_et_non_journalise(client, jeu):
    client.force_login(UserFactory(prestataire=True))
    assert client.get(reverse("tableau_de_bord:export", args=["xlsx"]), ANNEE).status_code == 403
    assert not JournalExport.objects.exists()


def test_export_format_inconnu(client, jeu, pilotage):
    client.force_login(pilotage)
    assert client.get(reverse("tableau_de_bord:export", args=["pdf"])).status_code == 404


def test_periode_par_defaut_l_annee_civile_en_cours_meme_avec_des_cibles_plus_anciennes(client, jeu, pilotage):
    from tableau_de_bord.services import objectif_enregistrer

    objectif_enregistrer(annee=2018, code="test_evaluations", valeur=12)
    aujourdhui = timezone.localdate()
    client.force_login(pilotage)
    reponse = client.get(URL)
    t = reponse.context["tableau"]
    assert (t.debut, t.fin) == (date(aujourdhui.year, 1, 1), date(aujourdhui.year, 12, 31))
    html = reponse.content.decode()
    assert f"Du 01/01/{aujourdhui.year} au 31/12/{aujourdhui.year}" in html
    assert f'<option value="{aujourdhui.year}" selected>' in html


def test_periode_par_defaut_suit_la_date_du_jour(client, jeu, pilotage, monkeypatch):
    """Calculée à chaque requête depuis timezone.localdate(), jamais une constante."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2031, 2, 14))
    client.force_login(pilotage)
    t = client.get(URL).context["tableau"]
    assert (t.debut, t.fin) == (date(2031, 1, 1), date(2031, 12, 31))


@pytest.mark.parametrize("lignes", [3, 30])
def test_requetes_constantes_export(client, jeu, pilotage, lignes, django_assert_max_num_queries):
    _ajouter(jeu, lignes)
    client.force_login(pilotage)
    # Comme la page, sans la liste du filtre, plus l'écriture du journal des exports.
    with django_assert_max_num_queries(20):
        reponse = client.get(reverse("tableau_de_bord:export", args=["csv"]), ANNEE)
    assert len(_csv(reponse)) == 3 * 5 * 13


def test_corps_de_page_rendu_une_fois_puis_perime_par_une_ecriture(client, jeu, pilotage):
    from unittest import mock

    from tableau_de_bord import views

    client.force_login(pilotage)
    with mock.patch.object(views, "render_to_string", wraps=views.render_to_string) as rendu:
        premiere = client.get(URL, ANNEE).content.decode()
        seconde = client.get(URL, ANNEE).content.decode()
        assert rendu.call_count == 1
        # Un référent limité aux mêmes bassins n'a pas la même clé que le département entier.
        referent = UserFactory(referent=True)
        referent.bassins.set([jeu["Orléans"]])
        client.force_login(referent)
        assert "Orléans" in client.get(URL, ANNEE).content.decode()
        assert rendu.call_count == 2
    assert premiere.split('name="csrfmiddlewaretoken"')[0] == seconde.split('name="csrfmiddlewaretoken"')[0]
    assert 'id="indicateur-test_evaluations"' in premiere
    valeur = re.search(r'id="indicateur-test_evaluations".*?chiffre-cle[^>]*>.*?>(\d+)<', premiere, re.S).group(1)
    assert valeur == "3"
    # Une nouvelle évaluation (écriture sur un modèle surveillé) : chiffres et corps recalculés.
    evaluation(jeu["Gien"], date(2018, 4, 2), evaluateur=UserFactory(referent=True))
    client.force_login(pilotage)
    apres = client.get(URL, ANNEE).content.decode()
    valeur = re.search(r'id="indicateur-test_evaluations".*?chiffre-cle[^>]*>.*?>(\d+)<', apres, re.S).group(1)
    assert valeur == "4"


def test_periode_sans_donnee_le_dit_en_mots(client, jeu, pilotage):
    """2016 : aucune évaluation ; l'axe le dit au lieu d'afficher des zéros comme des résultats. 2018 : des
    évaluations, la carte s'affiche."""
    client.force_login(pilotage)
    message = "Aucune donnée sur cette période pour cet axe"
    vide = client.get(URL, {"debut": "2016-01-01", "fin": "2016-12-31"}).content.decode()
    section = vide[vide.index('id="titre-evaluation"') :][:1500]
    assert message in section
    assert 'id="indicateur-test_evaluations"' not in vide
    assert "aucune donnée sur cette période (les zéros ci-dessous ne sont pas des résultats)" in vide
    plein = client.get(URL, ANNEE).content.decode()
    section = plein[plein.index('id="titre-evaluation"') :][:1500]
    assert message not in section
    assert 'id="indicateur-test_evaluations"' in plein

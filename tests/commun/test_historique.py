import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from commun.historique import versions
from tests.beneficiaires.factories import BeneficiaireFactory, EvaluationFactory


def modifier(objet, par, **champs):
    for k, v in champs.items():
        setattr(objet, k, v)
    objet._history_user = par
    objet.save()


@pytest.mark.django_db
def test_versions_disent_qui_a_change_quoi_et_quand(referent, admin_user, bassins):
    personne = BeneficiaireFactory(commune=bassins["Orléans"].commune_test, telephone="0600000001")
    modifier(personne, referent, telephone="0700000002")
    modifier(personne, admin_user, statut_parcours="en_parcours", referent=referent)
    liste = versions(personne)
    assert [v["action"] for v in liste] == ["Modification", "Modification", "Création"]
    assert liste[0]["auteur"] == str(admin_user)
    assert {c["libelle"]: (c["avant"], c["apres"]) for c in liste[0]["changements"]} == {
        "Statut du parcours": ("À évaluer", "En parcours"),
        "Référent unique": ("—", str(referent)),
    }
    assert liste[1]["auteur"] == str(referent)
    assert liste[1]["changements"] == [{"libelle": "Téléphone", "avant": "0600000001", "apres": "0700000002"}]
    creation = {c["libelle"]: c["apres"] for c in liste[2]["changements"]}
    assert creation["Date de naissance"] == "15/06/1985" and "Clé de recherche" not in creation


@pytest.mark.django_db
def test_balise_historique_et_nombre_de_requetes_constant(referent, bassins):
    gabarit = Template("{% load rendu_historique %}{% historique objet %}")

    def rendre(n):
        evaluation = EvaluationFactory(beneficiaire=BeneficiaireFactory(commune=bassins["Orléans"].commune_test))
        for i in range(n):
            modifier(evaluation, referent, experience_annees=i + 1, evaluateur=referent)
        with CaptureQueriesContext(connection) as requetes:
            html = gabarit.render(Context({"objet": evaluation}))
        return html, len(requetes)

    html, peu = rendre(3)
    _, beaucoup = rendre(30)
    assert peu == beaucoup
    assert '<h2 id="titre-historique" class="h4">Historique</h2>' in html
    assert "Expérience professionnelle (années)</span> : 2 → 3" in html
    assert '<th scope="col">Par</th>' in html


@pytest.mark.django_db
def test_historique_echappe_les_valeurs(referent, bassins):
    personne = BeneficiaireFactory(commune=bassins["Orléans"].commune_test)
    modifier(personne, referent, adresse="<script>alert(1)</script>")
    html = Template("{% load rendu_historique %}{% historique objet %}").render(Context({"objet": personne}))
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html

"""Choix tirés du référentiel lus une fois par version (commun.filtres.choix_du_referentiel) : la liste des bassins
d'un filtre et la validation du bassin choisi sans requête après la première page, le même résultat que le champ de
Django, et relus dès que le référentiel ou les comptes changent.

Transactions réellement validées (transaction=True) : c'est la validation qui change les versions."""

import copy
import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commun import filtres
from commun.filtres import ChampChoixModele, lus_du_referentiel
from referentiel.models import BassinEmploi
from referentiel.selecteurs import bassins as bassins_du_referentiel
from tests.beneficiaires.factories import BeneficiaireFactory

pytestmark = pytest.mark.django_db(transaction=True)

INVALIDE = "Sélectionnez un choix valide"


def _lire(client, adresse, **params):
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(adresse, params)
    assert reponse.status_code == 200
    lectures = [q["sql"] for q in requetes.captured_queries if q["sql"].startswith('SELECT "referentiel_bassinemploi"')]
    return reponse.content.decode(), lectures


def test_bassin_du_referent_valide_et_liste_ecrite_sans_requete_apres_la_premiere_page(client, bassins, referent):
    BeneficiaireFactory(commune=bassins["Orléans"].commune_test, nom="Orleanaise")
    client.force_login(referent)
    liste = reverse("beneficiaires:liste")
    premiere, lectures = _lire(client, liste, bassin=bassins["Orléans"].pk)
    assert lectures and "ORLEANAISE" in premiere.upper() and INVALIDE not in premiere
    seconde, lectures = _lire(client, liste, bassin=bassins["Orléans"].pk, sort="-nom")
    assert lectures == [] and "ORLEANAISE" in seconde.upper() and INVALIDE not in seconde


@pytest.mark.parametrize("valeur", ["gien", "abc", "3.0", "999999"])
def test_bassin_hors_du_perimetre_ou_absurde_refuse(client, bassins, referent, valeur):
    client.force_login(referent)
    valeur = str(bassins["Gien"].pk) if valeur == "gien" else valeur
    html, _ = _lire(client, reverse("beneficiaires:liste"), bassin=valeur)
    assert INVALIDE in html


def test_bassin_ajoute_au_referent_accepte_aussitot(client, bassins, referent):
    client.force_login(referent)
    liste = reverse("beneficiaires:liste")
    avant, _ = _lire(client, liste, bassin=bassins["Gien"].pk)
    assert INVALIDE in avant
    referent.bassins.add(bassins["Gien"])  # une écriture validée des comptes : leur version change
    apres, lectures = _lire(client, liste, bassin=bassins["Gien"].pk, page=1)
    assert INVALIDE not in apres and ">Gien</option>" in apres and lectures


def test_recherche_de_vehicules_bassin_lu_une_fois_puis_renomme(client, bassins, agent_mobilite):
    client.force_login(agent_mobilite)
    demain = datetime.date.today() + datetime.timedelta(days=1)
    adresse = reverse("mobilite:recherche")
    periode = {"debut": demain.isoformat(), "fin": (demain + datetime.timedelta(days=2)).isoformat()}
    _lire(client, adresse, bassin=bassins["Gien"].pk, **periode)
    html, lectures = _lire(client, adresse, bassin=bassins["Gien"].pk, type="", **periode)
    assert lectures == [] and INVALIDE not in html and ">Gien</option>" in html
    bassin = BassinEmploi.objects.get(pk=bassins["Gien"].pk)
    bassin.nom = "Giennois"
    bassin.save()
    html, lectures = _lire(client, adresse, bassin=bassins["Gien"].pk, **periode)
    assert ">Giennois</option>" in html and lectures
    html, _ = _lire(client, adresse, bassin="abc", **periode)
    assert INVALIDE in html


def test_ecriture_du_referentiel_non_validee_jamais_gardee(bassins):
    def fabrique():
        return BassinEmploi.objects.order_by("nom")

    with transaction.atomic():
        BassinEmploi.objects.create(nom="Bassin annulé", code="ZZ")
        assert "Bassin annulé" in [b.nom for b in lus_du_referentiel("essai", fabrique)]
        assert "essai" not in filtres._lus_du_referentiel  # rien de gardé d'une écriture non validée
        transaction.set_rollback(True)
    assert "Bassin annulé" not in [b.nom for b in lus_du_referentiel("essai", fabrique)]


@pytest.mark.parametrize("valeur", ["orleans", "pk-texte", "", None, "abc", "3.0", "999999", "1\x00", "objet"])
def test_meme_resultat_et_meme_erreur_que_le_champ_de_django(bassins, valeur):
    orleans = bassins["Orléans"]
    valeur = {"orleans": orleans.pk, "pk-texte": f" {orleans.pk}", "objet": orleans}.get(valeur, valeur)
    django = forms.ModelChoiceField(queryset=BassinEmploi.objects.order_by("nom"), required=False)
    projet = ChampChoixModele(queryset=bassins_du_referentiel(), required=False)
    assert projet.lecture is not None

    def resultat(champ):
        try:
            return ("valeur", champ.clean(valeur))
        except ValidationError as exc:
            return ("erreur", exc.code, exc.messages)

    assert resultat(projet) == resultat(django)
    # Une autre sélection posée sur le champ (celle d'un utilisateur) se lit en base, sans la mémoire, pour
    # valider comme pour s'écrire ; une copie du champ (celui d'un formulaire) garde la marque de la sienne.
    assert copy.deepcopy(projet).lecture is not None
    projet.queryset = BassinEmploi.objects.filter(pk=orleans.pk)
    assert projet.lecture is None and copy.deepcopy(projet).lecture is None
    assert [libelle for _, libelle in projet.choices][1:] == ["Orléans"]
    with pytest.raises(ValidationError):
        projet.clean(bassins["Gien"].pk)


def test_selection_faite_une_fois_par_nom_et_rendue_en_copie_marquee(bassins):
    """La sélection d'un nom n'est construite qu'une fois par processus (0,2 ms par page pour celle des bassins d'un
    référent) ; chaque appel en rend une copie qui porte la marque de lecture en mémoire et lit ce qui est en base."""
    from unittest import mock

    fabrique = mock.Mock(side_effect=lambda: BassinEmploi.objects.order_by("nom"))
    premiere = filtres.choix_du_referentiel("essai-faite-une-fois", fabrique)
    seconde = filtres.choix_du_referentiel("essai-faite-une-fois", fabrique)
    assert fabrique.call_count == 1
    assert premiere is not seconde and premiere.query is not seconde.query
    assert callable(premiere.lecture_en_memoire) and callable(seconde.lecture_en_memoire)
    avant = [b.nom for b in seconde]
    BassinEmploi.objects.create(nom="Zèbre")
    assert [b.nom for b in filtres.choix_du_referentiel("essai-faite-une-fois", fabrique)] == [*avant, "Zèbre"]

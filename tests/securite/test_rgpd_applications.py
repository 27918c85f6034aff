"""RGPD sur les données de toutes les applications (monde complet) : l'export d'une personne contient ses
contrats, orientations, suivis, locations, participations ; l'anonymisation efface les textes libres de tous
ces enregistrements et de leur historique ; une activité dans n'importe quelle application protège la personne.
Et l'audit : chaque modèle qui porte des données d'une personne est historisé."""

import datetime
import json

import pytest
from django.contrib.admin import site
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from beneficiaires.models import Beneficiaire, Foyer
from beneficiaires.rgpd import conservation_appliquer, dernieres_activites, donnees_personne, modeles_lies
from tests.securite import monde as M

FUTUR = datetime.date(2040, 1, 1)  # tout le monde est inactif depuis plus de 24 mois à cette date
SECRET = "SECRET-DETAIL-PERSONNEL"


@pytest.fixture
def monde(db, bassins):
    from placement import services

    m = M.construire(bassins)
    services.suivi_enregistrer(
        orientation=m.orientation_en_cours, par=m.users["prestataire"], date=datetime.date(2018, 3, 20),
        nature="entretien", note=f"Entretien : {SECRET}", prochaine_etape=f"Rappeler {SECRET}",
    )  # fmt: skip
    # Des textes libres dans chaque application (posés directement : c'est le contenu qui compte ici).
    from contrats.models import ContratAide
    from mobilite.models import Location
    from placement.models import Orientation

    Location.objects.filter(pk=m.location.pk).update(notes=SECRET, etat_depart=SECRET)
    Orientation.objects.filter(pk=m.orientation.pk).update(observations=SECRET)
    ContratAide.objects.filter(pk=m.contrat.pk).update(actions_formation=SECRET)
    m.location.refresh_from_db()
    m.location.save()  # une version d'historique contenant le secret
    return m


def test_chaque_modele_de_donnees_personnelles_est_historise():
    modeles = [Beneficiaire, Foyer] + [s.modele for s in modeles_lies()]
    sans_historique = [m._meta.label for m in modeles if not hasattr(m._meta, "simple_history_manager_attribute")]
    assert not sans_historique, f"Modèles de données personnelles sans historique : {sans_historique}"
    admin_sans_historique = [
        m._meta.label for m in modeles if m in site._registry and not isinstance(site._registry[m], SimpleHistoryAdmin)
    ]
    assert not admin_sans_historique, f"Administration sans onglet Historique : {admin_sans_historique}"


def test_export_couvre_toutes_les_applications(monde):
    donnees = donnees_personne(monde.personne)
    lignes = {s["modele"]: len(s["lignes"]) for s in donnees["sections"]}
    assert lignes["beneficiaires.evaluation"] == 2
    assert lignes["contrats.contrataide"] == 1
    assert lignes["placement.orientation"] == 1
    assert lignes["mobilite.location"] == 1
    assert lignes["forums.participation"] == 1
    texte = json.dumps(donnees, ensure_ascii=False)
    assert SECRET in texte
    assert "Personne-Gien" not in texte and "Personne-Suivie" not in texte
    # Les suivis sont rattachés par l'orientation (deuxième niveau).
    suivie = donnees_personne(monde.personne_suivie)
    assert {s["modele"]: len(s["lignes"]) for s in suivie["sections"]}["placement.suivi"] == 1
    historiques = {h["modele"] for h in donnees["historique"]}
    assert {"beneficiaires.historicalbeneficiaire", "mobilite.historicallocation"} <= historiques


def test_une_activite_dans_une_autre_application_protege_la_personne(monde):
    from mobilite.models import Location

    Location.objects.filter(pk=monde.location.pk).update(debut=datetime.date(2039, 6, 1), fin=datetime.date(2039, 6, 3))
    activites = dernieres_activites(Beneficiaire.objects.filter(pk=monde.personne.pk))
    assert activites[monde.personne.pk] == datetime.date(2039, 6, 3)
    resultat = conservation_appliquer(aujourd_hui=datetime.date(2041, 1, 1), essai=True)
    assert monde.personne.pk not in resultat["personnes"]
    resultat = conservation_appliquer(aujourd_hui=datetime.date(2042, 1, 1), essai=True)
    assert monde.personne.pk in resultat["personnes"]


def test_anonymisation_efface_les_textes_libres_de_toutes_les_applications(monde):
    resultat = conservation_appliquer(aujourd_hui=FUTUR)
    assert set(resultat["personnes"]) == set(Beneficiaire.objects.values_list("pk", flat=True))
    restes = []
    for modele in [Beneficiaire, Foyer] + [s.modele for s in modeles_lies()]:
        historiques = [modele.history.model] if hasattr(modele._meta, "simple_history_manager_attribute") else []
        for m in [modele, *historiques]:
            textes = [f.name for f in m._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField))]
            for champ in textes:
                if m._base_manager.filter(**{f"{champ}__contains": SECRET}).exists():
                    restes.append(f"{m._meta.label}.{champ}")
                if m._base_manager.filter(**{f"{champ}__contains": "Personne-Orleans"}).exists():
                    restes.append(f"{m._meta.label}.{champ} (nom)")
    assert not restes, f"Données personnelles restées après anonymisation : {restes}"
    # Les statistiques restent : contrats, orientations, locations sont toujours là, avec leurs dates.
    from contrats.models import ContratAide
    from mobilite.models import Location

    assert ContratAide.objects.get(pk=monde.contrat.pk).date_debut == monde.contrat.date_debut
    assert Location.objects.get(pk=monde.location.pk).debut == monde.location.debut

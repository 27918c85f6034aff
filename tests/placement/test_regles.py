"""Règles du placement qu'un contournement (administration, script) ou une mutation du code cassait sans test."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from placement import services
from placement.models import Lot, MotifRefus, ResultatPaye, TypeSortie
from tests.placement.factories import LotFactory, MarcheFactory
from tests.placement.outils import J0, PDF, jusqu_a_entree, justificatif, orienter, personne_de

D = datetime.date
pytestmark = pytest.mark.django_db
MAINTIEN = ResultatPaye.Nature.MAINTIEN_6_MOIS


# --- Maintien dans l'emploi : seul le constat à 6 mois ouvre le résultat payé ----------------------------


@pytest.fixture
def sortie_cdi(personne, referent, lot_orleans, agent_a):
    o = jusqu_a_entree(personne, referent, agent_a)
    return services.sortie_enregistrer(
        orientation=o, par=agent_a, type=TypeSortie.CDI, date=D(2018, 8, 31), employeur_nom="ACME"
    )


@pytest.mark.parametrize("echeance, constat", [(1, D(2018, 10, 1)), (3, D(2018, 11, 30))])
def test_un_constat_a_1_ou_3_mois_n_ouvre_pas_le_maintien_a_6_mois(sortie_cdi, agent_a, echeance, constat):
    services.maintien_en_emploi_enregistrer(
        sortie=sortie_cdi, par=agent_a, echeance=echeance, en_emploi=True, date_constat=constat
    )
    orientation = sortie_cdi.orientation
    assert services.date_du_resultat(orientation, MAINTIEN) is None
    with pytest.raises(ValidationError, match="pas acquis"):
        services.resultat_declarer(
            orientation=orientation, nature=MAINTIEN, justificatif=justificatif("attestation.pdf", PDF), par=agent_a
        )
    assert not ResultatPaye.objects.filter(nature=MAINTIEN).exists()


def test_le_constat_a_6_mois_ouvre_le_maintien(sortie_cdi, agent_a):
    services.maintien_en_emploi_enregistrer(
        sortie=sortie_cdi, par=agent_a, echeance=3, en_emploi=True, date_constat=D(2018, 11, 30)
    )
    services.maintien_en_emploi_enregistrer(
        sortie=sortie_cdi, par=agent_a, echeance=6, en_emploi=True, date_constat=D(2019, 2, 28)
    )
    orientation = sortie_cdi.orientation
    assert services.date_du_resultat(orientation, MAINTIEN) == D(2019, 2, 28)
    services.resultat_declarer(
        orientation=orientation, nature=MAINTIEN, justificatif=justificatif("attestation.pdf", PDF), par=agent_a
    )
    assert ResultatPaye.objects.filter(nature=MAINTIEN).count() == 1


# --- Capacité d'un lot : jamais sous les places occupées, par le service comme par l'administration -------


def _occuper(lot, bassin, referent, agent, n):
    for _ in range(n):
        o = orienter(personne_de(bassin), referent)
        services.orientation_accepter(orientation=o, par=agent, date=J0 + datetime.timedelta(days=1))


def test_le_service_refuse_une_capacite_sous_les_places_occupees(bassins, referent, lot_orleans, agent_a):
    _occuper(lot_orleans, bassins["Orléans"], referent, agent_a, 3)
    with pytest.raises(ValidationError) as exc:
        services.lot_modifier(lot=lot_orleans, par=None, capacite=2)
    assert "3 places sont déjà occupées" in exc.value.message_dict["capacite"][0]
    assert services.lot_modifier(lot=lot_orleans, par=None, capacite=3).capacite == 3


def test_la_capacite_ne_compte_que_les_places_occupees_de_ce_lot(bassins, referent, lot_orleans, lot_gien, agent_a):
    """Les orientations acceptées d'un autre lot, ou refusées dans celui-ci, n'occupent pas de place ici."""
    _occuper(lot_gien, bassins["Gien"], referent, agent_a, 2)
    _occuper(lot_orleans, bassins["Orléans"], referent, agent_a, 1)
    refusee = orienter(personne_de(bassins["Orléans"]), referent)
    services.orientation_refuser(orientation=refusee, par=agent_a, motif=MotifRefus.PROFIL, date=J0)
    assert services.lot_modifier(lot=lot_orleans, par=None, capacite=1).capacite == 1
    with pytest.raises(ValidationError):
        services.lot_modifier(lot=lot_orleans, par=None, capacite=0)
    # Sans capacité saisie, rien à comparer : le formulaire dit que le champ est obligatoire.
    assert services.lot_verifier_capacite(lot=lot_orleans, capacite=None) is None


def _donnees_admin(lot, *, bassins, **autres):
    donnees = {
        "marche": lot.marche_id,
        "numero": lot.numero,
        "intitule": lot.intitule,
        "prestataire": lot.prestataire_id,
        "bassins": bassins,
        "date_debut": lot.date_debut.isoformat(),
        "date_fin": lot.date_fin.isoformat(),
        "capacite": lot.capacite,
        "prix_entree": lot.prix_entree,
        "prix_sortie_positive": lot.prix_sortie_positive,
        "prix_maintien_6_mois": lot.prix_maintien_6_mois,
    }
    donnees.update(autres)
    return donnees


def test_l_administration_refuse_une_capacite_sous_les_places_occupees(
    client, admin_user, bassins, referent, lot_orleans, agent_a
):
    _occuper(lot_orleans, bassins["Orléans"], referent, agent_a, 3)
    client.force_login(admin_user)
    url = reverse("admin:placement_lot_change", args=[lot_orleans.pk])
    r = client.post(url, _donnees_admin(lot_orleans, bassins=[bassins["Orléans"].pk], capacite=2))
    assert r.status_code == 200
    assert "3 places sont déjà occupées" in r.content.decode()
    assert Lot.objects.get(pk=lot_orleans.pk).capacite == 10
    r = client.post(url, _donnees_admin(lot_orleans, bassins=[bassins["Orléans"].pk], capacite=3, prix_entree="450.00"))
    assert r.status_code == 302
    lot = Lot.objects.get(pk=lot_orleans.pk)
    assert (lot.capacite, lot.prix_entree) == (3, Decimal("450.00"))
    assert lot.history.latest().history_user == admin_user


def test_l_administration_cree_un_lot_par_le_service(client, admin_user, marche, bassins, lot_orleans):
    client.force_login(admin_user)
    modele = LotFactory.build(marche=marche, prestataire=lot_orleans.prestataire, numero=7)
    donnees = _donnees_admin(modele, bassins=[bassins["Orléans"].pk])
    # Orléans est déjà couvert : le refus vient de la règle du service.
    r = client.post(reverse("admin:placement_lot_add"), donnees)
    assert r.status_code == 200 and "déjà couvert" in r.content.decode()
    r = client.post(reverse("admin:placement_lot_add"), {**donnees, "bassins": [bassins["Pithiviers"].pk]})
    assert r.status_code == 302
    lot = Lot.objects.get(marche=marche, numero=7)
    assert list(lot.bassins.all()) == [bassins["Pithiviers"]]
    assert lot.history.latest().history_user == admin_user


# --- Un lot par bassin et par date : aussi dans la base (PostgreSQL) --------------------------------------


@pytest.mark.postgres
def test_la_base_refuse_deux_lots_sur_le_meme_bassin_le_meme_jour(postgresql_requis, bassins):
    """Même en contournant le service : bornes comprises (un lot qui finit le 31/12 et un autre qui commence le
    31/12 se chevauchent), et le lendemain est permis."""
    marche = MarcheFactory(date_debut=D(2018, 1, 1), date_fin=D(2020, 12, 31))
    orleans = bassins["Orléans"]
    LotFactory(marche=marche, bassins=[orleans], date_debut=D(2018, 1, 1), date_fin=D(2018, 12, 31))
    second = LotFactory(marche=marche, date_debut=D(2018, 12, 31), date_fin=D(2019, 12, 31))
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        second.bassins.set([orleans])
    assert "lot_bassin_sans_chevauchement" in str(exc.value)
    Lot.objects.filter(pk=second.pk).update(date_debut=D(2019, 1, 1))
    second.bassins.set([orleans])
    assert second.bassins.get() == orleans


@pytest.mark.postgres
def test_la_base_suit_les_dates_du_lot_quand_elles_changent(postgresql_requis, bassins):
    """Allonger un lot par une simple mise à jour (script, shell) sur la période d'un autre lot du même bassin
    est refusé : la couverture suit les dates du lot (déclencheur)."""
    marche = MarcheFactory(date_debut=D(2018, 1, 1), date_fin=D(2020, 12, 31))
    gien = bassins["Gien"]
    premier = LotFactory(marche=marche, bassins=[gien], date_debut=D(2018, 1, 1), date_fin=D(2018, 12, 31))
    LotFactory(marche=marche, bassins=[gien], date_debut=D(2019, 1, 1), date_fin=D(2019, 12, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        Lot.objects.filter(pk=premier.pk).update(date_fin=D(2019, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.lot_modifier(lot=premier, par=None, date_fin=D(2019, 1, 1))
    assert "déjà couvert" in exc.value.message_dict["bassins"][0]


def test_l_administration_garde_les_lots_dans_la_periode_du_marche(client, admin_user, marche, lot_orleans):
    client.force_login(admin_user)
    url = reverse("admin:placement_marche_change", args=[marche.pk])
    donnees = {
        "reference": marche.reference,
        "intitule": marche.intitule,
        "date_debut": marche.date_debut.isoformat(),
        "date_fin": (lot_orleans.date_fin - datetime.timedelta(days=1)).isoformat(),
        # Lots en lecture seule dans la page du marché : le formulaire de gestion seul.
        "lots-TOTAL_FORMS": 1,
        "lots-INITIAL_FORMS": 1,
        "lots-0-id": lot_orleans.pk,
        "lots-0-marche": marche.pk,
    }
    r = client.post(url, donnees)
    assert r.status_code == 200 and "doit contenir celle de ses lots" in r.content.decode()
    r = client.post(url, {**donnees, "date_fin": lot_orleans.date_fin.isoformat(), "intitule": "Placement 2017"})
    assert r.status_code == 302
    marche.refresh_from_db()
    assert marche.intitule == "Placement 2017"
    assert marche.history.latest().history_user == admin_user
    with pytest.raises(ValidationError):
        services.marche_modifier(marche=marche, par=None, date_debut=lot_orleans.date_debut + datetime.timedelta(1))

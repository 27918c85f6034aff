"""Démonstration du placement : marché de lancement (600 places) et marché en cours, comptes prestataires,
flux écrit par paquets qui respecte toutes les règles des services ; idempotente et reproductible."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone

from beneficiaires.models import Beneficiaire, StatutParcours
from comptes.models import Role, User
from comptes.services import MOT_DE_PASSE_DEMO, comptes_demo_creer
from placement import demo, services
from placement.models import (
    ATTENTE_MAX_JOURS,
    Lot,
    MaintienEmploi,
    Marche,
    MotifRefus,
    Orientation,
    ResultatPaye,
    Sortie,
    Suivi,
    sortie_est_positive,
)
from referentiel.demo import structures
from referentiel.models import Structure
from tests.beneficiaires.factories import BeneficiaireFactory

pytestmark = pytest.mark.django_db

MODELES = (Marche, Lot, Orientation, Suivi, Sortie, MaintienEmploi, ResultatPaye)


@pytest.fixture
def referentiel_demo(bassins):
    structures(echelle="petite", graine=1, sortie=lambda _: None)
    comptes_demo_creer()


@pytest.fixture
def population(referentiel_demo, bassins):
    """30 personnes par bassin, soumises aux droits et devoirs, plus une archivée (jamais orientée)."""
    for nom in bassins:
        for _ in range(30):
            BeneficiaireFactory(commune=bassins[nom].commune_test)
    return BeneficiaireFactory(commune=bassins["Orléans"].commune_test, statut_parcours=StatutParcours.ARCHIVE)


def lancer(graine=2017):
    lignes = []
    demo.placement(echelle="petite", graine=graine, sortie=lignes.append)
    return lignes


def compter():
    return {m.__name__: (m.objects.count(), m.history.count()) for m in MODELES}


def lancement():
    return Marche.objects.get(reference=demo.REFERENCE_MARCHE)


def courant():
    return Marche.objects.get(reference=demo.REFERENCE_MARCHE_COURANT)


def test_sans_beneficiaire_marches_et_lots_seulement(referentiel_demo):
    lignes = lancer()
    assert Marche.objects.count() == 2
    assert Lot.objects.count() == 8
    assert sum(Lot.objects.filter(marche=lancement()).values_list("capacite", flat=True)) == 600
    assert not Orientation.objects.exists()
    assert any("aucun bénéficiaire" in ligne for ligne in lignes)


def test_marche_courant_en_vigueur_aujourdhui_dans_chaque_bassin(referentiel_demo, bassins):
    lancer()
    aujourdhui = timezone.localdate()
    for bassin in bassins.values():
        lots = list(Lot.objects.couvrant(bassin, aujourdhui))
        assert len(lots) == 1, bassin.nom
        assert lots[0].marche == courant()
    prestataires = set(Lot.objects.filter(marche=courant()).values_list("prestataire__nom", flat=True))
    assert prestataires == {"Insertion Emploi Centre", "Trajectoires Placement"}


def test_comptes_prestataires_rattaches(referentiel_demo):
    lancer()
    p1, p2 = User.objects.get(username="prestataire"), User.objects.get(username="prestataire2")
    assert (p1.role, p1.structure.nom) == (Role.PRESTATAIRE, "Insertion Emploi Centre")
    assert (p2.role, p2.structure.nom) == (Role.PRESTATAIRE, "Trajectoires Placement")
    assert p2.check_password(MOT_DE_PASSE_DEMO)


def test_comptes_refuses_hors_developpement(referentiel_demo, settings):
    settings.DEMO_AUTORISEE = False
    with pytest.raises(ValidationError):
        services.comptes_prestataires_demo_rattacher()


def test_idempotent(population):
    lancer()
    avant = compter()
    assert avant["Orientation"][0] > 0
    lignes = lancer()
    assert compter() == avant
    assert Marche.objects.count() == 2 and Lot.objects.count() == 8
    assert User.objects.filter(username__startswith="prestataire").count() == 2
    assert any("déjà présentes" in ligne for ligne in lignes)
    assert sum(Lot.objects.filter(marche=lancement()).values_list("capacite", flat=True)) == 600


def signature():
    return list(
        Orientation.objects.order_by("lot__marche__reference", "beneficiaire_id").values_list(
            "lot__marche__reference",
            "beneficiaire_id",
            "statut",
            "date_proposition",
            "date_reponse",
            "motif_refus",
            "date_entree",
            "date_sortie",
        )
    )


def test_reproductible_avec_la_graine(population):
    lancer()
    premiere = signature()
    for modele in (ResultatPaye, MaintienEmploi, Sortie, Suivi, Orientation):
        modele.objects.all().delete()
    lancer()
    assert signature() == premiere
    for modele in (ResultatPaye, MaintienEmploi, Sortie, Suivi, Orientation):
        modele.objects.all().delete()
    lancer(graine=1)
    assert signature() != premiere


def test_flux_respecte_les_regles(population):
    archivee = population
    lancer()
    aujourdhui = timezone.localdate()
    orientations = Orientation.objects.select_related("lot", "beneficiaire__commune")
    assert orientations.filter(lot__marche=lancement()).exists()
    assert orientations.filter(lot__marche=courant()).exists()
    assert not Orientation.objects.filter(beneficiaire=archivee).exists()
    # Le marché échu est clos : plus rien n'attend de réponse depuis des années.
    assert not orientations.filter(lot__marche=lancement()).ouvertes().exists()
    # Marché en cours : un flux vivant, dont quelques propositions en attente depuis plus de 15 jours.
    statuts = set(orientations.filter(lot__marche=courant()).values_list("statut", flat=True))
    assert {"proposee", "acceptee", "en_accompagnement", "sortie"} <= statuts
    assert Orientation.objects.en_attente_longue().exists()
    assert Orientation.objects.filter(
        statut="proposee", date_proposition__gt=aujourdhui - datetime.timedelta(days=ATTENTE_MAX_JOURS)
    ).exists()
    # Au plus une orientation ouverte par personne.
    assert not (Orientation.objects.ouvertes().values("beneficiaire").annotate(n=Count("pk")).filter(n__gt=1).exists())
    for o in orientations:
        # Le lot couvre le bassin de la personne à la date de proposition ; rien n'est daté dans le futur.
        assert o.lot.date_debut <= o.date_proposition <= o.lot.date_fin
        assert o.lot.bassins.filter(pk=o.beneficiaire.commune.bassin_emploi_id).exists()
        dates = [d for d in (o.date_proposition, o.date_reponse, o.date_entree, o.date_sortie) if d]
        assert dates == sorted(dates) and max(dates) <= aujourdhui
    # Capacité jamais dépassée.
    for lot in Lot.objects.avec_occupation():
        assert lot.places_occupees <= lot.capacite
    # Chaque résultat payé une fois, au prix du lot, jamais sans entrée en accompagnement.
    assert not ResultatPaye.objects.values("orientation", "nature").annotate(n=Count("pk")).filter(n__gt=1).exists()
    for r in ResultatPaye.objects.select_related("orientation", "lot"):
        assert r.lot_id == r.orientation.lot_id and r.prix_unitaire == r.lot.prix(r.nature)
        assert r.orientation.date_entree is not None and r.date <= aujourdhui
    entrees = Orientation.objects.filter(date_entree__isnull=False)
    assert ResultatPaye.objects.filter(nature="entree").count() == entrees.count()
    for s in Sortie.objects.select_related("orientation"):
        assert s.positive == sortie_est_positive(s.type, s.duree_contrat_mois)
        paye = ResultatPaye.objects.filter(orientation=s.orientation, nature="sortie_positive").exists()
        assert paye == (s.positive and s.orientation.date_entree is not None)
        assert s.orientation.statut == "sortie" and s.orientation.date_sortie == s.date
    for m in MaintienEmploi.objects.select_related("sortie__orientation"):
        assert m.date_constat >= services.ajouter_mois(m.sortie.date, m.echeance)
        assert m.sortie.en_emploi
    maintiens_payes = MaintienEmploi.objects.filter(echeance=6, en_emploi=True)
    assert ResultatPaye.objects.filter(nature="maintien_6_mois").count() == maintiens_payes.count()
    # Suivis après la proposition, jamais dans le futur, sur une orientation acceptée.
    assert not Suivi.objects.filter(Q(orientation__statut__in=["proposee", "refusee"])).exists()
    for s in Suivi.objects.select_related("orientation"):
        assert s.orientation.date_proposition <= s.date <= aujourdhui
    # Tout est historisé, attribué à un compte.
    assert Orientation.history.count() == Orientation.objects.count()
    assert not Orientation.history.filter(history_user__isnull=True).exists()


def test_capacite_atteinte_refus_motive(referentiel_demo, bassins):
    """Un lot déjà saisi (3 places) est gardé tel quel : au-delà, les orientations sont refusées pour capacité."""
    marche = services.marche_creer(
        reference=demo.REFERENCE_MARCHE_COURANT,
        intitule="Marché saisi à la main",
        date_debut=demo.DEBUT_MARCHE_COURANT,
        date_fin=demo.FIN_MARCHE_COURANT,
    )
    prestataire = Structure.objects.get(nom="Trajectoires Placement")
    lot = services.lot_creer(
        marche=marche, numero=4, prestataire=prestataire, bassins=[bassins["Gien"]], capacite=3, **demo.PRIX_COURANT
    )
    for _ in range(40):
        BeneficiaireFactory(commune=bassins["Gien"].commune_test)
    lancer()
    lot = Lot.objects.avec_occupation().get(pk=lot.pk)
    assert lot.capacite == 3 and lot.places_occupees == 3
    assert Orientation.objects.filter(lot=lot, statut="refusee", motif_refus=MotifRefus.CAPACITE).exists()
    assert Beneficiaire.objects.count() == 40


def test_resultats_declares_puis_verifies_et_orientations_closes(population):
    lancer()
    statuts = set(ResultatPaye.objects.values_list("statut", flat=True))
    assert {"paye", "valide"} <= statuts  # anciens payés, récents validés (ou encore déclarés)
    assert not ResultatPaye.objects.filter(justificatif="").exists()
    assert not ResultatPaye.objects.exclude(statut="declare").filter(decide_par__isnull=True).exists()
    # Rien n'est payé sans avoir été validé, ni validé avant d'avoir été déclaré.
    assert not ResultatPaye.objects.filter(statut="paye", date_decision__isnull=True).exists()
    # Chaque orientation refusée ou sortie porte sa date de clôture, qui borne l'accès du prestataire.
    closes = Orientation.objects.filter(statut__in=["refusee", "sortie"])
    assert closes.exists() and not closes.filter(date_cloture__isnull=True).exists()
    assert not Orientation.objects.exclude(statut__in=["refusee", "sortie"]).filter(date_cloture__isnull=False).exists()

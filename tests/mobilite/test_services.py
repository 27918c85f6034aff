import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mobilite import services
from mobilite.models import Incident, Location, StatutLocation, StatutVehicule, Vehicule
from tests.contrats.factories import ContratAideFactory
from tests.forums.factories import ForumFactory
from tests.mobilite.factories import (
    ConventionFactory,
    LocationFactory,
    MaintenanceFactory,
    VehiculeFactory,
    personne,
)
from tests.referentiel.factories import CommuneFactory, StructureFactory

pytestmark = pytest.mark.django_db

J = datetime.date(2030, 6, 10)  # un jour de référence dans le futur


def jour(n):
    return J + datetime.timedelta(days=n)


def reserver(vehicule, beneficiaire=None, debut=J, fin=None, motif="nouvel_emploi", **kwargs):
    return services.location_reserver(
        vehicule=vehicule,
        beneficiaire=beneficiaire or personne(),
        debut=debut,
        fin=fin or debut,
        motif=motif,
        **kwargs,
    )


def message(exc):
    return " ".join(exc.value.messages)


# --- Chevauchement : jours entiers, bornes comprises ---------------------------------------------------------


class TestChevauchement:
    def test_reservation_copie_prix_et_depot(self):
        v = VehiculeFactory(prix_journalier=Decimal("1.00"), depot_garantie=Decimal("150.00"))
        loc = reserver(v, debut=J, fin=jour(2))
        v.prix_journalier = Decimal("7.00")
        v.save()
        loc.refresh_from_db()
        assert loc.statut == StatutLocation.RESERVEE
        assert loc.prix_journalier == Decimal("1.00") and loc.depot_garantie == Decimal("150.00")
        assert loc.jours == 3 and loc.montant_location == Decimal("3.00")

    @pytest.mark.parametrize("prix, depot", [(Decimal("7.00"), Decimal("0.00")), (Decimal("13.50"), Decimal("300.00"))])
    def test_prix_et_depot_copies_du_vehicule_quel_qu_il_soit(self, prix, depot):
        loc = reserver(VehiculeFactory(prix_journalier=prix, depot_garantie=depot), debut=J, fin=jour(3))
        loc.refresh_from_db()
        assert (loc.prix_journalier, loc.depot_garantie) == (prix, depot)
        assert loc.montant_location == prix * 4

    def test_entree_en_flotte_le_jour_meme_acceptee_la_veille_refusee_sur_debut(self):
        v = VehiculeFactory(date_entree_flotte=J)
        with pytest.raises(ValidationError) as exc:
            reserver(v, debut=jour(-1), fin=J)
        assert exc.value.message_dict == {"debut": ["Ce véhicule n'entre dans la flotte que le 10/06/2030."]}
        assert reserver(v, debut=J, fin=jour(1)).debut == J  # le jour de son entrée en flotte

    def test_les_notes_de_la_reservation_sont_gardees(self):
        loc = reserver(VehiculeFactory(), debut=J, fin=jour(1), notes="Siège enfant demandé")
        loc.refresh_from_db()
        assert loc.notes == "Siège enfant demandé"

    def test_location_finissant_le_jour_ou_une_autre_commence_est_refusee(self):
        v = VehiculeFactory()
        reserver(v, debut=J, fin=jour(4))
        with pytest.raises(ValidationError) as exc:
            reserver(v, debut=jour(4), fin=jour(6))
        assert "déjà réservé sur une partie de cette période (du 10/06/2030 au 14/06/2030)" in message(exc)
        with pytest.raises(ValidationError):
            reserver(v, debut=jour(-3), fin=J)  # finit le jour où l'autre commence

    def test_location_commencant_le_lendemain_est_acceptee(self):
        v = VehiculeFactory()
        reserver(v, debut=J, fin=jour(4))
        reserver(v, debut=jour(5), fin=jour(6))
        reserver(v, debut=jour(-2), fin=jour(-1))
        assert Location.objects.filter(vehicule=v).count() == 3

    @pytest.mark.parametrize(
        "debut,fin",
        [(0, 0), (-5, 10), (2, 3), (4, 9), (-1, 0)],
        ids=["meme_jour", "englobe", "dedans", "chevauche_fin", "chevauche_debut"],
    )
    def test_tout_chevauchement_est_refuse(self, debut, fin):
        v = VehiculeFactory()
        reserver(v, debut=J, fin=jour(4))
        with pytest.raises(ValidationError):
            reserver(v, debut=jour(debut), fin=jour(fin))

    def test_location_annulee_libere_les_dates(self):
        v = VehiculeFactory()
        loc = reserver(v, debut=J, fin=jour(4))
        services.location_annuler(location=loc, motif="Empêchement")
        assert reserver(v, debut=J, fin=jour(4)).statut == StatutLocation.RESERVEE

    def test_autre_vehicule_memes_dates_accepte(self):
        reserver(VehiculeFactory(), debut=J, fin=jour(4))
        assert reserver(VehiculeFactory(), debut=J, fin=jour(4)).pk

    def test_maintenance_bloque_les_locations_bornes_comprises(self):
        v = VehiculeFactory()
        MaintenanceFactory(vehicule=v, debut=jour(5), fin=jour(7))
        with pytest.raises(ValidationError) as exc:
            reserver(v, debut=J, fin=jour(5))
        # Rattaché aux dates de la réservation, comme un chevauchement de location.
        assert list(exc.value.message_dict) == ["debut"]
        assert "en maintenance du 15/06/2030 au 17/06/2030" in message(exc)
        reserver(v, debut=J, fin=jour(4))
        reserver(v, debut=jour(8), fin=jour(8))

    def test_maintenance_refusee_sur_une_location(self):
        v = VehiculeFactory()
        reserver(v, debut=J, fin=jour(4))
        with pytest.raises(ValidationError) as exc:
            services.maintenance_planifier(vehicule=v, debut=jour(4), fin=jour(6))
        assert "occupe déjà" in message(exc)
        assert services.maintenance_planifier(vehicule=v, debut=jour(5), fin=jour(6)).jours == 2

    def test_maintenances_ne_se_chevauchent_pas(self):
        v = VehiculeFactory()
        services.maintenance_planifier(vehicule=v, debut=J, fin=jour(2))
        with pytest.raises(ValidationError):
            services.maintenance_planifier(vehicule=v, debut=jour(2), fin=jour(3))


# --- Durée, dates -------------------------------------------------------------------------------------------


class TestDuree:
    def test_six_mois_civils_du_1er_juillet_au_31_decembre(self, settings):
        settings.LOCATION_DUREE_MAX_MOIS = 6
        debut = datetime.date(2030, 7, 1)
        assert reserver(VehiculeFactory(), debut=debut, fin=datetime.date(2030, 12, 31)).jours == 184
        with pytest.raises(ValidationError) as exc:
            reserver(VehiculeFactory(), debut=debut, fin=datetime.date(2031, 1, 1))
        assert "au plus 6 mois" in message(exc) and "31/12/2030" in message(exc)

    def test_six_mois_civils_en_fin_de_mois(self):
        # Du 31/08 : six mois mènent au 28/02 (dernier jour du mois), la location finit au plus tard le 27/02.
        debut = datetime.date(2030, 8, 31)
        assert reserver(VehiculeFactory(), debut=debut, fin=datetime.date(2031, 2, 27)).jours == 181
        with pytest.raises(ValidationError):
            reserver(VehiculeFactory(), debut=debut, fin=datetime.date(2031, 2, 28))

    def test_duree_maximale_configurable(self, settings):
        settings.LOCATION_DUREE_MAX_MOIS = 1
        assert reserver(VehiculeFactory(), debut=J, fin=datetime.date(2030, 7, 9)).jours == 30
        with pytest.raises(ValidationError) as exc:
            reserver(VehiculeFactory(), debut=J, fin=datetime.date(2030, 7, 10))
        assert "au plus 1 mois" in message(exc)

    def test_quelques_heures_font_une_journee(self):
        assert reserver(VehiculeFactory(), debut=J, fin=J).jours == 1

    def test_fin_avant_debut_refusee(self):
        with pytest.raises(ValidationError) as exc:
            reserver(VehiculeFactory(), debut=jour(2), fin=J)
        assert "précéder" in message(exc)

    def test_periode_passee_refusee(self):
        hier = timezone.localdate() - datetime.timedelta(days=1)
        with pytest.raises(ValidationError):
            reserver(VehiculeFactory(date_entree_flotte=datetime.date(2000, 1, 1)), debut=hier, fin=hier)


# --- Permis -------------------------------------------------------------------------------------------------


class TestPermis:
    def test_voiture_sans_permis_b_refusee_message_clair(self):
        b = personne(permis_b=False, permis_am=True)
        with pytest.raises(ValidationError) as exc:
            reserver(VehiculeFactory(), beneficiaire=b)
        assert "Permis B manquant" in message(exc)

    def test_voiture_sans_evaluation_refusee_et_le_dit(self):
        b = personne(evaluation=False)
        with pytest.raises(ValidationError) as exc:
            reserver(VehiculeFactory(), beneficiaire=b)
        assert "Aucune évaluation en vigueur" in message(exc) and "permis B" in message(exc)

    def test_voiture_avec_permis_b_acceptee(self):
        assert reserver(VehiculeFactory(), beneficiaire=personne(permis_b=True)).pk

    def test_vsp_ne_le_31_12_1987_sans_permis_acceptee(self):
        b = personne(naissance=datetime.date(1987, 12, 31), permis_b=False, permis_am=False)
        assert reserver(VehiculeFactory(vsp=True), beneficiaire=b).pk

    def test_vsp_ne_avant_1988_sans_evaluation_acceptee(self):
        b = personne(naissance=datetime.date(1987, 12, 31), evaluation=False)
        assert reserver(VehiculeFactory(vsp=True), beneficiaire=b).pk

    def test_vsp_ne_le_01_01_1988_sans_permis_am_refusee(self):
        b = personne(naissance=datetime.date(1988, 1, 1), permis_b=False, permis_am=False)
        with pytest.raises(ValidationError) as exc:
            reserver(VehiculeFactory(vsp=True), beneficiaire=b)
        assert "Permis AM manquant" in message(exc) and "01/01/1988" in message(exc)

    def test_vsp_ne_le_01_01_1988_sans_evaluation_refusee_et_le_dit(self):
        b = personne(naissance=datetime.date(1988, 1, 1), evaluation=False)
        with pytest.raises(ValidationError) as exc:
            reserver(VehiculeFactory(vsp=True), beneficiaire=b)
        assert "Aucune évaluation en vigueur" in message(exc) and "permis AM" in message(exc)

    def test_vsp_ne_le_01_01_1988_avec_permis_am_acceptee(self):
        b = personne(naissance=datetime.date(1988, 1, 1), permis_b=False, permis_am=True)
        assert reserver(VehiculeFactory(vsp=True), beneficiaire=b).pk

    def test_vsp_permis_b_vaut_categorie_am(self):
        b = personne(naissance=datetime.date(1995, 1, 1), permis_b=True, permis_am=False)
        assert reserver(VehiculeFactory(vsp=True), beneficiaire=b).pk

    def test_deux_roues_suit_la_regle_am(self):
        b = personne(naissance=datetime.date(1990, 1, 1), permis_b=False, permis_am=False)
        with pytest.raises(ValidationError):
            reserver(VehiculeFactory(deux_roues=True), beneficiaire=b)


# --- Statuts du véhicule ------------------------------------------------------------------------------------


class TestStatuts:
    @pytest.mark.parametrize("statut", [StatutVehicule.MAINTENANCE, StatutVehicule.DECLASSE, StatutVehicule.CEDE])
    def test_vehicule_non_disponible_non_reservable(self, statut):
        v = VehiculeFactory(statut=statut, date_declassement=datetime.date(2025, 1, 1))
        with pytest.raises(ValidationError) as exc:
            reserver(v)
        assert "ne peut pas être réservé" in message(exc)

    def test_immobiliser_refuse_si_reservation_a_venir(self):
        v = VehiculeFactory()
        reserver(v)
        with pytest.raises(ValidationError):
            services.vehicule_mettre_en_maintenance(vehicule=v, en_maintenance=True)

    def test_immobiliser_puis_remettre_en_service(self):
        v = VehiculeFactory()
        assert services.vehicule_mettre_en_maintenance(vehicule=v, en_maintenance=True).statut == "maintenance"
        assert services.vehicule_mettre_en_maintenance(vehicule=v, en_maintenance=False).statut == "disponible"

    def test_declasser_refuse_si_reservation_a_venir(self):
        v = VehiculeFactory()
        reserver(v)
        with pytest.raises(ValidationError) as exc:
            services.vehicule_declasser(vehicule=v, date=datetime.date(2030, 1, 1))
        assert "1 réservation à venir sur ce véhicule : annulez-la avant de le déclasser." in message(exc)

    def test_declasser_refuse_si_location_en_cours(self):
        v = VehiculeFactory()
        LocationFactory(vehicule=v, en_cours=True)
        with pytest.raises(ValidationError):
            services.vehicule_declasser(vehicule=v, date=datetime.date(2030, 1, 1))

    def test_declasser_deux_fois_refuse(self):
        v = VehiculeFactory()
        services.vehicule_declasser(vehicule=v, date=datetime.date(2025, 1, 1))
        v.refresh_from_db()
        assert v.statut == StatutVehicule.DECLASSE and v.date_declassement == datetime.date(2025, 1, 1)
        with pytest.raises(ValidationError):
            services.vehicule_declasser(vehicule=v)


# --- Départ et retour ---------------------------------------------------------------------------------------


def _maintenant(d):
    return timezone.make_aware(datetime.datetime.combine(d, datetime.time(9, 30)))


class TestDepartRetour:
    def test_parcours_complet_met_a_jour_le_compteur(self):
        v = VehiculeFactory(kilometrage=50_000)
        loc = reserver(v, debut=J, fin=jour(2))
        loc = services.location_depart(location=loc, kilometrage=50_010, carburant=4, maintenant=_maintenant(J))
        assert loc.statut == StatutLocation.EN_COURS and loc.km_depart == 50_010
        loc = services.location_retour(location=loc, kilometrage=50_250, carburant=3, date_retour=jour(2))
        v.refresh_from_db()
        assert loc.statut == StatutLocation.RESTITUEE and loc.km_parcourus == 240
        assert v.kilometrage == 50_250 and loc.incident == "" and not loc.est_en_retard()

    def test_depart_sous_le_compteur_refuse(self):
        v = VehiculeFactory(kilometrage=50_000)
        loc = reserver(v, debut=J, fin=jour(2))
        with pytest.raises(ValidationError) as exc:
            services.location_depart(location=loc, kilometrage=49_999, carburant=4, maintenant=_maintenant(J))
        assert "50000 km" in message(exc)

    def test_depart_avant_le_debut_refuse(self):
        loc = reserver(VehiculeFactory(), debut=J, fin=jour(2))
        with pytest.raises(ValidationError):
            services.location_depart(location=loc, kilometrage=60_000, carburant=4, maintenant=_maintenant(jour(-1)))

    def test_kilometrage_retour_inferieur_au_depart_refuse(self):
        loc = reserver(VehiculeFactory(kilometrage=50_000), debut=J, fin=jour(2))
        loc = services.location_depart(location=loc, kilometrage=50_000, carburant=4, maintenant=_maintenant(J))
        with pytest.raises(ValidationError) as exc:
            services.location_retour(location=loc, kilometrage=49_999, carburant=4, date_retour=jour(1))
        assert "inférieur au kilométrage au départ" in message(exc)
        # Bornes : égal accepté.
        loc = services.location_retour(location=loc, kilometrage=50_000, carburant=4, date_retour=jour(1))
        assert loc.km_parcourus == 0

    def test_retour_tardif_signale(self):
        loc = reserver(VehiculeFactory(kilometrage=50_000), debut=J, fin=jour(2))
        loc = services.location_depart(location=loc, kilometrage=50_000, carburant=4, maintenant=_maintenant(J))
        loc = services.location_retour(location=loc, kilometrage=50_100, carburant=4, date_retour=jour(3))
        assert loc.incident == Incident.RETARD and loc.est_en_retard()
        assert Location.objects.en_retard().filter(pk=loc.pk).exists()

    def test_retour_le_dernier_jour_pas_en_retard(self):
        loc = reserver(VehiculeFactory(kilometrage=50_000), debut=J, fin=jour(2))
        loc = services.location_depart(location=loc, kilometrage=50_000, carburant=4, maintenant=_maintenant(J))
        loc = services.location_retour(location=loc, kilometrage=50_100, carburant=4, date_retour=jour(2))
        assert not loc.est_en_retard() and not Location.objects.en_retard().filter(pk=loc.pk).exists()

    def test_incident_avec_montant_du(self):
        loc = reserver(VehiculeFactory(kilometrage=50_000), debut=J, fin=jour(2))
        loc = services.location_depart(location=loc, kilometrage=50_000, carburant=4, maintenant=_maintenant(J))
        with pytest.raises(ValidationError):
            services.location_retour(
                location=loc, kilometrage=50_100, carburant=4, date_retour=jour(2), montant_du=Decimal("80")
            )
        loc = services.location_retour(
            location=loc,
            kilometrage=50_100,
            carburant=4,
            date_retour=jour(2),
            incident=Incident.DEGAT,
            montant_du=Decimal("80"),
        )
        assert loc.incident == Incident.DEGAT and loc.montant_du == Decimal("80")

    def test_annuler_une_location_en_cours_refuse(self):
        loc = LocationFactory(en_cours=True)
        with pytest.raises(ValidationError):
            services.location_annuler(location=loc)

    def test_retour_sans_depart_refuse(self):
        loc = reserver(VehiculeFactory())
        with pytest.raises(ValidationError):
            services.location_retour(location=loc, kilometrage=60_000, carburant=4)

    def test_en_cours_au_dela_de_la_fin_est_en_retard(self):
        hier = timezone.localdate() - datetime.timedelta(days=1)
        loc = LocationFactory(en_cours=True, debut=hier - datetime.timedelta(days=3), fin=hier)
        assert loc.est_en_retard() and Location.objects.en_retard().filter(pk=loc.pk).exists()


# --- Lien avec le parcours ----------------------------------------------------------------------------------


class TestLienParcours:
    def test_forum_hors_periode_refuse(self):
        forum = ForumFactory(date=jour(10))
        with pytest.raises(ValidationError) as exc:
            reserver(VehiculeFactory(), debut=J, fin=jour(2), motif="forum", forum=forum)
        assert "hors de la période" in message(exc)
        assert reserver(VehiculeFactory(), debut=jour(9), fin=jour(10), motif="forum", forum=forum).forum == forum

    def test_forum_suppose_le_motif_forum(self):
        forum = ForumFactory(date=J)
        with pytest.raises(ValidationError):
            reserver(VehiculeFactory(), debut=J, fin=J, motif="formation", forum=forum)


# --- Flotte et cessions -------------------------------------------------------------------------------------


class TestFlotteEtCessions:
    def test_creer_normalise_l_immatriculation(self):
        v = services.vehicule_creer(
            immatriculation="ab 123 cd",
            type="vsp",
            marque="Aixam",
            modele="City",
            date_premiere_immatriculation=datetime.date(2018, 1, 1),
            kilometrage=1000,
            commune=CommuneFactory(),
            partenaire=StructureFactory(partenaire=True),
        )
        assert v.immatriculation == "AB-123-CD" and v.prix_journalier == Decimal("1.00")

    @pytest.mark.parametrize("plaque", ["AI-123-CD", "AB-123-CO", "AB-12-CD", "SS-123-AB", "AB-123-SS", "AB-000-CD"])
    def test_immatriculation_invalide_refusee(self, plaque):
        with pytest.raises(ValidationError) as exc:
            services.vehicule_creer(
                immatriculation=plaque,
                marque="Renault",
                modele="Clio",
                date_premiere_immatriculation=datetime.date(2018, 1, 1),
                commune=CommuneFactory(),
                partenaire=StructureFactory(partenaire=True),
            )
        assert "immatriculation" in exc.value.message_dict

    def test_gestionnaire_doit_etre_associatif(self):
        with pytest.raises(ValidationError) as exc:
            services.vehicule_creer(
                immatriculation="AB-123-CD",
                marque="Renault",
                modele="Clio",
                date_premiere_immatriculation=datetime.date(2018, 1, 1),
                commune=CommuneFactory(),
                partenaire=StructureFactory(entreprise=True),
            )
        assert "partenaire" in exc.value.message_dict

    def test_kilometrage_ne_diminue_pas(self):
        v = VehiculeFactory(kilometrage=50_000)
        with pytest.raises(ValidationError):
            services.vehicule_modifier(vehicule=v, kilometrage=40_000)
        assert services.vehicule_modifier(vehicule=v, kilometrage=51_000, marque="Dacia").marque == "Dacia"

    def test_cession_exige_un_vehicule_declasse(self):
        v = VehiculeFactory()
        with pytest.raises(ValidationError) as exc:
            services.vehicule_ceder(
                vehicule=v,
                convention=ConventionFactory(),
                date=datetime.date(2025, 6, 1),
                kilometrage=60_000,
                valeur_comptable=Decimal("800"),
            )
        assert "déclassé avant d'être cédé" in message(exc)

    def test_cession_exige_une_convention_signee(self):
        v = VehiculeFactory()
        services.vehicule_declasser(vehicule=v, date=datetime.date(2025, 5, 1))
        with pytest.raises(ValidationError) as exc:
            services.vehicule_ceder(
                vehicule=v,
                convention=ConventionFactory(non_signee=True),
                date=datetime.date(2025, 6, 1),
                kilometrage=60_000,
                valeur_comptable=Decimal("800"),
            )
        assert "pas signée" in message(exc)

    @pytest.mark.parametrize(
        "date_cession",
        [datetime.date(2023, 12, 31), datetime.date(2028, 1, 1), datetime.date(2024, 1, 5)],
        ids=["avant_la_convention", "apres_la_convention", "avant_la_signature"],
    )
    def test_cession_exige_une_convention_en_vigueur(self, date_cession):
        v = VehiculeFactory()
        services.vehicule_declasser(vehicule=v, date=datetime.date(2023, 1, 1))
        with pytest.raises(ValidationError) as exc:
            services.vehicule_ceder(
                vehicule=v,
                convention=ConventionFactory(),
                date=date_cession,
                kilometrage=60_000,
                valeur_comptable=Decimal("800"),
            )
        assert "n'est pas en vigueur" in message(exc)

    def test_vehicule_cede_quitte_la_flotte_pour_toujours(self):
        v = VehiculeFactory()
        services.vehicule_declasser(vehicule=v, date=datetime.date(2025, 5, 1))
        convention = ConventionFactory()
        cession = services.vehicule_ceder(
            vehicule=v,
            convention=convention,
            date=datetime.date(2025, 6, 1),
            kilometrage=60_000,
            valeur_comptable=Decimal("800"),
        )
        v.refresh_from_db()
        assert v.statut == StatutVehicule.CEDE and cession.vehicule == v and v.kilometrage == 60_000
        assert not Vehicule.objects.en_flotte().filter(pk=v.pk).exists()
        with pytest.raises(ValidationError):
            reserver(v)
        with pytest.raises(ValidationError):
            services.vehicule_mettre_en_maintenance(vehicule=v, en_maintenance=False)
        with pytest.raises(ValidationError):
            services.vehicule_declasser(vehicule=v)
        with pytest.raises(ValidationError):
            services.vehicule_modifier(vehicule=v, marque="Autre")
        with pytest.raises(ValidationError):
            services.vehicule_ceder(
                vehicule=v,
                convention=convention,
                date=datetime.date(2025, 7, 1),
                kilometrage=60_000,
                valeur_comptable=Decimal("0"),
            )

    def test_signer_une_convention(self):
        convention = services.convention_creer(
            partenaire=StructureFactory(partenaire=True),
            debut=datetime.date(2024, 1, 1),
            fin=datetime.date(2026, 12, 31),
        )
        assert not convention.signee
        with pytest.raises(ValidationError):
            services.convention_signer(
                convention=convention, date_signature=timezone.localdate() + datetime.timedelta(1)
            )
        services.convention_signer(convention=convention, date_signature=datetime.date(2024, 1, 15))
        convention.refresh_from_db()
        assert convention.en_vigueur_le(datetime.date(2024, 2, 1))
        with pytest.raises(ValidationError):
            services.convention_signer(convention=convention, date_signature=datetime.date(2024, 1, 16))

    def test_convention_avec_une_entreprise_refusee(self):
        with pytest.raises(ValidationError):
            services.convention_creer(
                partenaire=StructureFactory(entreprise=True),
                debut=datetime.date(2024, 1, 1),
                fin=datetime.date(2026, 12, 31),
            )


class TestContratLie:
    def test_contrat_d_une_autre_personne_refuse(self):
        contrat = ContratAideFactory()
        with pytest.raises(ValidationError) as exc:
            reserver(VehiculeFactory(), motif="contrat_aide", contrat=contrat)
        assert "autre personne" in message(exc)

    def test_contrat_de_la_personne_accepte_avec_le_bon_motif(self):
        b = personne()
        contrat = ContratAideFactory(beneficiaire=b)
        with pytest.raises(ValidationError):
            reserver(VehiculeFactory(), beneficiaire=b, motif="formation", contrat=contrat)
        assert reserver(VehiculeFactory(), beneficiaire=b, motif="contrat_aide", contrat=contrat).contrat == contrat


def test_personne_archivee_ne_reserve_plus():
    from beneficiaires.models import StatutParcours

    b = personne(statut_parcours=StatutParcours.ARCHIVE)
    with pytest.raises(ValidationError) as exc:
        reserver(VehiculeFactory(), beneficiaire=b)
    assert "archivée" in message(exc)


class TestFraisDeRestitution:
    def test_retard_facture_au_tarif_et_carburant_manquant(self, settings):
        settings.LOCATION_PENALITE_RETARD_JOUR = "5.00"
        settings.LOCATION_CARBURANT_QUART = "15.00"
        loc = reserver(VehiculeFactory(kilometrage=50_000, prix_journalier=Decimal("1.00")), debut=J, fin=jour(2))
        loc = services.location_depart(location=loc, kilometrage=50_000, carburant=4, maintenant=_maintenant(J))
        loc = services.location_retour(location=loc, kilometrage=50_100, carburant=2, date_retour=jour(5))
        assert loc.incident == Incident.RETARD and loc.jours_retard == 3
        assert loc.frais_retard == Decimal("18.00")  # 3 jours x (1,00 € + 5,00 €)
        assert loc.carburant_manquant == 2 and loc.frais_carburant == Decimal("30.00")
        assert loc.total_du == Decimal("48.00")

    def test_rendu_a_l_heure_et_plein_fait_rien_a_payer(self):
        loc = reserver(VehiculeFactory(kilometrage=50_000), debut=J, fin=jour(2))
        loc = services.location_depart(location=loc, kilometrage=50_000, carburant=2, maintenant=_maintenant(J))
        loc = services.location_retour(location=loc, kilometrage=50_100, carburant=4, date_retour=jour(2))
        assert loc.frais_retard == loc.frais_carburant == loc.total_du == Decimal("0")

    def test_remise_la_veille_dit_pourquoi(self):
        loc = reserver(VehiculeFactory(), debut=J, fin=jour(2))
        with pytest.raises(ValidationError) as exc:
            services.location_depart(location=loc, kilometrage=60_000, carburant=4, maintenant=_maintenant(jour(-1)))
        texte = message(exc)
        assert "Remise refusée" in texte and "(demain)" in texte and "premier jour réservé" in texte


class TestDeplacerUneReservation:
    def test_deplacer_sur_un_vehicule_libre_du_meme_type_puis_declasser(self):
        v = VehiculeFactory()
        loc = reserver(v, debut=J, fin=jour(2))
        with pytest.raises(ValidationError, match="réservation"):
            services.vehicule_declasser(vehicule=v)
        autre = VehiculeFactory(type=v.type)
        loc = services.location_transferer(location=loc, vehicule=autre)
        assert loc.vehicule == autre and loc.statut == StatutLocation.RESERVEE
        services.vehicule_declasser(vehicule=v)

    def test_refus_autre_type_ou_vehicule_occupe(self):
        v = VehiculeFactory(type="voiture")
        loc = reserver(v, debut=J, fin=jour(2))
        vsp = VehiculeFactory(type="vsp")
        with pytest.raises(ValidationError, match="même type"):
            services.location_transferer(location=loc, vehicule=vsp)
        occupe = VehiculeFactory(type="voiture")
        reserver(occupe, debut=jour(1), fin=jour(4))
        with pytest.raises(ValidationError, match="déjà réservé"):
            services.location_transferer(location=loc, vehicule=occupe)
        loc.refresh_from_db()
        assert loc.vehicule == v

"""Actions métier de la mobilité : une fonction par action, chacune dans une transaction.

Règle cardinale : deux locations non annulées d'un même véhicule ne se chevauchent jamais (jours entiers,
bornes comprises). Le service verrouille la ligne du véhicule (select_for_update), relit et revérifie ; sur
PostgreSQL une contrainte d'exclusion garantit la même règle en base (migration 0002).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from beneficiaires.models import StatutParcours
from commun.dates import ajouter_mois
from commun.francais import compte, est_pluriel
from commun.historique import attribue
from referentiel.models import Structure

from .models import (
    Carburant,
    Cession,
    ConventionCession,
    Incident,
    Location,
    MotifLocation,
    PeriodeMaintenance,
    StatutLocation,
    StatutVehicule,
    TypeVehicule,
    Vehicule,
    normaliser_immatriculation,
)

# Né(e) à partir de cette date : le permis AM est exigé pour une voiture sans permis ou un cyclomoteur.
NAISSANCE_PERMIS_AM = datetime.date(1988, 1, 1)
TYPES_PARTENAIRE = (Structure.Type.PARTENAIRE, Structure.Type.ASSOCIATION)
CHAMPS_VEHICULE = (
    "immatriculation",
    "type",
    "marque",
    "modele",
    "date_premiere_immatriculation",
    "kilometrage",
    "commune",
    "partenaire",
    "prix_journalier",
    "depot_garantie",
    "date_entree_flotte",
    "notes",
)
MESSAGE_CHEVAUCHEMENT = "Ce véhicule est déjà réservé sur une partie de cette période (du {debut} au {fin})."


def _date(d):
    return d.strftime("%d/%m/%Y")


def _verrouiller_vehicule(vehicule):
    return Vehicule.objects.select_for_update(of=("self",)).get(pk=vehicule.pk)


def _verifier_partenaire(partenaire):
    if partenaire is None or partenaire.type not in TYPES_PARTENAIRE:
        raise ValidationError({"partenaire": "Le gestionnaire d'un véhicule est un partenaire associatif."})


# --- Flotte -------------------------------------------------------------------------------------------------


@transaction.atomic
@attribue
def vehicule_creer(*, par=None, **champs):
    inconnus = set(champs) - set(CHAMPS_VEHICULE)
    if inconnus:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(inconnus))}")
    champs["immatriculation"] = normaliser_immatriculation(champs.get("immatriculation", ""))
    vehicule = Vehicule(**champs)
    _verifier_partenaire(vehicule.partenaire if vehicule.partenaire_id else None)
    vehicule.full_clean()
    vehicule.save()
    return vehicule


@transaction.atomic
@attribue
def vehicule_modifier(*, vehicule, par=None, **champs):
    """Modifie la fiche d'un véhicule de la flotte (pas son statut : voir les services dédiés)."""
    inconnus = set(champs) - set(CHAMPS_VEHICULE)
    if inconnus:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(inconnus))}")
    vehicule = _verrouiller_vehicule(vehicule)
    if vehicule.statut == StatutVehicule.CEDE:
        raise ValidationError("Un véhicule cédé a quitté la flotte : sa fiche n'est plus modifiable.")
    if "immatriculation" in champs:
        champs["immatriculation"] = normaliser_immatriculation(champs["immatriculation"])
    if "kilometrage" in champs and champs["kilometrage"] < vehicule.kilometrage:
        raise ValidationError({"kilometrage": "Le kilométrage d'un véhicule ne diminue pas."})
    for champ, valeur in champs.items():
        setattr(vehicule, champ, valeur)
    _verifier_partenaire(vehicule.partenaire)
    vehicule.full_clean()
    vehicule.save()
    return vehicule


@transaction.atomic
@attribue
def vehicule_mettre_en_maintenance(*, vehicule, en_maintenance, par=None):
    """Passe un véhicule disponible « en maintenance » (sans date de fin connue) ou le remet en service."""
    vehicule = _verrouiller_vehicule(vehicule)
    if vehicule.statut not in (StatutVehicule.DISPONIBLE, StatutVehicule.MAINTENANCE):
        raise ValidationError(f"Un véhicule {vehicule.get_statut_display().lower()} ne revient pas en service.")
    if en_maintenance:
        a_venir = vehicule.locations.filter(statut=StatutLocation.RESERVEE).count()
        if a_venir:
            raise ValidationError(
                f"{compte(a_venir, 'réservation')} à venir sur ce véhicule : "
                f"{'annulez-les' if est_pluriel(a_venir) else 'annulez-la'} ou planifiez une période de "
                "maintenance datée."
            )
    vehicule.statut = StatutVehicule.MAINTENANCE if en_maintenance else StatutVehicule.DISPONIBLE
    vehicule.full_clean()
    vehicule.save(update_fields=["statut"])
    return vehicule


@transaction.atomic
@attribue
def maintenance_planifier(*, vehicule, debut, fin, motif="", par=None):
    """Bloque le véhicule du `debut` au `fin` inclus ; refusé si une location ou une maintenance chevauche."""
    vehicule = _verrouiller_vehicule(vehicule)
    if vehicule.statut in (StatutVehicule.DECLASSE, StatutVehicule.CEDE):
        raise ValidationError(f"Un véhicule {vehicule.get_statut_display().lower()} ne reçoit plus de maintenance.")
    periode = PeriodeMaintenance(vehicule=vehicule, debut=debut, fin=fin, motif=motif, cree_par=par)
    periode.full_clean()
    conflit = vehicule.locations.actives().chevauchant(debut, fin).order_by("debut").first()
    if conflit:
        raise ValidationError(
            f"La location n° {conflit.numero} (du {_date(conflit.debut)} au {_date(conflit.fin)}) occupe déjà "
            "le véhicule sur cette période : annulez-la ou choisissez d'autres dates."
        )
    autre = vehicule.maintenances.chevauchant(debut, fin).first()
    if autre:
        raise ValidationError(
            f"Une maintenance est déjà planifiée du {_date(autre.debut)} au {_date(autre.fin)} sur ce véhicule."
        )
    periode.save()
    return periode


@transaction.atomic
@attribue
def vehicule_declasser(*, vehicule, date=None, par=None):
    """Sort le véhicule de la flotte louable ; préalable à toute cession."""
    date = date or timezone.localdate()
    vehicule = _verrouiller_vehicule(vehicule)
    if vehicule.statut == StatutVehicule.CEDE:
        raise ValidationError("Ce véhicule a déjà été cédé.")
    if vehicule.statut == StatutVehicule.DECLASSE:
        raise ValidationError("Ce véhicule est déjà déclassé.")
    en_cours = vehicule.locations.filter(statut=StatutLocation.EN_COURS).first()
    if en_cours:
        raise ValidationError(f"La location n° {en_cours.numero} est en cours : attendez le retour du véhicule.")
    a_venir = vehicule.locations.filter(statut=StatutLocation.RESERVEE, fin__gte=date).count()
    if a_venir:
        raise ValidationError(
            f"{compte(a_venir, 'réservation')} à venir sur ce véhicule : "
            f"{'annulez-les' if est_pluriel(a_venir) else 'annulez-la'} avant de le déclasser."
        )
    vehicule.statut = StatutVehicule.DECLASSE
    vehicule.date_declassement = date
    vehicule.full_clean()
    vehicule.save(update_fields=["statut", "date_declassement"])
    return vehicule


# --- Locations ----------------------------------------------------------------------------------------------


def verifier_permis(*, vehicule, beneficiaire):
    """Lève une ValidationError qui dit ce qui manque. Le permis B vaut aussi la catégorie AM."""
    evaluation = beneficiaire.evaluation_courante
    if vehicule.type == TypeVehicule.VOITURE:
        if evaluation is None:
            raise ValidationError(
                "Aucune évaluation en vigueur pour cette personne : le permis B, exigé pour une voiture, ne peut "
                "pas être vérifié. Réalisez d'abord son évaluation."
            )
        if not evaluation.permis_b:
            raise ValidationError(
                "Permis B manquant : une voiture ne peut être louée qu'à une personne titulaire du permis B "
                "(d'après son évaluation en vigueur)."
            )
        return
    # Voiture sans permis ou cyclomoteur : permis AM exigé des personnes nées à partir du 01/01/1988.
    if beneficiaire.date_naissance < NAISSANCE_PERMIS_AM:
        return
    libelle = "une voiture sans permis" if vehicule.type == TypeVehicule.VSP else "un deux-roues motorisé"
    if evaluation is None:
        raise ValidationError(
            f"Aucune évaluation en vigueur pour cette personne : le permis AM, exigé pour {libelle} des personnes "
            "nées à partir du 01/01/1988, ne peut pas être vérifié. Réalisez d'abord son évaluation."
        )
    if not (evaluation.permis_am or evaluation.permis_b):
        raise ValidationError(
            f"Permis AM manquant : née ou né le {_date(beneficiaire.date_naissance)}, la personne doit être "
            f"titulaire du permis AM (ou du permis B) pour conduire {libelle}."
        )


def verifier_disponibilite(*, vehicule, debut, fin):
    """Aucune location non annulée ni maintenance du véhicule ne chevauche [debut, fin] (bornes comprises)."""
    conflit = Location.objects.filter(vehicule=vehicule).actives().chevauchant(debut, fin).order_by("debut").first()
    if conflit:
        raise ValidationError(
            {"debut": MESSAGE_CHEVAUCHEMENT.format(debut=_date(conflit.debut), fin=_date(conflit.fin))}
        )
    maintenance = PeriodeMaintenance.objects.filter(vehicule=vehicule).chevauchant(debut, fin).first()
    if maintenance:
        raise ValidationError(
            {
                "debut": f"Ce véhicule est en maintenance du {_date(maintenance.debut)} au "
                f"{_date(maintenance.fin)} : choisissez d'autres dates ou un autre véhicule."
            }
        )


def verifier_lien_parcours(*, beneficiaire, motif, debut, fin, contrat=None, forum=None):
    """Le contrat aidé ou le forum lié doit concerner la personne, le motif et la période de la location."""
    if contrat is not None:
        if contrat.beneficiaire_id != beneficiaire.pk:
            raise ValidationError({"contrat": "Ce contrat aidé concerne une autre personne."})
        if motif != MotifLocation.CONTRAT_AIDE:
            raise ValidationError({"motif": "Une location liée à un contrat aidé a pour motif « Contrat aidé »."})
    if forum is not None:
        if motif != MotifLocation.FORUM:
            raise ValidationError({"motif": "Une location liée à un forum a pour motif « Forum de l'emploi »."})
        if not debut <= forum.date <= fin:
            raise ValidationError({"forum": f"Le forum a lieu le {_date(forum.date)}, hors de la période de location."})


def tarif(nom):
    """Un tarif des frais de restitution (réglage, en euros) : Decimal à deux décimales."""
    return Decimal(str(getattr(settings, nom))).quantize(Decimal("0.01"))


def duree_max_mois():
    """Durée maximale d'une location, en mois civils (6 par défaut : « de quelques heures à 6 mois »)."""
    return int(getattr(settings, "LOCATION_DUREE_MAX_MOIS", 6))


def fin_maximale(debut):
    """Dernier jour qu'une location commencée le `debut` peut atteindre : du 01/07 au 31/12 fait 6 mois."""
    return ajouter_mois(debut, duree_max_mois()) - datetime.timedelta(days=1)


def _verifier_demande(*, debut, fin, motif, beneficiaire, aujourdhui):
    """Ce qui se vérifie avant de verrouiller le véhicule : dates, durée, période à venir, motif, personne active."""
    if debut is None or fin is None:
        raise ValidationError({"debut": "Indiquez les dates de début et de fin de la location."})
    if fin < debut:
        raise ValidationError({"fin": "La fin de la location ne peut précéder son début."})
    if fin > fin_maximale(debut):
        raise ValidationError(
            {
                "fin": f"Une location dure au plus {duree_max_mois()} mois : commencée le {_date(debut)}, elle "
                f"finit au plus tard le {_date(fin_maximale(debut))}."
            }
        )
    aujourdhui = aujourdhui or timezone.localdate()
    if fin < aujourdhui:
        raise ValidationError({"fin": "On ne réserve pas une période déjà passée."})
    if motif not in MotifLocation.values:
        raise ValidationError({"motif": "Choisissez le motif de la location."})
    if beneficiaire.statut_parcours == StatutParcours.ARCHIVE or beneficiaire.date_anonymisation:
        raise ValidationError({"beneficiaire": "Cette personne est archivée : on ne lui réserve plus de véhicule."})


@transaction.atomic
@attribue
def location_reserver(
    *, vehicule, beneficiaire, debut, fin, motif, par=None, contrat=None, forum=None, notes="", aujourdhui=None
):
    """Réserve `vehicule` pour `beneficiaire` du `debut` au `fin` inclus (jours entiers).

    Vérifie d'abord la demande (dates, durée, motif, personne active), puis verrouille le véhicule, relit son
    statut, revérifie les chevauchements (locations non annulées et maintenances) et le permis ; copie le prix et
    le dépôt du véhicule."""
    _verifier_demande(debut=debut, fin=fin, motif=motif, beneficiaire=beneficiaire, aujourdhui=aujourdhui)
    vehicule = _verrouiller_vehicule(vehicule)
    if vehicule.statut != StatutVehicule.DISPONIBLE:
        raise ValidationError(
            f"Le véhicule {vehicule.immatriculation} est {vehicule.get_statut_display().lower()} : "
            "il ne peut pas être réservé."
        )
    if vehicule.date_entree_flotte > debut:
        raise ValidationError(
            {"debut": f"Ce véhicule n'entre dans la flotte que le {_date(vehicule.date_entree_flotte)}."}
        )
    verifier_permis(vehicule=vehicule, beneficiaire=beneficiaire)
    verifier_lien_parcours(beneficiaire=beneficiaire, motif=motif, debut=debut, fin=fin, contrat=contrat, forum=forum)
    verifier_disponibilite(vehicule=vehicule, debut=debut, fin=fin)
    location = Location(
        beneficiaire=beneficiaire,
        vehicule=vehicule,
        debut=debut,
        fin=fin,
        motif=motif,
        contrat=contrat,
        forum=forum,
        prix_journalier=vehicule.prix_journalier,
        depot_garantie=vehicule.depot_garantie,
        statut=StatutLocation.RESERVEE,
        notes=notes,
        reservee_par=par,
    )
    return _enregistrer_sans_chevauchement(location, champ="debut")


def _enregistrer_sans_chevauchement(location, *, champ):
    """Valide et enregistre ; sur PostgreSQL, la contrainte d'exclusion a le dernier mot (voir migration 0002) :
    une réservation concurrente sur la même période devient une erreur sur `champ`."""
    location.full_clean()
    try:
        with transaction.atomic():
            location.save()
    except IntegrityError as exc:
        if "location_sans_chevauchement" in str(exc):
            raise ValidationError({champ: "Ce véhicule vient d'être réservé sur cette période."}) from exc
        raise
    return location


def _verrouiller_location(location):
    return Location.objects.select_for_update(of=("self",)).select_related("vehicule").get(pk=location.pk)


@transaction.atomic
@attribue
def location_transferer(*, location, vehicule, par=None):
    """Déplace une réservation à venir sur un autre véhicule du même type, libre sur toute la période (avant de
    déclasser le véhicule d'origine, par exemple). Verrouille la location puis les deux véhicules (dans l'ordre
    des clés : pas d'interblocage), relit et revérifie. Le prix et le dépôt réservés restent ceux convenus."""
    location = _verrouiller_location(location)
    if location.statut != StatutLocation.RESERVEE:
        raise ValidationError(
            f"Seule une location réservée se déplace ; celle-ci est {location.get_statut_display().lower()}."
        )
    if vehicule.pk == location.vehicule_id:
        raise ValidationError({"vehicule": "La réservation est déjà sur ce véhicule."})
    verrouilles = {
        v.pk: v
        for v in Vehicule.objects.select_for_update(of=("self",))
        .filter(pk__in=[location.vehicule_id, vehicule.pk])
        .order_by("pk")
    }
    origine, cible = verrouilles[location.vehicule_id], verrouilles[vehicule.pk]
    if cible.type != origine.type:
        raise ValidationError(
            {"vehicule": f"Le véhicule de remplacement doit être du même type ({origine.get_type_display().lower()})."}
        )
    if cible.statut != StatutVehicule.DISPONIBLE:
        raise ValidationError(
            {"vehicule": f"Le véhicule {cible.immatriculation} est {cible.get_statut_display().lower()}."}
        )
    if cible.date_entree_flotte > location.debut:
        raise ValidationError(
            {"vehicule": f"Le véhicule {cible.immatriculation} n'entre dans la flotte que le "
             f"{_date(cible.date_entree_flotte)}."}
        )  # fmt: skip
    verifier_permis(vehicule=cible, beneficiaire=location.beneficiaire)
    verifier_disponibilite(vehicule=cible, debut=location.debut, fin=location.fin)
    location.vehicule = cible
    location._history_user = par
    return _enregistrer_sans_chevauchement(location, champ="vehicule")


@transaction.atomic
@attribue
def location_annuler(*, location, par=None, motif=""):
    location = _verrouiller_location(location)
    if location.statut != StatutLocation.RESERVEE:
        raise ValidationError(
            f"Seule une location réservée peut être annulée ; celle-ci est {location.get_statut_display().lower()}."
        )
    location.statut = StatutLocation.ANNULEE
    location.motif_annulation = motif[:200]
    location.full_clean()
    location.save(update_fields=["statut", "motif_annulation"])
    return location


def _verifier_carburant(valeur, champ):
    if valeur not in Carburant.values:
        raise ValidationError({champ: "Indiquez le niveau de carburant."})


def raison_remise_anticipee(location, jour):
    """Pourquoi le véhicule ne peut pas être remis avant le premier jour réservé (message de la page de remise)."""
    veille = " (demain)" if (location.debut - jour).days == 1 else ""
    return (
        f"Remise refusée : la location n° {location.numero} commence le {_date(location.debut)}{veille}. Le véhicule "
        "ne part pas avant le premier jour réservé : il peut être réservé par quelqu'un d'autre jusque-là, et le prix "
        "comme l'assurance courent à partir de cette date. Pour le remettre aujourd'hui, annulez cette réservation "
        "et réservez à nouveau à partir d'aujourd'hui, si le véhicule est libre."
    )


@transaction.atomic
@attribue
def location_depart(*, location, kilometrage, carburant, etat="", par=None, maintenant=None):
    """Remise du véhicule (état des lieux de départ)."""
    location = _verrouiller_location(location)
    vehicule = _verrouiller_vehicule(location.vehicule)
    maintenant = maintenant or timezone.now()
    if location.statut != StatutLocation.RESERVEE:
        raise ValidationError(
            f"Seule une location réservée peut partir ; celle-ci est {location.get_statut_display().lower()}."
        )
    if vehicule.statut != StatutVehicule.DISPONIBLE:
        raise ValidationError(f"Le véhicule est {vehicule.get_statut_display().lower()} : il ne peut pas être remis.")
    jour = timezone.localdate(maintenant)
    if jour < location.debut:
        raise ValidationError(raison_remise_anticipee(location, jour))
    if jour > location.fin:
        raise ValidationError(
            f"La période réservée s'est achevée le {_date(location.fin)} : annulez la réservation et réservez à "
            "nouveau."
        )
    if kilometrage is None or kilometrage < vehicule.kilometrage:
        raise ValidationError(
            {"kilometrage": f"Le compteur affichait déjà {vehicule.kilometrage} km au dernier relevé."}
        )
    _verifier_carburant(carburant, "carburant")
    location.statut = StatutLocation.EN_COURS
    location.date_depart = maintenant
    location.km_depart = kilometrage
    location.carburant_depart = carburant
    location.etat_depart = etat
    location.full_clean()
    location.save()
    vehicule.kilometrage = kilometrage
    vehicule.save(update_fields=["kilometrage"])
    return location


@transaction.atomic
@attribue
def location_retour(
    *, location, kilometrage, carburant, etat="", incident="", montant_du=Decimal("0"), date_retour=None, par=None
):
    """Restitution (état des lieux de retour). Un retour après la date prévue est signalé comme retard et
    facturé : chaque jour de retard au prix journalier de la location plus la pénalité du réglage
    LOCATION_PENALITE_RETARD_JOUR ; un niveau de carburant plus bas qu'au départ est facturé par quart manquant
    (LOCATION_CARBURANT_QUART). `montant_du` : ce qui s'y ajoute (dégât, amende)."""
    location = _verrouiller_location(location)
    vehicule = _verrouiller_vehicule(location.vehicule)
    if location.statut != StatutLocation.EN_COURS:
        raise ValidationError(
            f"Seule une location en cours peut être restituée ; celle-ci est {location.get_statut_display().lower()}."
        )
    date_retour = date_retour or timezone.localdate()
    if date_retour < location.debut:
        raise ValidationError({"date_retour": "Le retour ne peut précéder le début de la location."})
    if kilometrage is None or kilometrage < location.km_depart:
        raise ValidationError(
            {
                "kilometrage": f"Le kilométrage au retour ne peut être inférieur au kilométrage au départ "
                f"({location.km_depart} km)."
            }
        )
    _verifier_carburant(carburant, "carburant")
    if incident not in Incident.values:
        raise ValidationError({"incident": "Incident inconnu."})
    montant_du = Decimal(montant_du or 0)
    if montant_du < 0:
        raise ValidationError({"montant_du": "Le montant dû ne peut pas être négatif."})
    if montant_du and not incident:
        raise ValidationError({"incident": "Un montant dû suppose un incident : précisez lequel."})
    if not incident and date_retour > location.fin:
        incident = Incident.RETARD
    jours_retard = max((date_retour - location.fin).days, 0)
    manquants = max(location.carburant_depart - carburant, 0) if location.carburant_depart is not None else 0
    location.frais_retard = jours_retard * (location.prix_journalier + tarif("LOCATION_PENALITE_RETARD_JOUR"))
    location.frais_carburant = manquants * tarif("LOCATION_CARBURANT_QUART")
    location.statut = StatutLocation.RESTITUEE
    location.date_retour = date_retour
    location.km_retour = kilometrage
    location.carburant_retour = carburant
    location.etat_retour = etat
    location.incident = incident
    location.montant_du = montant_du
    location.full_clean()
    location.save()
    vehicule.kilometrage = max(vehicule.kilometrage, kilometrage)
    vehicule.save(update_fields=["kilometrage"])
    return location


# --- Cessions -----------------------------------------------------------------------------------------------


@transaction.atomic
@attribue
def convention_creer(*, partenaire, debut, fin, objet="", modalites="", par=None):
    if partenaire is None or partenaire.type not in TYPES_PARTENAIRE:
        raise ValidationError({"partenaire": "Une convention de cession se signe avec un partenaire associatif."})
    convention = ConventionCession(
        partenaire=partenaire,
        debut=debut,
        fin=fin,
        objet=objet or "Cession de véhicules déclassés",
        modalites=modalites,
    )
    convention.full_clean()
    convention.save()
    return convention


@transaction.atomic
@attribue
def convention_signer(*, convention, date_signature, par=None):
    convention = ConventionCession.objects.select_for_update(of=("self",)).get(pk=convention.pk)
    if convention.signee:
        raise ValidationError(f"Cette convention a déjà été signée le {_date(convention.date_signature)}.")
    if date_signature is None:
        raise ValidationError({"date_signature": "Indiquez la date de signature."})
    if date_signature > timezone.localdate():
        raise ValidationError({"date_signature": "La date de signature ne peut pas être dans le futur."})
    if date_signature > convention.fin:
        raise ValidationError({"date_signature": "La convention serait signée après sa fin."})
    convention.date_signature = date_signature
    convention.signee_par = par
    convention.full_clean()
    convention.save(update_fields=["date_signature", "signee_par"])
    return convention


@transaction.atomic
@attribue
def vehicule_ceder(*, vehicule, convention, date, kilometrage, valeur_comptable, par=None):
    """Remet un véhicule déclassé au partenaire d'une convention signée en vigueur ; il quitte la flotte."""
    vehicule = _verrouiller_vehicule(vehicule)
    if vehicule.statut == StatutVehicule.CEDE:
        raise ValidationError("Ce véhicule a déjà été cédé : il a quitté la flotte.")
    if vehicule.statut != StatutVehicule.DECLASSE:
        raise ValidationError("Un véhicule doit être déclassé avant d'être cédé.")
    if date < vehicule.date_declassement:
        raise ValidationError({"date": "La cession ne peut précéder le déclassement du véhicule."})
    convention = ConventionCession.objects.select_for_update(of=("self",)).get(pk=convention.pk)
    if not convention.signee:
        raise ValidationError({"convention": "La convention n'est pas signée : aucune cession sans convention signée."})
    if not convention.en_vigueur_le(date):
        raise ValidationError(
            {
                "convention": f"La convention n° {convention.numero} n'est pas en vigueur le {_date(date)} (du "
                f"{_date(convention.debut)} au {_date(convention.fin)}, signée le "
                f"{_date(convention.date_signature)})."
            }
        )
    if kilometrage is None or kilometrage < vehicule.kilometrage:
        raise ValidationError(
            {"kilometrage": f"Le compteur affichait déjà {vehicule.kilometrage} km au dernier relevé."}
        )
    cession = Cession(
        vehicule=vehicule,
        convention=convention,
        date=date,
        kilometrage=kilometrage,
        valeur_comptable=valeur_comptable,
        enregistree_par=par,
    )
    cession.full_clean()
    cession.save()
    vehicule.statut = StatutVehicule.CEDE
    vehicule.kilometrage = kilometrage
    vehicule.full_clean()
    vehicule.save(update_fields=["statut", "kilometrage"])
    return cession


@attribue
def location_rappeler_restitution(*, location, par=None):
    """Le rappel de restitution à la personne, la veille du retour prévu (une fois par date de retour)."""
    from commun.messagerie import message_preparer
    from commun.models import Objet

    beneficiaire = location.beneficiaire
    return message_preparer(
        objet=Objet.RAPPEL_LOCATION,
        destinataire=beneficiaire,
        coordonnees=beneficiaire.coordonnees(),
        contexte={"date": f"{location.fin:%d/%m/%Y}", "vehicule": str(location.vehicule)},
        cle=f"rappel_location:{location.pk}:{location.fin:%Y%m%d}",
        par=par,
    )

"""Données de démonstration de la mobilité : une flotte d'une trentaine de véhicules sur les 4 bassins (un tiers de
voitures sans permis), une année de locations pour les personnes de la démonstration, une convention signée et
quelques véhicules déclassés cédés. Idempotent : relancé, il ne crée rien de plus."""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from beneficiaires.models import Beneficiaire
from commun.francais import compte, est_pluriel
from comptes.models import Role, User
from referentiel.demo import lieux_demo
from referentiel.models import Structure
from referentiel.registre_demo import generateur

from . import services
from .models import (
    LETTRES_SIV,
    Carburant,
    ConventionCession,
    Incident,
    Location,
    MotifLocation,
    PeriodeMaintenance,
    StatutLocation,
    TypeVehicule,
    Vehicule,
    valider_immatriculation,
)

PARTENAIRES = ("Mobilité Solidaire", "Roues de Secours Gâtinais")
# Sites de rattachement : (commune, partenaire gestionnaire)
SITES = [
    ("Orléans", PARTENAIRES[0]),
    ("Fleury-les-Aubrais", PARTENAIRES[0]),
    ("Saint-Jean-de-Braye", PARTENAIRES[0]),
    ("Pithiviers", PARTENAIRES[0]),
    ("Malesherbes", PARTENAIRES[0]),
    ("Montargis", PARTENAIRES[1]),
    ("Amilly", PARTENAIRES[1]),
    ("Gien", PARTENAIRES[1]),
    ("Briare", PARTENAIRES[1]),
]
MODELES = {
    TypeVehicule.VOITURE: [("Renault", "Clio"), ("Peugeot", "208"), ("Dacia", "Sandero"), ("Citroën", "C3")],
    TypeVehicule.VSP: [("Aixam", "City"), ("Ligier", "JS50"), ("Microcar", "M.Go"), ("Chatenet", "CH46")],
    TypeVehicule.DEUX_ROUES: [("Peugeot", "Kisbee 50"), ("Yamaha", "Neo's 50")],
}
PRIX = {
    TypeVehicule.VOITURE: (Decimal("1.00"), Decimal("150.00")),
    TypeVehicule.VSP: (Decimal("1.00"), Decimal("100.00")),
    TypeVehicule.DEUX_ROUES: (Decimal("1.00"), Decimal("50.00")),
}
MOTIFS = [
    MotifLocation.NOUVEL_EMPLOI,
    MotifLocation.NOUVEL_EMPLOI,
    MotifLocation.FORMATION,
    MotifLocation.ENTRETIEN,
    MotifLocation.FORUM,
    MotifLocation.CONTRAT_AIDE,
]


def immatriculation(rng, deja):
    while True:
        lettres = "".join(rng.choice(LETTRES_SIV) for _ in range(4))
        valeur = f"{lettres[:2]}-{rng.randint(1, 999):03d}-{lettres[2:]}"
        try:
            valider_immatriculation(valeur)
        except Exception:  # noqa: BLE001 - on tire une autre plaque
            continue
        if valeur not in deja:
            deja.add(valeur)
            return valeur


def _flotte(rng, aujourdhui, nombre, sortie):
    partenaires = {s.nom: s for s in Structure.objects.filter(nom__in=PARTENAIRES)}
    communes = lieux_demo()
    sites = [(communes[c], partenaires[p]) for c, p in SITES if c in communes and p in partenaires]
    if not sites:
        sortie("Mobilité : partenaires ou communes de démonstration absents, flotte non créée.")
        return []
    deja = set(Vehicule.objects.values_list("immatriculation", flat=True))
    vehicules = []
    for i in range(nombre):
        type_ = TypeVehicule.VSP if i % 3 == 0 else (TypeVehicule.DEUX_ROUES if i % 10 == 1 else TypeVehicule.VOITURE)
        commune, partenaire = sites[i % len(sites)]
        marque, modele = rng.choice(MODELES[type_])
        prix, depot = PRIX[type_]
        mise_en_circulation = aujourdhui - datetime.timedelta(days=rng.randint(3 * 365, 12 * 365))
        v = Vehicule(
            immatriculation=immatriculation(rng, deja),
            type=type_,
            marque=marque,
            modele=modele,
            date_premiere_immatriculation=mise_en_circulation,
            kilometrage=rng.randint(20_000, 160_000) if type_ == TypeVehicule.VOITURE else rng.randint(3_000, 30_000),
            commune=commune,
            partenaire=partenaire,
            prix_journalier=prix,
            depot_garantie=depot,
            date_entree_flotte=aujourdhui - datetime.timedelta(days=400 + rng.randint(0, 300)),
        )
        v.full_clean(validate_unique=False)
        vehicules.append(v)
    bulk_create_with_history(vehicules, Vehicule)
    return list(Vehicule.objects.filter(immatriculation__in=[v.immatriculation for v in vehicules]))


def _peut_conduire(vehicule, personne):
    try:
        services.verifier_permis(vehicule=vehicule, beneficiaire=personne)
    except Exception:  # noqa: BLE001 - ValidationError : la personne n'a pas le permis requis
        return False
    return True


def _locations(rng, vehicules, personnes, aujourdhui, agent):
    """Une année de locations par véhicule, sans chevauchement (générées à la suite), avec leurs états des lieux."""
    a_creer, maintenances, a_mettre_a_jour = [], [], []
    for v in vehicules:
        candidats = [p for p in personnes if _peut_conduire(v, p)]
        if not candidats:
            continue
        jour = aujourdhui - datetime.timedelta(days=365) + datetime.timedelta(days=rng.randint(0, 20))
        km = max(0, v.kilometrage - rng.randint(3_000, 9_000))
        fin_horizon = aujourdhui + datetime.timedelta(days=45)
        if rng.random() < 0.3:
            debut_m = aujourdhui - datetime.timedelta(days=rng.randint(60, 300))
            maintenances.append(
                PeriodeMaintenance(
                    vehicule=v,
                    debut=debut_m,
                    fin=debut_m + datetime.timedelta(days=rng.randint(2, 10)),
                    motif=rng.choice(["Révision", "Pneumatiques", "Carrosserie", "Contrôle technique"]),
                )
            )
        while jour < fin_horizon:
            duree = rng.choice([1, 1, 2, 3, 5, 7, 10, 14, 21, 30, 45])
            debut, fin = jour, jour + datetime.timedelta(days=duree - 1)
            if any(m.vehicule is v and m.debut <= fin and m.fin >= debut for m in maintenances):
                jour = fin + datetime.timedelta(days=rng.randint(5, 15))
                continue
            personne = rng.choice(candidats)
            loc = Location(
                beneficiaire=personne,
                vehicule=v,
                debut=debut,
                fin=fin,
                motif=rng.choice(MOTIFS),
                prix_journalier=v.prix_journalier,
                depot_garantie=v.depot_garantie,
                reservee_par=agent,
                statut=StatutLocation.RESERVEE,
            )
            if rng.random() < 0.05:
                loc.statut, loc.motif_annulation = StatutLocation.ANNULEE, "Empêchement de la personne"
            elif debut <= aujourdhui:
                loc.statut = StatutLocation.EN_COURS
                loc.date_depart = timezone.make_aware(datetime.datetime.combine(debut, datetime.time(9, 0)))
                loc.km_depart, loc.carburant_depart = km, Carburant.PLEIN
                loc.etat_depart = "Bon état général."
                retour = fin + datetime.timedelta(days=rng.randint(1, 4) if rng.random() < 0.1 else 0)
                if retour < aujourdhui:
                    km += rng.randint(15, 60) * duree
                    loc.statut, loc.date_retour, loc.km_retour = StatutLocation.RESTITUEE, retour, km
                    loc.carburant_retour = rng.choice([Carburant.TROIS_QUARTS, Carburant.PLEIN])
                    loc.etat_retour = "Rendu propre."
                    if retour > fin:
                        loc.incident, loc.montant_du = Incident.RETARD, Decimal("0")
                    elif rng.random() < 0.04:
                        loc.incident, loc.montant_du = Incident.DEGAT, Decimal(rng.choice([50, 80, 150]))
                        loc.etat_retour = "Rayure sur la portière avant."
            loc.full_clean(validate_unique=False, validate_constraints=False)
            a_creer.append(loc)
            jour = fin + datetime.timedelta(days=rng.randint(1, 20))
        if km > v.kilometrage:
            v.kilometrage = km
            a_mettre_a_jour.append(v)
    Vehicule.objects.bulk_update(a_mettre_a_jour, ["kilometrage"])
    for m in maintenances:
        m.full_clean()
    PeriodeMaintenance.objects.bulk_create(maintenances)
    bulk_create_with_history(a_creer, Location, batch_size=500)
    return len(a_creer), len(maintenances)


@generateur(ordre=60)
def mobilite(*, echelle, graine, sortie):
    rng = random.Random(f"{graine}-mobilite")
    aujourdhui = timezone.localdate()
    agent = User.objects.filter(role=Role.AGENT_MOBILITE).order_by("pk").first()
    with transaction.atomic():
        if Vehicule.objects.exists():
            sortie(f"Mobilité : flotte déjà présente ({compte(Vehicule.objects.count(), 'véhicule')}).")
            vehicules = []
        else:
            vehicules = _flotte(rng, aujourdhui, 30 if echelle == "petite" else 60, sortie)
            sortie(f"Mobilité : {compte(len(vehicules), 'véhicule créé')}.")
        if vehicules and not Location.objects.exists():
            personnes = list(
                Beneficiaire.objects.actifs()
                .select_related("evaluation_courante")
                .order_by("pk")[: 150 if echelle == "petite" else 1500]
            )
            if not personnes:
                sortie("Mobilité : aucune personne dans le registre, pas de location de démonstration.")
            else:
                # Les trois derniers véhicules, sans location, sont déclassés puis cédés.
                n, m = _locations(rng, vehicules[:-3], personnes, aujourdhui, agent)
                sortie(
                    f"Mobilité : {compte(n, 'location')} et {compte(m, 'période')} de maintenance "
                    f"{'créées' if est_pluriel(n + m) else 'créée'}."
                )
        if vehicules and not ConventionCession.objects.exists():
            _cessions(rng, vehicules[-3:], aujourdhui, agent, sortie)
    return None


def _cessions(rng, vehicules, aujourdhui, agent, sortie):
    partenaire = Structure.objects.filter(nom=PARTENAIRES[1]).first()
    if partenaire is None:
        return
    debut = aujourdhui - datetime.timedelta(days=200)
    convention = services.convention_creer(
        partenaire=partenaire,
        debut=debut,
        fin=debut + datetime.timedelta(days=3 * 365),
        modalites="Le partenaire assure, entretient et met les véhicules cédés à disposition de personnes en "
        "parcours d'insertion ; il rend compte de leur usage chaque année.",
        par=agent,
    )
    services.convention_signer(convention=convention, date_signature=debut, par=agent)
    for i, v in enumerate(vehicules):
        jour = aujourdhui - datetime.timedelta(days=120 - 30 * i)
        services.vehicule_declasser(vehicule=v, date=jour - datetime.timedelta(days=10), par=agent)
        services.vehicule_ceder(
            vehicule=v,
            convention=convention,
            date=jour,
            kilometrage=v.kilometrage + rng.randint(0, 500),
            valeur_comptable=Decimal(rng.randint(300, 2500)),
            par=agent,
        )
    sortie(f"Mobilité : convention n° {convention.numero} signée, {compte(len(vehicules), 'véhicule cédé')}.")


@generateur(ordre=61)
def rappels_de_restitution(*, echelle, graine, sortie):
    """La tâche du matin, jouée une fois : rappel aux personnes dont le véhicule est à rendre demain."""
    from .taches import rappeler_restitutions

    rappeler_restitutions()
    sortie("Mobilité : rappels de restitution envoyés (tâche mobilite.rappeler_restitutions).")

"""Lectures composées de la mobilité (recherche de véhicules libres, calendrier d'un véhicule, planning de la flotte) :
nombre de requêtes constant."""

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case as CasSql
from django.db.models import CharField, Count, DateField, F, IntegerField, When

from beneficiaires.models import Beneficiaire
from commun.requetes import RequeteFigee

from .models import ConventionCession, Location, PeriodeMaintenance, StatutLocation, Vehicule, flotte_visible_par

JOURS_SEMAINE = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."]
MOIS = [
    "",
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


@dataclass
class Jour:
    date: datetime.date
    dans_mois: bool = True
    locations: list = field(default_factory=list)  # [(location, visible)]
    maintenance: object = None

    @property
    def libre(self):
        return not self.locations and self.maintenance is None


def mois_suivant(annee, mois, pas=1):
    index = annee * 12 + (mois - 1) + pas
    return index // 12, index % 12 + 1


def calendrier_mois(vehicule, annee, mois, user):
    """Semaines du mois (lundi → dimanche) avec, pour chaque jour, les locations et la maintenance.

    Trois requêtes : locations du mois, celles que l'utilisateur peut voir nominativement, maintenances."""
    premier = datetime.date(annee, mois, 1)
    dernier = datetime.date(annee, mois, calendar.monthrange(annee, mois)[1])
    debut_grille = premier - datetime.timedelta(days=premier.weekday())
    fin_grille = dernier + datetime.timedelta(days=6 - dernier.weekday())
    locations = list(
        Location.objects.filter(vehicule=vehicule)
        .chevauchant(debut_grille, fin_grille)
        .actives()
        .select_related("beneficiaire")
        .order_by("debut", "pk")
    )
    visibles = set(
        Location.objects.visibles_par(user).filter(pk__in=[loc.pk for loc in locations]).values_list("pk", flat=True)
    )
    maintenances = list(PeriodeMaintenance.objects.filter(vehicule=vehicule).chevauchant(debut_grille, fin_grille))
    semaines, jour = [], debut_grille
    while jour <= fin_grille:
        semaine = []
        for _ in range(7):
            j = Jour(date=jour, dans_mois=(jour.month == mois))
            j.locations = [(loc, loc.pk in visibles) for loc in locations if loc.debut <= jour <= loc.fin]
            j.maintenance = next((m for m in maintenances if m.debut <= jour <= m.fin), None)
            semaine.append(j)
            jour += datetime.timedelta(days=1)
        semaines.append(semaine)
    return {
        "semaines": semaines,
        "jours_semaine": JOURS_SEMAINE,
        "titre_mois": f"{MOIS[mois]} {annee}",
        "precedent": "{:04d}-{:02d}".format(*mois_suivant(annee, mois, -1)),
        "suivant": "{:04d}-{:02d}".format(*mois_suivant(annee, mois, 1)),
        "locations": locations,
        "visibles": visibles,
        "maintenances": maintenances,
    }


@dataclass
class Case:
    date: datetime.date
    code: str  # "" libre, "R" réservé, "L" loué (en cours ou restitué), "M" maintenance
    libelle: str


def planning_flotte(vehicules, debut, nb_jours):
    """Lignes (véhicule, cases jour par jour) pour la période ; trois requêtes en tout.

    Aucune donnée personnelle : le planning dit seulement « réservé », « loué » ou « maintenance »."""
    fin = debut + datetime.timedelta(days=nb_jours - 1)
    vehicules = list(vehicules)
    ids = [v.pk for v in vehicules]
    occupations = defaultdict(list)
    for loc in (
        Location.objects.filter(vehicule_id__in=ids)
        .chevauchant(debut, fin)
        .actives()
        .only("vehicule_id", "debut", "fin", "statut")
    ):
        code, libelle = ("R", "Réservé") if loc.statut == StatutLocation.RESERVEE else ("L", "Loué")
        occupations[loc.vehicule_id].append((loc.debut, loc.fin, code, libelle))
    for m in PeriodeMaintenance.objects.filter(vehicule_id__in=ids).chevauchant(debut, fin):
        occupations[m.vehicule_id].append((m.debut, m.fin, "M", "Maintenance"))
    jours = [debut + datetime.timedelta(days=i) for i in range(nb_jours)]
    lignes = []
    for v in vehicules:
        cases = []
        for jour in jours:
            occ = next((o for o in occupations[v.pk] if o[0] <= jour <= o[1]), None)
            cases.append(Case(jour, occ[2], occ[3]) if occ else Case(jour, "", "Libre"))
        libres = sum(1 for c in cases if not c.code)
        lignes.append({"vehicule": v, "cases": cases, "libres": libres})
    return {"jours": jours, "lignes": lignes, "fin": fin}


def _recherche(avec_bassin, avec_type, *, debut, fin, bassin, type):
    """La recherche du guichet : les véhicules libres sur toute la période (`libres_entre`), du bassin et du type
    demandés s'il y en a, avec ce que la page en montre seulement (le site et son bassin en deux colonnes annotées,
    pas trois objets par véhicule), par type, site et immatriculation."""
    vehicules = Vehicule.objects.libres_entre(debut, fin)
    if avec_bassin:
        vehicules = vehicules.filter(commune__bassin_emploi=bassin)
    if avec_type:
        vehicules = vehicules.filter(type=type)
    return (
        vehicules.annotate(commune_nom=F("commune__nom"), bassin_nom=F("commune__bassin_emploi__nom"))
        .only("type", "marque", "modele", "immatriculation", "prix_journalier", "depot_garantie")
        .order_by("type", "commune__nom", "immatriculation")
    )


# Ouverte à chaque recherche du guichet : son SQL (deux sous-requêtes EXISTS) compilé une fois par forme.
_RECHERCHE = RequeteFigee(
    Vehicule, _recherche, debut=DateField(), fin=DateField(), bassin=IntegerField(), type=CharField()
)


def vehicules_libres(user, debut, fin, bassin=None, type=""):
    """Les véhicules que `user` peut réserver ou consulter, libres du `debut` à la `fin` (comprises), du `bassin`
    et du `type` s'ils sont donnés : une requête, sans construire ni compiler de QuerySet à chaque recherche.
    Chaque véhicule porte `commune_nom` et `bassin_nom`."""
    if not flotte_visible_par(user):
        return []
    forme = (bassin is not None, bool(type))
    return _RECHERCHE.lignes(
        forme, debut=debut, fin=fin, bassin=bassin.pk if bassin is not None else None, type=type or ""
    )


def personnes_au_guichet(user):
    """Les personnes à qui `user` peut réserver un véhicule.

    L'agent mobilité sert au guichet tout le Département : il trouve toute personne active, mais les pages de
    réservation ne lui montrent que ce qu'une réservation demande (nom, date de naissance pour la règle du
    permis AM, commune, permis) ; jamais l'évaluation ni les autres axes (la fiche lui reste fermée)."""
    if user.is_authenticated and user.est_agent_mobilite:
        return Beneficiaire.objects.actifs()
    return Beneficiaire.objects.visibles_par(user).actifs()


def remplacants_possibles(location):
    """Les véhicules du même type, libres sur toute la période de la réservation (du même site d'abord)."""
    return (
        Vehicule.objects.libres_entre(location.debut, location.fin)
        .filter(type=location.vehicule.type)
        .exclude(pk=location.vehicule_id)
        .select_related("commune")
        .order_by(
            CasSql(When(commune_id=location.vehicule.commune_id, then=0), default=1),
            "commune__nom",
            "immatriculation",
        )
    )


def reservations_a_venir(vehicule, jour):
    """Les réservations du véhicule qui finissent à partir de `jour` (celles qui empêchent de le déclasser),
    chacune avec `remplacant` : le premier véhicule du même type libre sur sa période, ou None."""
    resultat = list(
        vehicule.locations.filter(statut=StatutLocation.RESERVEE, fin__gte=jour)
        .select_related("beneficiaire", "vehicule")
        .order_by("debut", "pk")
    )
    for loc in resultat:
        loc.remplacant = remplacants_possibles(loc).first()
    return resultat


def locations_a_rendre_le(jour):
    """Locations en cours dont le retour est prévu ce jour (rappel de la veille)."""
    return Location.objects.filter(statut=StatutLocation.EN_COURS, fin=jour).select_related(
        "beneficiaire__commune", "vehicule"
    )


# --- Files d'activité (« Mon activité ») ------------------------------------------------------------------

# Seuils au-delà desquels un véhicule est à déclasser (âge depuis la première immatriculation, kilométrage).
DECLASSEMENT_AGE_ANS = 12
DECLASSEMENT_KM = 200_000
MAINTENANCE_HORIZON_JOURS = 7


def departs_du_jour(user, jour):
    """Réservations dont le départ est prévu aujourd'hui (ou passé sans remise du véhicule)."""
    return (
        Location.objects.visibles_par(user)
        .filter(statut=StatutLocation.RESERVEE, debut__lte=jour)
        .select_related("beneficiaire", "vehicule")
    )


def retours_du_jour(user, jour):
    return (
        Location.objects.visibles_par(user)
        .filter(statut=StatutLocation.EN_COURS, fin=jour)
        .select_related("beneficiaire", "vehicule")
    )


def retours_en_retard(user, jour):
    return (
        Location.objects.visibles_par(user)
        .filter(statut=StatutLocation.EN_COURS, fin__lt=jour)
        .select_related("beneficiaire", "vehicule")
    )


def locations_finissant_ou_en_retard(user, jour):
    """Pour le référent : locations de ses personnes à rendre aujourd'hui ou demain, ou en retard."""
    return (
        Location.objects.visibles_par(user)
        .filter(statut=StatutLocation.EN_COURS, fin__lte=jour + datetime.timedelta(days=1))
        .select_related("beneficiaire", "vehicule")
    )


def maintenances_dues(user, jour):
    """Maintenances en cours ou qui commencent dans la semaine, pour les véhicules encore en flotte."""
    from .models import Vehicule

    return PeriodeMaintenance.objects.filter(
        vehicule__in=Vehicule.objects.visibles_par(user).en_flotte(),
        debut__lte=jour + datetime.timedelta(days=MAINTENANCE_HORIZON_JOURS),
        fin__gte=jour,
    ).select_related("vehicule")


def vehicules_a_declasser(user, jour):
    from django.db.models import Q

    from .models import Vehicule

    try:
        limite = jour.replace(year=jour.year - DECLASSEMENT_AGE_ANS)
    except ValueError:  # 29 février
        limite = jour.replace(year=jour.year - DECLASSEMENT_AGE_ANS, day=28)
    return (
        Vehicule.objects.visibles_par(user)
        .en_flotte()
        .filter(Q(date_premiere_immatriculation__lte=limite) | Q(kilometrage__gte=DECLASSEMENT_KM))
    )


def conventions_avec_cessions():
    """Les conventions de cession avec leur partenaire et leur nombre de cessions, les plus récentes d'abord."""
    return (
        ConventionCession.objects.select_related("partenaire")
        .annotate(nb_cessions=Count("cessions"))
        .order_by("-debut", "-pk")
    )

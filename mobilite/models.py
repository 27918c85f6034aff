"""Axe 4 : la flotte, les locations à bas coût et la cession des véhicules déclassés.

Les dates de location et de maintenance sont des jours entiers, bornes comprises : une location du 3 au 5
occupe le véhicule les 3, 4 et 5 ; une location de quelques heures est une location d'un jour (debut = fin).
Deux locations non annulées d'un même véhicule ne se chevauchent jamais (service + contrainte d'exclusion
PostgreSQL, voir migrations/0002).
"""

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from commun.chargement import ChargementRapide
from referentiel.models import Commune, Structure

# Immatriculation SIV : AA-123-AA. Lettres I, O et U exclues ; blocs « SS » exclus ; « WW » réservé aux
# immatriculations provisoires (premier bloc) ; numéro 000 exclu.
LETTRES_SIV = "ABCDEFGHJKLMNPQRSTVWXYZ"
RE_IMMATRICULATION = re.compile(rf"^[{LETTRES_SIV}]{{2}}-\d{{3}}-[{LETTRES_SIV}]{{2}}$")


def normaliser_immatriculation(valeur):
    """« ab 123 cd » ou « AB123CD » → « AB-123-CD » (sans valider)."""
    brut = re.sub(r"[\s\-]", "", (valeur or "").upper())
    if re.fullmatch(r"[A-Z]{2}\d{3}[A-Z]{2}", brut):
        return f"{brut[:2]}-{brut[2:5]}-{brut[5:]}"
    return (valeur or "").strip().upper()


def valider_immatriculation(valeur):
    if not RE_IMMATRICULATION.match(valeur or ""):
        raise ValidationError(
            "L'immatriculation « %(valeur)s » ne suit pas le format AA-123-AA (lettres majuscules sans I, O ni U).",
            params={"valeur": valeur},
            code="immatriculation_format",
        )
    gauche, numero, droite = valeur.split("-")
    if "SS" in (gauche, droite):
        raise ValidationError("Le bloc « SS » n'est pas attribué en immatriculation.", code="immatriculation_ss")
    if gauche == "WW":
        raise ValidationError(
            "« WW » est réservé aux immatriculations provisoires : saisissez l'immatriculation définitive.",
            code="immatriculation_ww",
        )
    if numero == "000":
        raise ValidationError("Le numéro 000 n'est pas attribué en immatriculation.", code="immatriculation_000")


class TypeVehicule(models.TextChoices):
    VOITURE = "voiture", "Voiture"
    VSP = "vsp", "Voiture sans permis (VSP)"
    DEUX_ROUES = "deux_roues", "Deux-roues motorisé"


class StatutVehicule(models.TextChoices):
    DISPONIBLE = "disponible", "Disponible"
    MAINTENANCE = "maintenance", "En maintenance"
    DECLASSE = "declasse", "Déclassé"
    CEDE = "cede", "Cédé"


def chevauche(debut, fin):
    """Condition unique du chevauchement de périodes en jours entiers, bornes comprises : une période [debut, fin]
    chevauche celle de la ligne si elle commence au plus tard le jour où la ligne finit et finit au plus tôt le
    jour où elle commence (une location qui finit le 10 et une autre qui commence le 10 se chevauchent).
    Locations, maintenances, recherche de véhicules libres, calendrier et planning l'emploient toutes."""
    return Q(debut__lte=fin, fin__gte=debut)


class PeriodeQuerySet(models.QuerySet):
    def chevauchant(self, debut, fin):
        return self.filter(chevauche(debut, fin))


def jours_factures(debut, fin):
    """Jours facturés d'une location du `debut` à la `fin` comprises : une location de quelques heures compte pour
    une journée."""
    return (fin - debut).days + 1


def montant_location(prix_journalier, debut, fin):
    """Le prix d'une location : le prix par jour du véhicule pour chaque jour facturé (`jours_factures`). Le même
    pour le total annoncé par la recherche et pour la location réservée."""
    return prix_journalier * jours_factures(debut, fin)


def flotte_visible_par(user):
    """La flotte ne porte pas de donnée personnelle : visible des rôles qui ouvrent la mobilité."""
    return user.is_authenticated and not user.est_prestataire


class VehiculeQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return self if flotte_visible_par(user) else self.none()

    def en_flotte(self):
        return self.exclude(statut__in=(StatutVehicule.DECLASSE, StatutVehicule.CEDE))

    def libres_entre(self, debut, fin):
        """Véhicules réservables sans aucune location non annulée ni maintenance chevauchant [debut, fin].

        Une seule requête (sous-requêtes EXISTS corrélées)."""
        locations = Location.objects.filter(vehicule=OuterRef("pk")).actives().chevauchant(debut, fin)
        maintenances = PeriodeMaintenance.objects.filter(vehicule=OuterRef("pk")).chevauchant(debut, fin)
        return (
            self.filter(statut=StatutVehicule.DISPONIBLE, date_entree_flotte__lte=debut)
            .exclude(Exists(locations))
            .exclude(Exists(maintenances))
        )


class Vehicule(ChargementRapide, models.Model):
    immatriculation = models.CharField(
        "immatriculation", max_length=9, validators=[valider_immatriculation], help_text="Format AA-123-AA."
    )
    type = models.CharField("type", max_length=12, choices=TypeVehicule.choices, default=TypeVehicule.VOITURE)
    marque = models.CharField("marque", max_length=60)
    modele = models.CharField("modèle", max_length=60)
    date_premiere_immatriculation = models.DateField("date de première immatriculation")
    kilometrage = models.PositiveIntegerField("kilométrage", default=0)
    commune = models.ForeignKey(
        Commune,
        verbose_name="site de rattachement",
        on_delete=models.PROTECT,
        related_name="vehicules",
        help_text="La commune où le véhicule est remis et rendu ; elle fixe le bassin d'emploi.",
    )
    partenaire = models.ForeignKey(
        Structure,
        verbose_name="partenaire gestionnaire",
        on_delete=models.PROTECT,
        related_name="vehicules_geres",
        help_text="L'association qui assure et entretient le véhicule.",
    )
    prix_journalier = models.DecimalField("prix par jour (€)", max_digits=7, decimal_places=2, default=Decimal("1.00"))
    depot_garantie = models.DecimalField("dépôt de garantie (€)", max_digits=8, decimal_places=2, default=Decimal("0"))
    statut = models.CharField(
        "statut", max_length=12, choices=StatutVehicule.choices, default=StatutVehicule.DISPONIBLE, db_index=True
    )
    date_entree_flotte = models.DateField("en flotte depuis le", default=timezone.localdate)
    date_declassement = models.DateField("déclassé le", null=True, blank=True)
    notes = models.TextField("observations", blank=True)

    history = HistoricalRecords()
    objects = VehiculeQuerySet.as_manager()

    class Meta:
        verbose_name = "véhicule"
        verbose_name_plural = "véhicules"
        ordering = ["immatriculation"]
        constraints = [
            models.UniqueConstraint(
                fields=["immatriculation"],
                name="vehicule_immatriculation_unique",
                violation_error_message="Un véhicule porte déjà cette immatriculation.",
            ),
            models.CheckConstraint(
                condition=Q(immatriculation=Upper("immatriculation")),
                name="vehicule_immatriculation_majuscules",
                violation_error_message="L'immatriculation s'écrit en majuscules.",
            ),
            models.CheckConstraint(
                condition=Q(prix_journalier__gte=0) & Q(depot_garantie__gte=0),
                name="vehicule_prix_depot_positifs",
                violation_error_message="Le prix par jour et le dépôt de garantie ne peuvent pas être négatifs.",
            ),
            models.CheckConstraint(
                condition=~Q(statut__in=["declasse", "cede"], date_declassement__isnull=True),
                name="vehicule_declasse_a_date",
                violation_error_message="Un véhicule déclassé ou cédé porte sa date de déclassement.",
            ),
            models.CheckConstraint(
                condition=Q(date_declassement__isnull=True) | Q(date_declassement__gte=F("date_entree_flotte")),
                name="vehicule_declassement_apres_entree",
                violation_error_message="Le déclassement ne peut précéder l'entrée du véhicule dans la flotte.",
            ),
        ]

    def __str__(self):
        return f"{self.marque} {self.modele} ({self.immatriculation})"

    def get_absolute_url(self):
        return reverse("mobilite:vehicule", args=[self.pk])

    @property
    def bassin(self):
        return self.commune.bassin_emploi

    @property
    def reservable(self):
        return self.statut == StatutVehicule.DISPONIBLE


class PeriodeMaintenance(models.Model):
    vehicule = models.ForeignKey(
        Vehicule, verbose_name="véhicule", on_delete=models.PROTECT, related_name="maintenances"
    )
    debut = models.DateField("du")
    fin = models.DateField("au (inclus)")
    motif = models.CharField("motif", max_length=200, blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="saisie par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = PeriodeQuerySet.as_manager()

    class Meta:
        verbose_name = "période de maintenance"
        verbose_name_plural = "périodes de maintenance"
        ordering = ["vehicule", "debut", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__gte=F("debut")),
                name="maintenance_dates_ordonnees",
                violation_error_message="La fin de la maintenance ne peut précéder son début.",
            ),
        ]

    def __str__(self):
        return f"Maintenance {self.vehicule.immatriculation} du {self.debut:%d/%m/%Y} au {self.fin:%d/%m/%Y}"

    @property
    def jours(self):
        return (self.fin - self.debut).days + 1


class MotifLocation(models.TextChoices):
    NOUVEL_EMPLOI = "nouvel_emploi", "Prise d'un nouvel emploi"
    FORMATION = "formation", "Formation"
    ENTRETIEN = "entretien", "Entretien d'embauche"
    FORUM = "forum", "Forum de l'emploi"
    CONTRAT_AIDE = "contrat_aide", "Contrat aidé (CUI-CAE / PEC)"


MOTIFS_EMPLOI = (MotifLocation.NOUVEL_EMPLOI, MotifLocation.CONTRAT_AIDE)


class StatutLocation(models.TextChoices):
    RESERVEE = "reservee", "Réservée"
    EN_COURS = "en_cours", "En cours"
    RESTITUEE = "restituee", "Restituée"
    ANNULEE = "annulee", "Annulée"


STATUTS_DEMARREES = (StatutLocation.EN_COURS, StatutLocation.RESTITUEE)


class Carburant(models.IntegerChoices):
    VIDE = 0, "Réserve"
    QUART = 1, "1/4"
    DEMI = 2, "1/2"
    TROIS_QUARTS = 3, "3/4"
    PLEIN = 4, "Plein"


class Incident(models.TextChoices):
    AUCUN = "", "Aucun"
    DEGAT = "degat", "Dégât"
    AMENDE = "amende", "Amende"
    RETARD = "retard", "Retard de restitution"


class LocationQuerySet(PeriodeQuerySet):
    def visibles_par(self, user):
        """Agent mobilité : toutes les locations (il remet et reprend les véhicules) ; référent : les personnes
        de ses bassins ; prestataire : aucune."""
        if not user.is_authenticated:
            return self.none()
        if user.voit_tout or user.est_agent_mobilite:
            return self
        if user.est_referent:
            return self.filter(beneficiaire__commune__bassin_emploi__in=user.bassins_du_perimetre())
        return self.none()

    def actives(self):
        return self.exclude(statut=StatutLocation.ANNULEE)

    def en_retard(self, jour=None):
        """Rendues après la date prévue, ou toujours dehors après la date prévue."""
        jour = jour or timezone.localdate()
        return self.filter(condition_retard(jour))


def condition_retard(jour):
    return Q(statut=StatutLocation.RESTITUEE, date_retour__gt=F("fin")) | Q(
        statut=StatutLocation.EN_COURS, fin__lt=jour
    )


class Location(ChargementRapide, models.Model):
    beneficiaire = models.ForeignKey(
        "beneficiaires.Beneficiaire", verbose_name="bénéficiaire", on_delete=models.PROTECT, related_name="locations"
    )
    vehicule = models.ForeignKey(Vehicule, verbose_name="véhicule", on_delete=models.PROTECT, related_name="locations")
    debut = models.DateField("du")
    fin = models.DateField("au (inclus)")
    motif = models.CharField("motif", max_length=15, choices=MotifLocation.choices)
    contrat = models.ForeignKey(
        "contrats.ContratAide",
        verbose_name="contrat aidé lié",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="locations",
    )
    forum = models.ForeignKey(
        "forums.Forum",
        verbose_name="forum lié",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="locations",
    )
    prix_journalier = models.DecimalField("prix par jour (€)", max_digits=7, decimal_places=2)
    depot_garantie = models.DecimalField("dépôt de garantie (€)", max_digits=8, decimal_places=2)
    statut = models.CharField(
        "statut", max_length=10, choices=StatutLocation.choices, default=StatutLocation.RESERVEE, db_index=True
    )
    # Départ
    date_depart = models.DateTimeField("remis le", null=True, blank=True)
    km_depart = models.PositiveIntegerField("kilométrage au départ", null=True, blank=True)
    carburant_depart = models.PositiveSmallIntegerField(
        "carburant au départ", choices=Carburant.choices, null=True, blank=True
    )
    etat_depart = models.TextField("état au départ", blank=True)
    # Retour
    date_retour = models.DateField("rendu le", null=True, blank=True)
    km_retour = models.PositiveIntegerField("kilométrage au retour", null=True, blank=True)
    carburant_retour = models.PositiveSmallIntegerField(
        "carburant au retour", choices=Carburant.choices, null=True, blank=True
    )
    etat_retour = models.TextField("état au retour", blank=True)
    incident = models.CharField("incident", max_length=10, choices=Incident.choices, blank=True, default="")
    montant_du = models.DecimalField("montant dû (€)", max_digits=8, decimal_places=2, default=Decimal("0"))
    frais_retard = models.DecimalField(
        "frais de retard (€)", max_digits=8, decimal_places=2, default=Decimal("0"), editable=False
    )
    frais_carburant = models.DecimalField(
        "carburant manquant (€)", max_digits=8, decimal_places=2, default=Decimal("0"), editable=False
    )
    notes = models.TextField("observations", blank=True)
    reservee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="réservée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="locations_reservees",
    )
    date_reservation = models.DateTimeField("réservée le", auto_now_add=True)
    motif_annulation = models.CharField("motif d'annulation", max_length=200, blank=True)

    history = HistoricalRecords()
    objects = LocationQuerySet.as_manager()

    class Meta:
        verbose_name = "location"
        verbose_name_plural = "locations"
        ordering = ["-debut", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__gte=F("debut")),
                name="location_dates_ordonnees",
                violation_error_message="La fin de la location ne peut précéder son début.",
            ),
            models.CheckConstraint(
                condition=Q(km_retour__isnull=True) | Q(km_depart__isnull=True) | Q(km_retour__gte=F("km_depart")),
                name="location_km_retour_sup_depart",
                violation_error_message="Le kilométrage au retour ne peut être inférieur au kilométrage au départ.",
            ),
            models.CheckConstraint(
                condition=Q(prix_journalier__gte=0) & Q(depot_garantie__gte=0) & Q(montant_du__gte=0),
                name="location_montants_positifs",
                violation_error_message="Le prix, le dépôt et le montant dû ne peuvent pas être négatifs.",
            ),
            models.CheckConstraint(
                condition=Q(frais_retard__gte=0) & Q(frais_carburant__gte=0),
                name="location_frais_retour_positifs",
                violation_error_message="Les frais de retard et de carburant ne peuvent pas être négatifs.",
            ),
            models.CheckConstraint(
                condition=~Q(statut__in=["en_cours", "restituee"], km_depart__isnull=True),
                name="location_depart_renseigne",
                violation_error_message="Une location remise porte le kilométrage au départ.",
            ),
            models.CheckConstraint(
                condition=~Q(statut="restituee", km_retour__isnull=True) & ~Q(statut="restituee", date_retour=None),
                name="location_retour_renseigne",
                violation_error_message="Une location restituée porte la date et le kilométrage au retour.",
            ),
            models.CheckConstraint(
                condition=Q(date_retour__isnull=True) | Q(date_retour__gte=F("debut")),
                name="location_retour_apres_debut",
                violation_error_message="Le véhicule ne peut être rendu avant le début de la location.",
            ),
        ]
        indexes = [models.Index(fields=["vehicule", "debut", "fin"], name="location_vehicule_dates_idx")]

    def __str__(self):
        return f"Location n° {self.numero} — {self.vehicule.immatriculation}"

    def get_absolute_url(self):
        return reverse("mobilite:location", args=[self.pk])

    @property
    def numero(self):
        """Numéro affiché : issu de la séquence de la clé primaire, jamais « max + 1 »."""
        return f"L{self.pk:06d}" if self.pk else "—"

    @property
    def jours(self):
        return jours_factures(self.debut, self.fin)

    @property
    def montant_location(self):
        return montant_location(self.prix_journalier, self.debut, self.fin)

    @property
    def km_parcourus(self):
        if self.km_depart is None or self.km_retour is None:
            return None
        return self.km_retour - self.km_depart

    @property
    def jours_retard(self):
        if self.date_retour is None or self.date_retour <= self.fin:
            return 0
        return (self.date_retour - self.fin).days

    @property
    def carburant_manquant(self):
        """Quarts de réservoir manquants au retour par rapport au départ (0 si rendu au même niveau ou plus)."""
        if self.carburant_depart is None or self.carburant_retour is None:
            return 0
        return max(self.carburant_depart - self.carburant_retour, 0)

    @property
    def total_du(self):
        """Frais de retard + carburant manquant + montant saisi (dégât, amende)."""
        return self.montant_du + self.frais_retard + self.frais_carburant

    def est_en_retard(self, jour=None):
        jour = jour or timezone.localdate()
        if self.statut == StatutLocation.RESTITUEE:
            return self.date_retour is not None and self.date_retour > self.fin
        return self.statut == StatutLocation.EN_COURS and self.fin < jour


class ConventionCessionQuerySet(models.QuerySet):
    def signees(self):
        return self.filter(date_signature__isnull=False)

    def en_vigueur_le(self, jour):
        return self.signees().filter(date_signature__lte=jour, debut__lte=jour, fin__gte=jour)


class ConventionCession(ChargementRapide, models.Model):
    partenaire = models.ForeignKey(
        Structure, verbose_name="partenaire associatif", on_delete=models.PROTECT, related_name="conventions_cession"
    )
    objet = models.CharField("objet", max_length=200, default="Cession de véhicules déclassés")
    debut = models.DateField("en vigueur du")
    fin = models.DateField("au (inclus)")
    modalites = models.TextField(
        "modalités", blank=True, help_text="Conditions de la cession : usage, assurance, entretien, restitution."
    )
    date_signature = models.DateField("signée le", null=True, blank=True)
    signee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="signature enregistrée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ConventionCessionQuerySet.as_manager()

    class Meta:
        verbose_name = "convention de cession"
        verbose_name_plural = "conventions de cession"
        ordering = ["-debut", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__gte=F("debut")),
                name="convention_dates_ordonnees",
                violation_error_message="La fin de la convention ne peut précéder son début.",
            ),
        ]

    def __str__(self):
        return f"Convention n° {self.numero} — {self.partenaire}"

    def get_absolute_url(self):
        return reverse("mobilite:convention", args=[self.pk])

    @property
    def numero(self):
        return f"C{self.debut:%Y}-{self.pk:04d}" if self.pk else "—"

    @property
    def signee(self):
        return self.date_signature is not None

    def en_vigueur_le(self, jour):
        return self.signee and self.date_signature <= jour and self.debut <= jour <= self.fin


class Cession(models.Model):
    vehicule = models.OneToOneField(Vehicule, verbose_name="véhicule", on_delete=models.PROTECT, related_name="cession")
    convention = models.ForeignKey(
        ConventionCession, verbose_name="convention", on_delete=models.PROTECT, related_name="cessions"
    )
    date = models.DateField("cédé le")
    kilometrage = models.PositiveIntegerField("kilométrage à la cession")
    valeur_comptable = models.DecimalField("valeur nette comptable (€)", max_digits=10, decimal_places=2)
    enregistree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="enregistrée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "cession"
        verbose_name_plural = "cessions"
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valeur_comptable__gte=0),
                name="cession_valeur_positive",
                violation_error_message="La valeur comptable ne peut pas être négative.",
            ),
        ]

    def __str__(self):
        return f"Cession de {self.vehicule} le {self.date:%d/%m/%Y}"

    def get_absolute_url(self):
        return self.convention.get_absolute_url()

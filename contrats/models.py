"""Axe 2 : contrats aidés CUI-CAE / PEC, enveloppe annuelle (CAOM) et valeurs de référence datées.

Les règles de gestion (durées, heures, enveloppe, secteur de l'employeur) vivent dans `services.py` ;
les invariants exprimables en SQL sont aussi des contraintes nommées ci-dessous.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from commun.chargement import ChargementRapide
from commun.dates import ajouter_mois  # noqa: F401 - réexporté (services, démo)
from commun.francais import compte, euros
from commun.liens import adresse_par_cle
from referentiel.models import Commune, Structure


class TypeContrat(models.TextChoices):
    CUI_CAE = "cui_cae", "CUI-CAE"
    PEC = "pec", "PEC (parcours emploi compétences)"


class Statut(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    SIGNE = "signe", "Signé"
    EN_COURS = "en_cours", "En cours"
    TERMINE = "termine", "Terminé"
    ROMPU = "rompu", "Rompu"


# Bornes légales du CUI-CAE, définies une seule fois : les services, les contraintes de la base et les bornes des
# formulaires en dérivent (les migrations gardent les valeurs littérales de leur époque).
HEURES_MIN = 20  # durée hebdomadaire minimale, sauf difficultés particulières motivées
HEURES_MAX = 35  # durée hebdomadaire maximale
HEURES_PLANCHER = 1  # aucune convention sous une heure par semaine, même motivée
TAUX_MAX = 95  # taux maximal de l'aide de l'État, en % du SMIC horaire brut


# Statuts d'une convention signée (comptée dans l'enveloppe et dans les cofinancements).
STATUTS_SIGNES = (Statut.SIGNE, Statut.EN_COURS, Statut.TERMINE, Statut.ROMPU)


class MotifRupture(models.TextChoices):
    CDI = "cdi", "Embauche en CDI"
    CDD_6_MOIS = "cdd_6_mois", "Embauche en CDD de 6 mois ou plus"
    FORMATION_QUALIFIANTE = "formation_qualifiante", "Entrée en formation qualifiante"
    FAUTE_GRAVE = "faute_grave", "Faute grave"
    FORCE_MAJEURE = "force_majeure", "Force majeure"
    INAPTITUDE = "inaptitude", "Inaptitude"
    PERIODE_ESSAI = "periode_essai", "Rupture pendant la période d'essai"
    ACCORD_COMMUN = "accord_commun", "Rupture d'un commun accord"
    AUTRE = "autre", "Autre motif"


# Départs anticipés qui comptent comme sortie positive (emploi durable ou formation qualifiante).
MOTIFS_SORTIE_POSITIVE = (MotifRupture.CDI, MotifRupture.CDD_6_MOIS, MotifRupture.FORMATION_QUALIFIANTE)


class Derogation(models.TextChoices):
    SENIOR_RSA = "senior_rsa", "50 ans et plus, bénéficiaire du RSA"
    RQTH = "rqth", "Travailleur handicapé (RQTH)"
    FORMATION = "formation", "Achèvement d'une action de formation"


class ParametreFinancier(models.Model):
    """Valeur de référence datée (SMIC horaire brut, montant forfaitaire du RSA pour une personne seule)."""

    class Type(models.TextChoices):
        SMIC_HORAIRE = "smic_horaire", "SMIC horaire brut"
        RSA_PERSONNE_SEULE = "rsa_personne_seule", "RSA, montant forfaitaire pour une personne seule"

    type = models.CharField("valeur", max_length=20, choices=Type.choices)
    date_effet = models.DateField("en vigueur à partir du")
    montant = models.DecimalField("montant (€)", max_digits=10, decimal_places=2)
    source = models.CharField(
        "source",
        max_length=300,
        blank=True,
        help_text="Le texte qui fixe la valeur : décret, arrêté ou avis officiel, avec son numéro et sa date "
        "(par exemple « Décret n° 2025-1228 du 17 décembre 2025 »).",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "paramètre financier"
        verbose_name_plural = "paramètres financiers"
        ordering = ["type", "date_effet"]
        constraints = [
            models.UniqueConstraint(
                fields=["type", "date_effet"],
                name="parametre_type_date_unique",
                violation_error_message="Une valeur de ce type existe déjà à cette date.",
            ),
            models.CheckConstraint(
                condition=Q(montant__gt=0),
                name="parametre_montant_positif",
                violation_error_message="Le montant doit être strictement positif.",
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} au {self.date_effet:%d/%m/%Y} : {euros(self.montant)}"


class Enveloppe(models.Model):
    """La convention annuelle d'objectifs et de moyens (CAOM) : combien de contrats le Département cofinance."""

    annee = models.PositiveSmallIntegerField("année", unique=True)
    nombre_contrats = models.PositiveIntegerField("nombre de contrats cofinancés")
    budget = models.DecimalField("budget (€)", max_digits=12, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "enveloppe annuelle (CAOM)"
        verbose_name_plural = "enveloppes annuelles (CAOM)"
        ordering = ["-annee"]
        constraints = [
            models.CheckConstraint(
                condition=Q(annee__gte=2000, annee__lte=2100),
                name="enveloppe_annee_plausible",
                violation_error_message="L'année doit être comprise entre 2000 et 2100.",
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0),
                name="enveloppe_budget_positif",
                violation_error_message="Le budget ne peut pas être négatif.",
            ),
        ]

    def __str__(self):
        return f"CAOM {self.annee} : {compte(self.nombre_contrats, 'contrat')}"


class CompteurConvention(models.Model):
    """Compteur annuel des numéros de convention, verrouillé (SELECT ... FOR UPDATE) à chaque signature."""

    annee = models.PositiveSmallIntegerField("année", unique=True)
    dernier_numero = models.PositiveIntegerField("dernier numéro attribué", default=0)

    class Meta:
        verbose_name = "compteur de conventions"
        verbose_name_plural = "compteurs de conventions"
        ordering = ["annee"]

    def __str__(self):
        return f"{self.annee} : {self.dernier_numero}"


class ContratAideQuerySet(models.QuerySet):
    def visibles_par(self, user):
        """Référent : les personnes de ses bassins ; administrateur et pilotage : tout ; autres rôles : rien."""
        if not user.is_authenticated:
            return self.none()
        if user.voit_tout:
            return self
        if user.est_referent:
            return self.filter(beneficiaire__commune__bassin_emploi__in=user.bassins_du_perimetre())
        return self.none()

    def signes(self):
        return self.filter(statut__in=STATUTS_SIGNES)

    def avec_fin_effective(self):
        """`fin_effective` : la date de rupture si le contrat a été rompu, sinon la date de fin prévue."""
        return self.annotate(fin_effective=Coalesce("date_rupture", "date_fin"))

    def actifs_le(self, jour):
        """Conventions signées qui couvrent ce jour (l'aide court jusqu'à la fin ou la rupture)."""
        return (
            self.signes()
            .avec_fin_effective()
            .filter(date_debut__lte=jour, fin_effective__gte=jour)
            .exclude(statut=Statut.ROMPU, date_rupture__lt=jour)
        )


class ContratAide(ChargementRapide, models.Model):
    beneficiaire = models.ForeignKey(
        "beneficiaires.Beneficiaire",
        verbose_name="bénéficiaire",
        on_delete=models.PROTECT,
        related_name="contrats_aides",
    )
    employeur = models.ForeignKey(
        Structure,
        verbose_name="employeur",
        on_delete=models.PROTECT,
        related_name="contrats_aides",
        help_text="Secteur non marchand : commune, EPCI, autre organisme public, association, "
        "organisme privé chargé d'un service public.",
    )
    type = models.CharField("type de contrat", max_length=10, choices=TypeContrat.choices, default=TypeContrat.PEC)
    intitule_poste = models.CharField("intitulé du poste", max_length=200)
    metier_vise = models.CharField("métier visé", max_length=200, blank=True)
    lieu_travail = models.ForeignKey(
        Commune,
        verbose_name="lieu de travail",
        on_delete=models.PROTECT,
        related_name="contrats_aides",
        null=True,
        blank=True,
    )
    date_debut = models.DateField("date de début", null=True, blank=True)
    date_fin = models.DateField("date de fin", null=True, blank=True)
    heures_hebdomadaires = models.DecimalField(
        "durée hebdomadaire (heures)", max_digits=4, decimal_places=2, null=True, blank=True
    )
    motif_heures_reduites = models.TextField(
        "difficultés particulières justifiant moins de 20 heures",
        blank=True,
        help_text="Obligatoire si la durée hebdomadaire est inférieure à 20 heures.",
    )
    taux_aide_etat = models.DecimalField(
        "taux de l'aide de l'État (% du SMIC horaire brut)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    tuteur_nom = models.CharField("nom du tuteur", max_length=150, blank=True)
    tuteur_fonction = models.CharField("fonction du tuteur", max_length=150, blank=True)
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="référent du Département",
        on_delete=models.PROTECT,
        related_name="contrats_aides_suivis",
        null=True,
        blank=True,
    )
    actions_accompagnement = models.TextField("actions d'accompagnement prévues", blank=True)
    actions_formation = models.TextField("actions de formation prévues", blank=True)
    rqth = models.BooleanField("reconnaissance de travailleur handicapé (RQTH)", default=False)
    formation_a_achever = models.BooleanField(
        "achève une action de formation",
        default=False,
        help_text="Permet de prolonger la convention au-delà de 24 mois pour achever la formation.",
    )
    derogation_duree = models.CharField(
        "dérogation à la durée de 24 mois", max_length=15, choices=Derogation.choices, blank=True, editable=False
    )
    statut = models.CharField("statut", max_length=10, choices=Statut.choices, default=Statut.BROUILLON, db_index=True)
    date_signature = models.DateField("date de signature", null=True, blank=True, db_index=True)
    numero_convention = models.CharField("numéro de convention", max_length=30, blank=True, editable=False)
    date_rupture = models.DateField("date de rupture", null=True, blank=True)
    motif_rupture = models.CharField("motif de rupture", max_length=25, choices=MotifRupture.choices, blank=True)
    sortie_positive = models.BooleanField("sortie positive", default=False, editable=False)
    contrat_precedent = models.OneToOneField(
        "self",
        verbose_name="contrat renouvelé",
        on_delete=models.PROTECT,
        related_name="renouvellement",
        null=True,
        blank=True,
    )
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    date_creation = models.DateTimeField("créé le", auto_now_add=True)

    history = HistoricalRecords()
    objects = ContratAideQuerySet.as_manager()

    class Meta:
        verbose_name = "contrat aidé"
        verbose_name_plural = "contrats aidés"
        ordering = ["-date_signature", "-pk"]
        indexes = [models.Index(fields=["statut", "date_signature"], name="contrat_statut_signature_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_debut__isnull=True)
                | Q(date_fin__isnull=True)
                | Q(date_fin__gt=models.F("date_debut")),
                name="contrat_dates_ordonnees",
                violation_error_message="La date de fin doit être postérieure à la date de début.",
            ),
            models.CheckConstraint(
                condition=Q(heures_hebdomadaires__isnull=True)
                | Q(heures_hebdomadaires__gte=HEURES_PLANCHER, heures_hebdomadaires__lte=HEURES_MAX),
                name="contrat_heures_1_35",
                violation_error_message=f"La durée hebdomadaire va de {HEURES_PLANCHER} à {HEURES_MAX} heures.",
            ),
            models.CheckConstraint(
                condition=Q(taux_aide_etat__isnull=True) | Q(taux_aide_etat__gte=0, taux_aide_etat__lte=TAUX_MAX),
                name="contrat_taux_0_95",
                violation_error_message=f"Le taux de l'aide de l'État va de 0 à {TAUX_MAX} %% du SMIC horaire brut.",
            ),
            models.CheckConstraint(
                condition=Q(statut=Statut.BROUILLON)
                | Q(
                    date_signature__isnull=False,
                    date_debut__isnull=False,
                    date_fin__isnull=False,
                    heures_hebdomadaires__isnull=False,
                    taux_aide_etat__isnull=False,
                )
                & ~Q(numero_convention=""),
                name="contrat_signe_complet",
                violation_error_message="Une convention signée porte une date de signature, un numéro, "
                "des dates, une durée hebdomadaire et un taux d'aide.",
            ),
            models.CheckConstraint(
                condition=Q(date_signature__isnull=True)
                | Q(date_debut__isnull=True)
                | Q(date_signature__lte=models.F("date_debut")),
                name="contrat_signature_avant_debut",
                violation_error_message="La convention est signée au plus tard le jour du début du contrat.",
            ),
            models.CheckConstraint(
                condition=Q(statut=Statut.BROUILLON)
                | Q(heures_hebdomadaires__gte=HEURES_MIN)
                | ~Q(motif_heures_reduites=""),
                name="contrat_moins_20h_motive",
                violation_error_message=f"Moins de {HEURES_MIN} heures par semaine : indiquez les difficultés "
                "particulières de la personne.",
            ),
            models.CheckConstraint(
                condition=Q(statut=Statut.BROUILLON) | ~Q(actions_accompagnement="") & ~Q(actions_formation=""),
                name="contrat_signe_actions_prevues",
                violation_error_message="Une convention signée liste les actions d'accompagnement et de formation "
                "prévues.",
            ),
            models.CheckConstraint(
                condition=Q(statut=Statut.ROMPU, date_rupture__isnull=False) & ~Q(motif_rupture="")
                | ~Q(statut=Statut.ROMPU) & Q(date_rupture__isnull=True, motif_rupture=""),
                name="contrat_rupture_coherente",
                violation_error_message="Un contrat rompu porte une date et un motif de rupture, et seulement lui.",
            ),
            models.CheckConstraint(
                condition=Q(date_rupture__isnull=True)
                | Q(date_rupture__gte=models.F("date_debut"), date_rupture__lte=models.F("date_fin")),
                name="contrat_rupture_dans_periode",
                violation_error_message="La date de rupture est comprise entre le début et la fin du contrat.",
            ),
            models.UniqueConstraint(
                fields=["numero_convention"],
                condition=~Q(numero_convention=""),
                name="contrat_numero_convention_unique",
                violation_error_message="Ce numéro de convention est déjà attribué.",
            ),
        ]

    def __str__(self):
        numero = self.numero_convention or "brouillon"
        return f"{self.get_type_display().split(' ')[0]} {numero} — {self.beneficiaire}"

    def get_absolute_url(self):
        return adresse_par_cle("contrats:detail", self.pk)  # une fois par ligne de liste

    @property
    def fin_aide(self):
        """L'aide s'arrête à la date de rupture, sinon à la date de fin prévue."""
        return self.date_rupture or self.date_fin

    @property
    def est_signe(self):
        return self.statut in STATUTS_SIGNES

    @property
    def duree_jours(self):
        if not (self.date_debut and self.date_fin):
            return None
        return (self.date_fin - self.date_debut).days + 1

    @property
    def sous_20_heures(self):
        return self.heures_hebdomadaires is not None and self.heures_hebdomadaires < HEURES_MIN

    def fin_minimale(self):
        """Dernier jour d'un contrat de 6 mois exactement (01/01 → 30/06)."""
        return ajouter_mois(self.date_debut, 6) - timedelta(days=1)

"""Axe 3 : placement vers l'emploi par des prestataires retenus sur marché public.

Marche (le marché) → Lot (prestataire x bassin(s) x période, capacité, prix unitaires) → Orientation
(la personne orientée vers un lot) → Suivi (contacts) → Sortie (issue) → MaintienEmploi (1, 3, 6 mois).
Chaque résultat (entrée, sortie positive, maintien à 6 mois) est une ligne ResultatPaye : le prestataire le
déclare avec son justificatif, le Département le valide (service fait) ou le rejette avec un motif, puis le
marque payé. Un résultat non rejeté est unique par orientation et par nature : il n'est payé qu'une fois.
"""

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Case, Count, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from simple_history.models import HistoricalRecords

from beneficiaires.models import Beneficiaire
from commun.chargement import ChargementRapide
from commun.francais import euros
from referentiel.models import BassinEmploi, Structure

# Une orientation sans réponse depuis ce nombre de jours est signalée dans les listes.
ATTENTE_MAX_JOURS = 15


def condition_perimetre(user, prefixe=""):
    """Condition Q du périmètre de l'utilisateur sur les orientations (préfixe : chemin vers l'orientation).

    Rend None si l'utilisateur voit tout, Q(pk__in=[]) s'il ne voit rien.
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.voit_tout:
        return None
    if user.est_referent:
        return Q(**{f"{prefixe}beneficiaire__commune__bassin_emploi__in": user.bassins_du_perimetre()})
    if user.est_prestataire and user.structure_id:
        return Q(**{f"{prefixe}lot__prestataire_id": user.structure_id})
    return Q(pk__in=[])


def _filtrer(qs, user, prefixe=""):
    condition = condition_perimetre(user, prefixe)
    return qs if condition is None else qs.filter(condition)


class Marche(models.Model):
    intitule = models.CharField("intitulé", max_length=200)
    reference = models.CharField("référence", max_length=50, unique=True)
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "marché de placement"
        verbose_name_plural = "marchés de placement"
        ordering = ["-date_debut", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__gte=models.F("date_debut")),
                name="marche_dates_ordonnees",
                violation_error_message="La fin du marché ne peut précéder son début.",
            ),
        ]

    def __str__(self):
        return f"{self.reference} — {self.intitule}"


class LotQuerySet(models.QuerySet):
    def visibles_par(self, user):
        """Prestataire : ses lots ; référent : les lots de ses bassins ; administration et pilotage : tous."""
        if not user.is_authenticated:
            return self.none()
        if user.voit_tout:
            return self
        if user.est_referent:
            return self.filter(
                pk__in=Lot.bassins.through.objects.filter(bassinemploi_id__in=user.bassins.values("pk")).values(
                    "lot_id"
                )
            )
        if user.est_prestataire and user.structure_id:
            return self.filter(prestataire_id=user.structure_id)
        return self.none()

    def en_vigueur(self, jour):
        return self.filter(date_debut__lte=jour, date_fin__gte=jour)

    def pour_libelle(self):
        """Ce que `Lot.libelle` lit, en deux requêtes pour toute la liste."""
        return self.select_related("marche", "prestataire").prefetch_related("bassins")

    def couvrant(self, bassin, jour):
        """Les lots en vigueur à cette date qui couvrent ce bassin."""
        return self.en_vigueur(jour).filter(bassins=bassin)

    def avec_occupation(self):
        """Annote places_occupees (acceptées, en accompagnement ou sorties) et places_restantes."""
        return self.annotate(
            places_occupees=Count("orientations", filter=Q(orientations__statut__in=Orientation.STATUTS_OCCUPANT)),
        ).annotate(places_restantes=models.F("capacite") - models.F("places_occupees"))


class Lot(ChargementRapide, models.Model):
    marche = models.ForeignKey(Marche, verbose_name="marché", on_delete=models.PROTECT, related_name="lots")
    numero = models.PositiveSmallIntegerField("numéro de lot")
    intitule = models.CharField("intitulé", max_length=200, blank=True)
    prestataire = models.ForeignKey(
        Structure,
        verbose_name="prestataire",
        on_delete=models.PROTECT,
        related_name="lots_placement",
        limit_choices_to={"type": Structure.Type.PRESTATAIRE},
    )
    bassins = models.ManyToManyField(BassinEmploi, verbose_name="bassins d'emploi couverts", related_name="lots")
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin")
    capacite = models.PositiveIntegerField("capacité (places)")
    prix_entree = models.DecimalField("prix unitaire : entrée en accompagnement", max_digits=10, decimal_places=2)
    prix_sortie_positive = models.DecimalField("prix unitaire : sortie positive", max_digits=10, decimal_places=2)
    prix_maintien_6_mois = models.DecimalField(
        "prix unitaire : maintien dans l'emploi à 6 mois", max_digits=10, decimal_places=2
    )

    history = HistoricalRecords(m2m_fields=[bassins])
    objects = LotQuerySet.as_manager()

    class Meta:
        verbose_name = "lot"
        verbose_name_plural = "lots"
        ordering = ["marche", "numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["marche", "numero"],
                name="lot_numero_unique_par_marche",
                violation_error_message="Ce marché a déjà un lot portant ce numéro.",
            ),
            models.CheckConstraint(
                condition=Q(date_fin__gte=models.F("date_debut")),
                name="lot_dates_ordonnees",
                violation_error_message="La fin du lot ne peut précéder son début.",
            ),
            models.CheckConstraint(
                condition=Q(capacite__gt=0),
                name="lot_capacite_positive",
                violation_error_message="La capacité d'un lot est d'au moins une place.",
            ),
            models.CheckConstraint(
                condition=Q(prix_entree__gte=0, prix_sortie_positive__gte=0, prix_maintien_6_mois__gte=0),
                name="lot_prix_positifs",
                violation_error_message="Les prix unitaires ne peuvent être négatifs.",
            ),
        ]

    def __str__(self):
        return f"Lot {self.numero} — {self.prestataire}" + (f" ({self.intitule})" if self.intitule else "")

    def get_absolute_url(self):
        return reverse("placement:lots") + f"?marche={self.marche_id}"

    def prix(self, nature):
        return {
            ResultatPaye.Nature.ENTREE: self.prix_entree,
            ResultatPaye.Nature.SORTIE_POSITIVE: self.prix_sortie_positive,
            ResultatPaye.Nature.MAINTIEN_6_MOIS: self.prix_maintien_6_mois,
        }[nature]

    @property
    def libelle(self):
        """« Marché 2025–2028 — Lot 1 Orléans — Insertion Emploi Centre » : marché et période, lot, bassins,
        prestataire. Lit marche, prestataire et bassins : à charger avec select_related / prefetch_related."""
        bassins = ", ".join(b.nom for b in sorted(self.bassins.all(), key=lambda b: b.nom))
        lot = f"Lot {self.numero}" + (f" {bassins}" if bassins else "")
        debut, fin = self.marche.date_debut.year, self.marche.date_fin.year
        periode = str(debut) if debut == fin else f"{debut}–{fin}"
        return f"Marché {periode} — {lot} — {self.prestataire.nom}"


class MotifRefus(models.TextChoices):
    CAPACITE = "capacite", "Capacité du lot atteinte"
    INJOIGNABLE = "injoignable", "Personne injoignable"
    REFUS_PERSONNE = "refus_personne", "Refus de la personne"
    NON_DISPONIBLE = "non_disponible", "Personne non disponible (santé, garde, formation en cours)"
    PROFIL = "profil", "Profil ne relevant pas de l'accompagnement vers l'emploi"
    DEJA_EN_EMPLOI = "deja_en_emploi", "Personne déjà en emploi"
    HORS_TERRITOIRE = "hors_territoire", "Personne hors du territoire du lot"
    AUTRE = "autre", "Autre motif"


def limite_acces_prestataire(aujourdhui=None):
    """Une orientation close avant cette date ne donne plus au prestataire accès à la personne."""
    aujourdhui = aujourdhui or timezone.localdate()
    return aujourdhui - datetime.timedelta(days=settings.PRESTATAIRE_ACCES_DELAI_JOURS)


class OrientationQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return _filtrer(self, user)

    def acces_prestataire_ouvert(self, aujourdhui=None):
        """En cours, ou close depuis moins que le délai de grâce (PRESTATAIRE_ACCES_DELAI_JOURS)."""
        return self.filter(Q(date_cloture__isnull=True) | Q(date_cloture__gte=limite_acces_prestataire(aujourdhui)))

    def ouvertes(self):
        return self.filter(statut__in=Orientation.STATUTS_OUVERTS)

    def limite_attente(self, aujourdhui=None):
        aujourdhui = aujourdhui or timezone.localdate()
        return aujourdhui - datetime.timedelta(days=ATTENTE_MAX_JOURS)

    def en_attente_longue(self, aujourdhui=None):
        """Proposées et sans réponse depuis plus de 15 jours (proposées il y a 15 jours ou plus)."""
        return self.filter(statut=Orientation.Statut.PROPOSEE, date_proposition__lte=self.limite_attente(aujourdhui))

    def avec_attente(self, aujourdhui=None):
        """Annote `attente_longue` (booléen calculé en SQL) pour signaler les orientations sans réponse."""
        return self.annotate(
            attente_longue=Case(
                When(
                    statut=Orientation.Statut.PROPOSEE,
                    date_proposition__lte=self.limite_attente(aujourdhui),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=models.BooleanField(),
            )
        )


class Orientation(ChargementRapide, models.Model):
    class Statut(models.TextChoices):
        PROPOSEE = "proposee", "Proposée"
        ACCEPTEE = "acceptee", "Acceptée"
        REFUSEE = "refusee", "Refusée"
        EN_ACCOMPAGNEMENT = "en_accompagnement", "En accompagnement"
        SORTIE = "sortie", "Sortie"

    STATUTS_OUVERTS = (Statut.PROPOSEE, Statut.ACCEPTEE, Statut.EN_ACCOMPAGNEMENT)
    # Statuts qui occupent une place du lot : la capacité compte les personnes prises en charge sur la période.
    STATUTS_OCCUPANT = (Statut.ACCEPTEE, Statut.EN_ACCOMPAGNEMENT, Statut.SORTIE)

    beneficiaire = models.ForeignKey(
        Beneficiaire, verbose_name="bénéficiaire", on_delete=models.PROTECT, related_name="orientations"
    )
    lot = models.ForeignKey(Lot, verbose_name="lot", on_delete=models.PROTECT, related_name="orientations")
    prescripteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="prescripteur",
        on_delete=models.PROTECT,
        related_name="orientations_prescrites",
    )
    statut = models.CharField("statut", max_length=20, choices=Statut.choices, default=Statut.PROPOSEE, db_index=True)
    observations = models.CharField(
        "objet de l'orientation",
        max_length=500,
        blank=True,
        help_text="Ce que la personne attend de l'accompagnement (sans détail de santé).",
    )
    date_proposition = models.DateField("date de proposition")
    date_reponse = models.DateField("date de réponse du prestataire", null=True, blank=True)
    motif_refus = models.CharField("motif de refus", max_length=20, choices=MotifRefus.choices, blank=True)
    date_entree = models.DateField("date d'entrée en accompagnement", null=True, blank=True)
    date_sortie = models.DateField("date de sortie", null=True, blank=True)
    date_cloture = models.DateField(
        "date de clôture",
        null=True,
        blank=True,
        editable=False,
        help_text="Refus, sortie sans emploi, ou fin du suivi dans l'emploi (6 mois) ; tenue par les services. "
        "Le prestataire perd l'accès à la personne après le délai de grâce qui suit.",
    )
    date_creation = models.DateTimeField("créée le", auto_now_add=True)

    history = HistoricalRecords()
    objects = OrientationQuerySet.as_manager()

    class Meta:
        verbose_name = "orientation vers un prestataire"
        verbose_name_plural = "orientations vers un prestataire"
        ordering = ["-date_proposition", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiaire"],
                condition=Q(statut__in=["proposee", "acceptee", "en_accompagnement"]),
                name="orientation_une_ouverte_par_personne",
                violation_error_message="Cette personne a déjà une orientation en cours vers un prestataire.",
            ),
            models.CheckConstraint(
                condition=~Q(statut="refusee") | ~Q(motif_refus=""),
                name="orientation_refus_motive",
                violation_error_message="Un refus doit être motivé.",
            ),
            models.CheckConstraint(
                condition=Q(statut="refusee") | Q(motif_refus=""),
                name="orientation_motif_seulement_si_refus",
                violation_error_message="Seul un refus porte un motif de refus.",
            ),
            models.CheckConstraint(
                condition=Q(statut="proposee") | Q(date_reponse__isnull=False),
                name="orientation_reponse_datee",
                violation_error_message="Une orientation acceptée ou refusée porte la date de la réponse.",
            ),
            models.CheckConstraint(
                condition=~Q(statut="en_accompagnement") | Q(date_entree__isnull=False),
                name="orientation_entree_datee",
                violation_error_message="Une orientation en accompagnement porte la date d'entrée.",
            ),
            models.CheckConstraint(
                condition=~Q(statut="sortie") | Q(date_sortie__isnull=False),
                name="orientation_sortie_datee",
                violation_error_message="Une orientation sortie porte la date de sortie.",
            ),
            models.CheckConstraint(
                condition=Q(date_reponse__isnull=True) | Q(date_reponse__gte=models.F("date_proposition")),
                name="orientation_reponse_apres_proposition",
                violation_error_message="La réponse ne peut précéder la proposition.",
            ),
            models.CheckConstraint(
                condition=Q(date_entree__isnull=True) | Q(date_entree__gte=models.F("date_reponse")),
                name="orientation_entree_apres_reponse",
                violation_error_message="L'entrée en accompagnement ne peut précéder l'acceptation.",
            ),
            models.CheckConstraint(
                condition=Q(date_sortie__isnull=True) | Q(date_sortie__gte=models.F("date_reponse")),
                name="orientation_sortie_apres_reponse",
                violation_error_message="La sortie ne peut précéder l'acceptation.",
            ),
            models.CheckConstraint(
                condition=Q(date_sortie__isnull=True)
                | Q(date_entree__isnull=True)
                | Q(date_sortie__gte=models.F("date_entree")),
                name="orientation_sortie_apres_entree",
                violation_error_message="La sortie ne peut précéder l'entrée en accompagnement.",
            ),
        ]
        indexes = [models.Index(fields=["lot", "statut"], name="orientation_lot_statut_idx")]

    def __str__(self):
        return f"Orientation de {self.beneficiaire} vers {self.lot.prestataire} ({self.get_statut_display().lower()})"

    def get_absolute_url(self):
        return reverse("placement:detail", args=[self.pk])

    @property
    def est_ouverte(self):
        return self.statut in self.STATUTS_OUVERTS

    def attente_jours(self, aujourdhui=None):
        if self.statut != self.Statut.PROPOSEE:
            return None
        return ((aujourdhui or timezone.localdate()) - self.date_proposition).days

    def acces_prestataire_ouvert(self, aujourdhui=None):
        return self.date_cloture is None or self.date_cloture >= limite_acces_prestataire(aujourdhui)

    def fin_acces_prestataire(self):
        if self.date_cloture is None:
            return None
        return self.date_cloture + datetime.timedelta(days=settings.PRESTATAIRE_ACCES_DELAI_JOURS)

    @property
    def delai_reponse_jours(self):
        if self.date_reponse is None:
            return None
        return (self.date_reponse - self.date_proposition).days


class SuiviQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return _filtrer(self, user, "orientation__")


class Suivi(models.Model):
    class Nature(models.TextChoices):
        ENTRETIEN = "entretien", "Entretien individuel"
        TELEPHONE = "telephone", "Contact téléphonique"
        VISIO = "visio", "Entretien à distance"
        ATELIER = "atelier", "Atelier collectif"
        MISE_EN_RELATION = "mise_en_relation", "Mise en relation avec un employeur"
        SUIVI_EMPLOI = "suivi_emploi", "Suivi dans l'emploi"
        AUTRE = "autre", "Autre contact"

    orientation = models.ForeignKey(
        Orientation, verbose_name="orientation", on_delete=models.PROTECT, related_name="suivis"
    )
    date = models.DateField("date")
    nature = models.CharField("nature du contact", max_length=20, choices=Nature.choices)
    note = models.CharField(
        "note", max_length=500, help_text="Quelques mots, sans détail de santé ni jugement sur la personne."
    )
    prochaine_etape = models.CharField("prochaine étape", max_length=300, blank=True)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", on_delete=models.PROTECT, related_name="suivis_placement"
    )
    date_creation = models.DateTimeField("créé le", auto_now_add=True)

    history = HistoricalRecords()
    objects = SuiviQuerySet.as_manager()

    class Meta:
        verbose_name = "suivi"
        verbose_name_plural = "suivis"
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.get_nature_display()} du {self.date:%d/%m/%Y}"

    def get_absolute_url(self):
        return self.orientation.get_absolute_url()


class TypeSortie(models.TextChoices):
    CDI = "cdi", "CDI"
    CDD_6_MOIS_PLUS = "cdd_6_plus", "CDD de 6 mois ou plus"
    CDD_MOINS_6_MOIS = "cdd_moins_6", "CDD de moins de 6 mois"
    INTERIM = "interim", "Intérim"
    CREATION = "creation", "Création d'entreprise"
    FORMATION = "formation", "Formation qualifiante"
    ABANDON = "abandon", "Abandon"
    DEMENAGEMENT = "demenagement", "Déménagement"
    AUTRE = "autre", "Autre"


# Sorties positives (« emploi durable ») : CDI, CDD ou intérim de 6 mois ou plus, formation qualifiante,
# création d'entreprise. L'intérim est durable quand la durée cumulée des missions prévue est d'au moins 6 mois.
SORTIES_TOUJOURS_POSITIVES = (
    TypeSortie.CDI,
    TypeSortie.CDD_6_MOIS_PLUS,
    TypeSortie.CREATION,
    TypeSortie.FORMATION,
)
SORTIES_JAMAIS_POSITIVES = (
    TypeSortie.CDD_MOINS_6_MOIS,
    TypeSortie.ABANDON,
    TypeSortie.DEMENAGEMENT,
    TypeSortie.AUTRE,
)
# Sorties vers un emploi salarié : un employeur est nommé.
SORTIES_SALARIEES = (TypeSortie.CDI, TypeSortie.CDD_6_MOIS_PLUS, TypeSortie.CDD_MOINS_6_MOIS, TypeSortie.INTERIM)
# Sorties en emploi (salarié ou création) : suivi dans l'emploi à 1, 3 et 6 mois.
SORTIES_EN_EMPLOI = SORTIES_SALARIEES + (TypeSortie.CREATION,)
DUREE_DURABLE_MOIS = 6


def sortie_est_positive(type_sortie, duree_contrat_mois=None):
    if type_sortie in SORTIES_TOUJOURS_POSITIVES:
        return True
    if type_sortie == TypeSortie.INTERIM:
        return duree_contrat_mois is not None and duree_contrat_mois >= DUREE_DURABLE_MOIS
    return False


class SortieQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return _filtrer(self, user, "orientation__")


class Sortie(models.Model):
    orientation = models.OneToOneField(
        Orientation, verbose_name="orientation", on_delete=models.PROTECT, related_name="sortie"
    )
    type = models.CharField("type de sortie", max_length=20, choices=TypeSortie.choices)
    date = models.DateField("date de sortie", help_text="Date d'embauche, de début de formation ou de l'événement.")
    employeur = models.ForeignKey(
        Structure,
        verbose_name="employeur",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sorties_placement",
    )
    employeur_nom = models.CharField(
        "employeur absent du référentiel",
        max_length=200,
        blank=True,
        help_text="Si l'employeur ne figure pas dans la liste : sa raison sociale.",
    )
    duree_contrat_mois = models.PositiveSmallIntegerField(
        "durée prévue du contrat ou des missions (mois)",
        null=True,
        blank=True,
        help_text="Obligatoire pour l'intérim : durable à partir de 6 mois.",
    )
    positive = models.BooleanField("sortie positive", editable=False)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="saisie par", on_delete=models.PROTECT, related_name="sorties_placement"
    )
    date_creation = models.DateTimeField("créée le", auto_now_add=True)

    history = HistoricalRecords()
    objects = SortieQuerySet.as_manager()

    class Meta:
        verbose_name = "sortie"
        verbose_name_plural = "sorties"
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(positive=True, type__in=[t.value for t in SORTIES_TOUJOURS_POSITIVES])
                | Q(positive=False, type__in=[t.value for t in SORTIES_JAMAIS_POSITIVES])
                | Q(positive=True, type="interim", duree_contrat_mois__gte=DUREE_DURABLE_MOIS)
                | Q(positive=False, type="interim", duree_contrat_mois__lt=DUREE_DURABLE_MOIS),
                name="sortie_positive_selon_type",
                violation_error_message=(
                    "Le caractère positif d'une sortie découle de son type : CDI, CDD ou intérim de 6 mois ou plus, "
                    "création d'entreprise, formation qualifiante."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(type="interim") | Q(duree_contrat_mois__isnull=False),
                name="sortie_interim_duree",
                violation_error_message="Pour l'intérim, indiquez la durée prévue des missions en mois.",
            ),
            models.CheckConstraint(
                condition=~Q(type="cdd_6_plus") | Q(duree_contrat_mois__isnull=True) | Q(duree_contrat_mois__gte=6),
                name="sortie_cdd_6_plus_coherent",
                violation_error_message="Un CDD de 6 mois ou plus ne peut durer moins de 6 mois.",
            ),
            models.CheckConstraint(
                condition=~Q(type="cdd_moins_6") | Q(duree_contrat_mois__isnull=True) | Q(duree_contrat_mois__lt=6),
                name="sortie_cdd_moins_6_coherent",
                violation_error_message="Un CDD de moins de 6 mois ne peut durer 6 mois ou plus.",
            ),
            models.CheckConstraint(
                condition=~Q(type__in=[t.value for t in SORTIES_SALARIEES])
                | Q(employeur__isnull=False)
                | ~Q(employeur_nom=""),
                name="sortie_emploi_employeur",
                violation_error_message="Une sortie en emploi salarié nomme l'employeur.",
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} le {self.date:%d/%m/%Y}"

    def get_absolute_url(self):
        return self.orientation.get_absolute_url()

    @property
    def en_emploi(self):
        return self.type in SORTIES_EN_EMPLOI

    @property
    def nom_employeur(self):
        return str(self.employeur) if self.employeur_id else self.employeur_nom


class MaintienEmploiQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return _filtrer(self, user, "sortie__orientation__")


class MaintienEmploi(models.Model):
    """Suivi dans l'emploi après l'embauche : la personne est-elle toujours en emploi à 1, 3 et 6 mois ?"""

    class Echeance(models.IntegerChoices):
        UN_MOIS = 1, "1 mois"
        TROIS_MOIS = 3, "3 mois"
        SIX_MOIS = 6, "6 mois"

    sortie = models.ForeignKey(Sortie, verbose_name="sortie", on_delete=models.PROTECT, related_name="maintiens")
    echeance = models.PositiveSmallIntegerField("échéance", choices=Echeance.choices)
    date_constat = models.DateField("date du constat")
    en_emploi = models.BooleanField("toujours en emploi")
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="saisi par", on_delete=models.PROTECT, related_name="maintiens_emploi"
    )
    date_creation = models.DateTimeField("créé le", auto_now_add=True)

    history = HistoricalRecords()
    objects = MaintienEmploiQuerySet.as_manager()

    class Meta:
        verbose_name = "suivi dans l'emploi"
        verbose_name_plural = "suivis dans l'emploi"
        ordering = ["sortie", "echeance"]
        constraints = [
            models.UniqueConstraint(
                fields=["sortie", "echeance"],
                name="maintien_une_fois_par_echeance",
                violation_error_message="Ce suivi dans l'emploi est déjà enregistré pour cette échéance.",
            ),
            models.CheckConstraint(
                condition=Q(echeance__in=[1, 3, 6]),
                name="maintien_echeance_1_3_6",
                violation_error_message="Les échéances du suivi dans l'emploi sont 1, 3 et 6 mois.",
            ),
        ]

    def __str__(self):
        etat = "en emploi" if self.en_emploi else "plus en emploi"
        return f"À {self.get_echeance_display()} : {etat} ({self.date_constat:%d/%m/%Y})"


class _StockageJustificatifs(LazyObject):
    """Le stockage STORAGES["justificatifs"], lu au premier usage (comme default_storage) : le champ le garde
    à la définition du modèle, le réglage peut changer ensuite (tests)."""

    def _setup(self):
        self._wrapped = storages["justificatifs"]


_stockage = _StockageJustificatifs()


@receiver(setting_changed)
def _stockages_changes(*, setting, **kwargs):
    if setting == "STORAGES":
        _stockage._wrapped = empty


def stockage_justificatifs():
    """Stockage privé des justificatifs (réglage STORAGES["justificatifs"], hors de la racine web)."""
    return _stockage


def chemin_justificatif(instance, nom):
    """Nom aléatoire (le nom d'origine peut contenir des données personnelles : il est gardé à part)."""
    extension = nom.rsplit(".", 1)[-1].lower() if "." in nom else "bin"
    return f"{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class StatutResultat(models.TextChoices):
    DECLARE = "declare", "Déclaré (à vérifier)"
    VALIDE = "valide", "Validé (service fait)"
    REJETE = "rejete", "Rejeté"
    PAYE = "paye", "Payé"


# Service fait : validé par le Département, payé ou à payer.
STATUTS_SERVICE_FAIT = (StatutResultat.VALIDE, StatutResultat.PAYE)


class ResultatPayeQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return _filtrer(self, user, "orientation__")

    def service_fait(self):
        return self.filter(statut__in=STATUTS_SERVICE_FAIT)

    def synthese(self):
        """Une ligne par (prestataire, lot, nature, prix unitaire) : quantités par statut et montants, en SQL.

        Montant du service fait = (validés + payés) x prix unitaire ; les déclarés et les rejetés sont comptés à
        part, sans montant."""
        montant = {s: Sum("prix_unitaire", filter=Q(statut=s)) for s in StatutResultat.values}
        return (
            self.values(
                "lot", "lot__prestataire__nom", "lot__marche__reference", "lot__numero", "nature", "prix_unitaire"
            )
            .annotate(
                **{f"quantite_{s}": Count("pk", filter=Q(statut=s)) for s in StatutResultat.values},
                **{f"montant_{s}": Coalesce(m, Value(Decimal("0.00"))) for s, m in montant.items()},
                quantite=Count("pk", filter=Q(statut__in=STATUTS_SERVICE_FAIT)),
                montant=Coalesce(
                    Sum("prix_unitaire", filter=Q(statut__in=STATUTS_SERVICE_FAIT)), Value(Decimal("0.00"))
                ),
            )
            .order_by("lot__prestataire__nom", "lot__marche__reference", "lot__numero", "nature", "prix_unitaire")
        )

    def totaux(self):
        """Montants par statut et montant du service fait (validés + payés), en une requête."""
        zero = Value(Decimal("0.00"))
        return self.aggregate(
            **{s: Coalesce(Sum("prix_unitaire", filter=Q(statut=s)), zero) for s in StatutResultat.values},
            service_fait=Coalesce(Sum("prix_unitaire", filter=Q(statut__in=STATUTS_SERVICE_FAIT)), zero),
        )

    def total(self):
        """Montant du service fait (validés, payés ou à payer) : ce que le Département doit au titre des résultats."""
        return self.totaux()["service_fait"]


class ResultatPaye(ChargementRapide, models.Model):
    """Un résultat déclaré par le prestataire, au prix unitaire du lot figé à la déclaration ; il n'ouvre paiement
    qu'une fois validé par le Département (service fait). Le nom de la classe date d'avant le contrôle."""

    Statut = StatutResultat

    class Nature(models.TextChoices):
        ENTREE = "entree", "Entrée en accompagnement"
        SORTIE_POSITIVE = "sortie_positive", "Sortie positive"
        MAINTIEN_6_MOIS = "maintien_6_mois", "Maintien dans l'emploi à 6 mois"

    orientation = models.ForeignKey(
        Orientation, verbose_name="orientation", on_delete=models.PROTECT, related_name="resultats"
    )
    lot = models.ForeignKey(Lot, verbose_name="lot", on_delete=models.PROTECT, related_name="resultats")
    nature = models.CharField("nature du résultat", max_length=20, choices=Nature.choices)
    date = models.DateField("date du résultat", help_text="Date de l'entrée, de la sortie ou du constat à 6 mois.")
    prix_unitaire = models.DecimalField("prix unitaire", max_digits=10, decimal_places=2)
    statut = models.CharField(
        "statut", max_length=10, choices=StatutResultat.choices, default=StatutResultat.DECLARE, db_index=True
    )
    justificatif = models.FileField(
        "justificatif",
        storage=stockage_justificatifs,
        upload_to=chemin_justificatif,
        max_length=200,
        blank=True,
        help_text="Contrat de travail, attestation de formation ou d'emploi à 6 mois (PDF, PNG ou JPEG).",
    )
    nom_fichier = models.CharField("nom du fichier déposé", max_length=200, blank=True)
    justificatif_type = models.CharField("type du fichier", max_length=50, blank=True)
    declare_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déclaré par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resultats_declares",
    )
    date_creation = models.DateTimeField("déclaré le", auto_now_add=True)
    decide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="vérifié par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resultats_verifies",
    )
    date_decision = models.DateTimeField("vérifié le", null=True, blank=True)
    motif_rejet = models.CharField("motif du rejet", max_length=500, blank=True)
    date_paiement = models.DateField("payé le", null=True, blank=True)
    reference_paiement = models.CharField(
        "référence du paiement", max_length=50, blank=True, help_text="Numéro du mandat ou de la facture."
    )

    history = HistoricalRecords()
    objects = ResultatPayeQuerySet.as_manager()

    class Meta:
        verbose_name = "résultat (déclaré, validé, payé)"
        verbose_name_plural = "résultats (déclarés, validés, payés)"
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["orientation", "nature"],
                condition=~Q(statut="rejete"),
                name="resultat_paye_une_fois",
                violation_error_message="Ce résultat est déjà déclaré pour cette orientation.",
            ),
            models.CheckConstraint(
                condition=Q(prix_unitaire__gte=0),
                name="resultat_prix_positif",
                violation_error_message="Le prix unitaire ne peut être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(statut="declare") | Q(date_decision__isnull=False),
                name="resultat_decision_datee",
                violation_error_message="Un résultat validé, rejeté ou payé porte la date de la vérification.",
            ),
            models.CheckConstraint(
                condition=~Q(statut="rejete") | ~Q(motif_rejet=""),
                name="resultat_rejet_motive",
                violation_error_message="Un rejet doit être motivé.",
            ),
            models.CheckConstraint(
                condition=Q(statut="paye", date_paiement__isnull=False)
                | (~Q(statut="paye") & Q(date_paiement__isnull=True)),
                name="resultat_paiement_date",
                violation_error_message="Seul un résultat payé porte une date de paiement, et il la porte.",
            ),
        ]
        indexes = [models.Index(fields=["lot", "date"], name="resultat_lot_date_idx")]

    def __str__(self):
        statut = self.get_statut_display().lower()
        return f"{self.get_nature_display()} — {self.date:%d/%m/%Y} — {euros(self.prix_unitaire)} ({statut})"

    def get_absolute_url(self):
        return reverse("placement:resultat", args=[self.pk])

    @property
    def service_fait(self):
        return self.statut in STATUTS_SERVICE_FAIT

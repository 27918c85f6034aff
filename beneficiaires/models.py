import unicodedata
from functools import lru_cache

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from commun.chargement import ChargementRapide
from commun.francais import COLLATION
from commun.liens import adresse_par_cle
from commun.models import Canal
from referentiel.models import Commune

from .acces import condition_prestataire
from .validateurs import valider_email


@lru_cache(maxsize=65_536)
def normaliser(texte):
    """Minuscules sans accents : clé de recherche identique sur SQLite et PostgreSQL."""
    decompose = unicodedata.normalize("NFKD", texte or "")
    return " ".join("".join(c for c in decompose if not unicodedata.combining(c)).lower().split())


class Organisme(models.TextChoices):
    CAF = "CAF", "CAF"
    MSA = "MSA", "MSA"


class EtatDroit(models.IntegerChoices):
    NOUVELLE_DEMANDE = 0, "0 — Nouvelle demande"
    REFUSE = 1, "1 — Droit refusé"
    OUVERT_VERSABLE = 2, "2 — Droit ouvert et versable"
    OUVERT_SUSPENDU = 3, "3 — Droit ouvert et suspendu"
    VERSEMENT_SUSPENDU = 4, "4 — Droit ouvert, versement suspendu"
    CLOS = 5, "5 — Droit clos"
    CLOS_ANTERIEUR = 6, "6 — Droit clos sur mois antérieur"


class FoyerQuerySet(models.QuerySet):
    def visibles_par(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.voit_tout:
            return self
        return self.filter(pk__in=Beneficiaire.objects.visibles_par(user).values("foyer_id"))


class Foyer(models.Model):
    numero_allocataire = models.CharField("numéro allocataire", max_length=20)
    organisme = models.CharField("organisme payeur", max_length=3, choices=Organisme.choices, default=Organisme.CAF)
    etat_droit = models.PositiveSmallIntegerField(
        "état du droit", choices=EtatDroit.choices, default=EtatDroit.OUVERT_VERSABLE
    )
    date_ouverture_droit = models.DateField("date d'ouverture du droit", null=True, blank=True)
    commune = models.ForeignKey(
        Commune, verbose_name="commune", on_delete=models.PROTECT, related_name="foyers", null=True, blank=True
    )
    date_creation = models.DateTimeField("créé le", auto_now_add=True)

    history = HistoricalRecords()
    objects = FoyerQuerySet.as_manager()

    class Meta:
        verbose_name = "foyer"
        verbose_name_plural = "foyers"
        ordering = ["numero_allocataire"]
        constraints = [
            models.UniqueConstraint(
                fields=["numero_allocataire", "organisme"],
                name="foyer_numero_organisme_unique",
                violation_error_message="Un foyer porte déjà ce numéro allocataire chez cet organisme.",
            ),
            models.CheckConstraint(
                condition=models.Q(etat_droit__gte=0, etat_droit__lte=6),
                name="foyer_etat_droit_0_6",
                violation_error_message="L'état du droit va de 0 à 6.",
            ),
        ]
        indexes = [
            # Tableau de bord, foyers au droit ouvert par commune : les foyers des états 2 à 4 lus dans l'index seul,
            # sans parcourir la table (35 -> 24 ms à 250 000 foyers).
            models.Index(fields=["etat_droit", "commune"], name="foyer_etat_commune_idx"),
        ]

    def __str__(self):
        return f"{self.organisme} {self.numero_allocataire}"


class Role(models.TextChoices):
    DEM = "DEM", "Demandeur"
    CJT = "CJT", "Conjoint"
    ENF = "ENF", "Enfant"
    AUT = "AUT", "Autre"


class Civilite(models.TextChoices):
    MADAME = "MME", "Madame"
    MONSIEUR = "M", "Monsieur"


class Orientation(models.TextChoices):
    PROFESSIONNELLE = "pro", "Professionnelle (France Travail ou organisme de placement)"
    SOCIO_PRO = "socio_pro", "Socioprofessionnelle"
    SOCIALE = "sociale", "Sociale"


class StatutParcours(models.TextChoices):
    NON_CONCERNE = "non_concerne", "Hors plan (non soumis aux droits et devoirs)"
    A_EVALUER = "a_evaluer", "À évaluer"
    EN_EVALUATION = "en_evaluation", "En cours d'évaluation"
    EN_PARCOURS = "en_parcours", "En parcours"
    SORTI = "sorti", "Sorti du plan"
    ARCHIVE = "archive", "Archivé"


# Seuls le demandeur et le conjoint, majeurs et soumis aux droits et devoirs, entrent dans le plan (à évaluer) ;
# les enfants et les autres membres du foyer sont des ayants droit : ils restent « hors plan ».
ROLES_DROITS_DEVOIRS = (Role.DEM, Role.CJT)
AGE_MAJORITE = 18


def date_majorite(jour):
    """Née au plus tard ce jour-là, une personne est majeure le `jour` (29/02 ramené au 28/02)."""
    try:
        return jour.replace(year=jour.year - AGE_MAJORITE)
    except ValueError:
        return jour.replace(year=jour.year - AGE_MAJORITE, day=28)


def condition_entre_dans_le_plan(jour):
    """Condition Q (SQL) des personnes qui entrent dans le plan : demandeur ou conjoint, SDD, majeur le `jour`."""
    return models.Q(role__in=ROLES_DROITS_DEVOIRS, soumis_droits_devoirs=True, date_naissance__lte=date_majorite(jour))


class BeneficiaireQuerySet(models.QuerySet):
    def visibles_par(self, user):
        """Le périmètre de chaque rôle : une personne hors périmètre n'existe pas (404) pour l'utilisateur."""
        if not user.is_authenticated:
            return self.none()
        if user.voit_tout:
            return self
        if user.est_referent:
            return self.filter(commune__bassin_emploi__in=user.bassins_du_perimetre())
        if user.est_prestataire and user.structure_id:
            # Une personne sans commune (adresse à vérifier) n'a pas de bassin : pilotage et administrateurs seuls.
            return self.filter(condition_prestataire(user), commune__isnull=False).distinct()
        return self.none()

    def actifs(self):
        return self.exclude(statut_parcours=StatutParcours.ARCHIVE)

    def a_rattacher(self):
        """Personnes dont l'adresse n'a pas été reconnue dans le référentiel : sans commune, donc sans bassin."""
        return self.actifs().filter(commune__isnull=True)


class Beneficiaire(ChargementRapide, models.Model):
    foyer = models.ForeignKey(Foyer, verbose_name="foyer", on_delete=models.PROTECT, related_name="membres")
    role = models.CharField("rôle dans le foyer", max_length=3, choices=Role.choices, default=Role.DEM)
    civilite = models.CharField("civilité", max_length=3, choices=Civilite.choices, blank=True)
    nom = models.CharField("nom d'usage", max_length=100, db_collation=COLLATION)
    nom_naissance = models.CharField("nom de naissance", max_length=100, blank=True, db_collation=COLLATION)
    prenoms = models.CharField("prénoms", max_length=150, db_collation=COLLATION)
    date_naissance = models.DateField("date de naissance")
    soumis_droits_devoirs = models.BooleanField("soumis aux droits et devoirs (SDD)", default=False)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    # Adresses internationalisées admises (RFC 6531) : le validateur de l'EmailField de Django les refuse.
    email = models.CharField("e-mail", max_length=254, blank=True, validators=[valider_email])
    adresse = models.CharField("adresse", max_length=250, blank=True)
    commune = models.ForeignKey(
        Commune,
        verbose_name="commune",
        on_delete=models.PROTECT,
        related_name="beneficiaires",
        null=True,
        blank=True,
        help_text="Vide quand l'adresse importée n'a pas été reconnue : la personne est alors « à rattacher ».",
    )
    adresse_brute = models.CharField(
        "adresse à vérifier",
        max_length=250,
        blank=True,
        help_text="Code postal et commune tels que la liste les donnait, quand le référentiel ne les connaît pas.",
    )
    identifiant_externe = models.CharField(
        "identifiant externe",
        max_length=50,
        blank=True,
        help_text="Identifiant de la personne dans le logiciel d'origine (ex. ID Iodas).",
    )
    nir = models.CharField(
        "NIR", max_length=15, blank=True, help_text="Numéro d'inscription au répertoire, quand la liste le donne."
    )
    canal_prefere = models.CharField(
        "canal préféré pour les messages",
        max_length=10,
        choices=Canal.choices,
        default=Canal.COURRIER,
        db_default=Canal.COURRIER,
        help_text="SMS ou e-mail seulement avec le consentement de la personne ; à défaut, un courrier.",
    )
    consentement_sms = models.BooleanField("accepte de recevoir des SMS", default=False, db_default=False)
    consentement_email = models.BooleanField("accepte de recevoir des e-mails", default=False, db_default=False)
    orientation = models.CharField("orientation", max_length=10, choices=Orientation.choices, blank=True)
    date_orientation = models.DateField("date d'orientation", null=True, blank=True)
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="référent unique",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="beneficiaires_suivis",
    )
    statut_parcours = models.CharField(
        "statut du parcours",
        max_length=15,
        choices=StatutParcours.choices,
        default=StatutParcours.NON_CONCERNE,
        db_index=True,
        help_text="Tenu par les services : « à évaluer » pour le demandeur et le conjoint majeurs soumis aux "
        "droits et devoirs, « hors plan » pour les autres membres du foyer.",
    )
    evaluation_courante = models.ForeignKey(
        "Evaluation",
        verbose_name="évaluation en vigueur",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="La dernière évaluation réalisée : le profil actuel de la personne.",
    )
    recherche = models.CharField("clé de recherche", max_length=400, editable=False, db_index=True)
    date_premiere_evaluation = models.DateField(
        "date de la première évaluation réalisée",
        null=True,
        blank=True,
        editable=False,
        help_text="Tenue par le service qui réalise une évaluation (délai depuis l'orientation).",
    )
    date_evaluation_courante = models.DateField(
        "date de l'évaluation en vigueur",
        null=True,
        blank=True,
        editable=False,
        help_text="Celle de l'évaluation en vigueur, tenue avec elle par le service qui réalise une évaluation "
        "(tri de la liste par date d'évaluation).",
    )
    date_creation = models.DateTimeField("créé le", auto_now_add=True)
    date_anonymisation = models.DateTimeField("anonymisé le", null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["recherche", "date_evaluation_courante"])  # dérivées
    objects = BeneficiaireQuerySet.as_manager()

    class Meta:
        verbose_name = "bénéficiaire"
        verbose_name_plural = "bénéficiaires"
        ordering = ["nom", "prenoms", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["foyer", "role", "nom", "prenoms", "date_naissance"],
                name="beneficiaire_identite_unique",
                violation_error_message="Cette personne figure déjà dans ce foyer avec ce rôle.",
            ),
            models.CheckConstraint(
                condition=models.Q(date_naissance__gte="1900-01-01"),
                name="beneficiaire_naissance_plausible",
                violation_error_message="La date de naissance doit être postérieure au 01/01/1900.",
            ),
        ]
        indexes = [
            models.Index(fields=["commune", "statut_parcours"], name="benef_commune_statut_idx"),
            models.Index(fields=["date_orientation"], name="benef_date_orientation_idx"),
            models.Index(fields=["date_naissance"], name="benef_date_naissance_idx"),
            models.Index(fields=["nir"], condition=~models.Q(nir=""), name="benef_nir_idx"),
            models.Index(fields=["nom", "prenoms", "id"], name="benef_ordre_alpha_idx"),
            # Stock des personnes couvertes (tableau de bord) : parcours de l'index seul, joint aux foyers,
            # au lieu de la table entière (deux fois plus rapide à 500 000 personnes).
            models.Index(
                fields=["foyer", "commune"],
                condition=~models.Q(statut_parcours=StatutParcours.ARCHIVE),
                name="benef_couverts_idx",
            ),
            # Liste triée par « Évaluée le » (jamais évaluées à la fin, puis nom, prénoms, clé) : les personnes non
            # archivées lues dans l'ordre de l'index jusqu'à la page demandée. Le sens décroissant (NULLS LAST, que
            # SQLite refuse dans un index) a son index sur PostgreSQL seul, créé par la migration 0013.
            models.Index(
                fields=["date_evaluation_courante", "nom", "prenoms", "id"],
                condition=~models.Q(statut_parcours=StatutParcours.ARCHIVE),
                name="benef_tri_evaluation_idx",
            ),
            # « Mon activité » du référent : personnes à évaluer par ancienneté d'orientation, personnes sans
            # référent (index partiels : seules les lignes concernées, parcourues dans l'ordre voulu).
            models.Index(
                fields=["date_orientation", "id"],
                condition=models.Q(statut_parcours=StatutParcours.A_EVALUER),
                name="benef_a_evaluer_idx",
            ),
            models.Index(
                fields=["commune", "statut_parcours"],
                condition=models.Q(referent__isnull=True),
                name="benef_sans_referent_idx",
            ),
            # Tableau de bord, entrées dans le plan et part évaluée sous 30 jours : les personnes du plan par date
            # d'orientation, lues dans l'index seul (couvrant : commune, première évaluation), sans la table.
            models.Index(
                fields=["date_orientation"],
                include=["commune", "date_premiere_evaluation", "id"],
                condition=models.Q(soumis_droits_devoirs=True)
                & ~models.Q(statut_parcours=StatutParcours.NON_CONCERNE)
                & ~models.Q(statut_parcours=StatutParcours.ARCHIVE),
                name="benef_plan_orientation_idx",
            ),
            # Tableau de bord, indicateurs des contrats, orientations, locations, forums : le bassin de la personne
            # (par sa commune) lu dans l'index seul, clé par clé, pour quelques milliers de lignes jointes, au lieu de
            # parcourir toute la table des personnes pour la joindre par hachage.
            models.Index(fields=["id"], include=["commune"], name="benef_commune_par_cle_idx"),
            # Tableau de bord, personnes évaluées et freins : les personnes non archivées dans l'ordre de leur
            # évaluation en vigueur, lues dans l'index seul (sans la table) ; voir evaluation_freins_idx.
            models.Index(
                fields=["evaluation_courante"],
                include=["commune", "id"],
                condition=models.Q(evaluation_courante__isnull=False)
                & ~models.Q(statut_parcours=StatutParcours.ARCHIVE),
                name="benef_evaluation_courante_idx",
            ),
        ]

    def __str__(self):
        return f"{self.nom.upper()} {self.prenoms}"

    def get_absolute_url(self):
        return adresse_par_cle("beneficiaires:detail", self.pk)  # une fois par ligne de liste

    @property
    def adresse_a_verifier(self):
        return self.commune_id is None

    def calculer_recherche(self):
        """Clé de recherche sans accents ni casse ; à appeler avant tout enregistrement (services, imports)."""
        self.recherche = normaliser(
            f"{self.nom} {self.nom_naissance} {self.prenoms} {self.foyer.numero_allocataire if self.foyer_id else ''}"
        )[:400]

    def entre_dans_le_plan(self, jour):
        """Demandeur ou conjoint, majeur le `jour` et soumis aux droits et devoirs : la personne est à évaluer."""
        return (
            self.role in ROLES_DROITS_DEVOIRS
            and self.soumis_droits_devoirs
            and self.date_naissance is not None
            and self.date_naissance <= date_majorite(jour)
        )

    def statut_initial(self, jour):
        return StatutParcours.A_EVALUER if self.entre_dans_le_plan(jour) else StatutParcours.NON_CONCERNE

    def recalculer_statut_initial(self, jour):
        """Tant que le parcours n'a pas commencé, le statut suit le rôle, l'âge et les droits et devoirs : un
        enfant reste hors plan ; un demandeur qui devient soumis aux droits et devoirs devient « à évaluer »."""
        if self.statut_parcours in (StatutParcours.NON_CONCERNE, StatutParcours.A_EVALUER):
            self.statut_parcours = self.statut_initial(jour)

    def coordonnees(self):
        """Ce que la messagerie du commun sait de la personne pour la joindre."""
        from commun.messagerie import Coordonnees

        adresse = f"{self.prenoms} {self.nom.upper()}\n{self.adresse}\n{self.commune}" if self.adresse else ""
        return Coordonnees(
            prenom=self.prenoms,
            nom=self.nom,
            email=self.email,
            telephone=self.telephone,
            adresse=adresse,
            canal_prefere=self.canal_prefere,
            consentement_sms=self.consentement_sms,
            consentement_email=self.consentement_email,
            civilite=self.civilite,
        )

    def age_le(self, jour):
        return (
            jour.year
            - self.date_naissance.year
            - ((jour.month, jour.day) < (self.date_naissance.month, self.date_naissance.day))
        )


class Severite(models.IntegerChoices):
    AUCUN = 0, "Aucun"
    LEGER = 1, "Léger"
    FORT = 2, "Fort"


# Freins périphériques : (champ, libellé). Une catégorie, jamais un diagnostic (RGPD).
FREINS = [
    ("frein_mobilite", "Mobilité"),
    ("frein_logement", "Logement"),
    ("frein_sante", "Santé"),
    ("frein_garde_enfants", "Garde d'enfants"),
    ("frein_langue", "Maîtrise du français"),
    ("frein_numerique", "Numérique"),
    ("frein_endettement", "Endettement"),
    ("frein_administratif", "Situation administrative"),
]


class NiveauDiplome(models.TextChoices):
    SANS = "sans", "Sans diplôme"
    NIV3 = "3", "Niveau 3 (CAP, BEP)"
    NIV4 = "4", "Niveau 4 (baccalauréat)"
    NIV5 = "5", "Niveau 5 (bac + 2)"
    NIV6 = "6", "Niveau 6 (licence, bac + 3)"
    NIV7 = "7", "Niveau 7 (master, bac + 5)"
    NIV8 = "8", "Niveau 8 (doctorat)"


class CompetencesNumeriques(models.TextChoices):
    AUCUNE = "aucune", "Aucune"
    BASE = "base", "Usages de base"
    AUTONOME = "autonome", "Autonome"


class ParcoursRecommande(models.TextChoices):
    EMPLOI_DIRECT = "emploi_direct", "Emploi direct"
    CONTRAT_AIDE = "contrat_aide", "Contrat aidé (CUI-CAE / PEC)"
    PRESTATAIRE = "prestataire", "Prestataire de placement"
    MOBILITE = "mobilite", "Aide à la mobilité d'abord"
    SOCIAL = "social", "Parcours social"


class EvaluationQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return self.filter(beneficiaire__in=Beneficiaire.objects.visibles_par(user).values("pk"))


class Evaluation(models.Model):
    class Statut(models.TextChoices):
        PREVUE = "prevue", "Prévue"
        REALISEE = "realisee", "Réalisée"
        ANNULEE = "annulee", "Annulée"

    beneficiaire = models.ForeignKey(
        Beneficiaire, verbose_name="bénéficiaire", on_delete=models.PROTECT, related_name="evaluations"
    )
    date = models.DateField("date")
    heure = models.TimeField("heure du rendez-vous", null=True, blank=True)
    lieu = models.CharField("lieu du rendez-vous", max_length=250, blank=True, default="", db_default="")
    evaluateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="évaluateur", on_delete=models.PROTECT, related_name="evaluations_menees"
    )
    statut = models.CharField("statut", max_length=10, choices=Statut.choices, default=Statut.PREVUE)
    # Compétences
    metiers_vises = models.TextField("métiers visés", blank=True, help_text="Un métier par ligne.")
    codes_rome = models.CharField(
        "codes ROME", max_length=100, blank=True, help_text="Facultatif, séparés par des espaces (ex. K2204 G1603)."
    )
    experience_annees = models.PositiveSmallIntegerField(
        "expérience professionnelle (années)", default=0, validators=[MaxValueValidator(60)]
    )
    niveau_diplome = models.CharField("niveau de diplôme", max_length=4, choices=NiveauDiplome.choices, blank=True)
    # Ressources
    permis_b = models.BooleanField("permis B", default=False)
    permis_am = models.BooleanField("permis AM (ou BSR)", default=False)
    vehicule = models.BooleanField("dispose d'un véhicule", default=False)
    heures_disponibles = models.PositiveSmallIntegerField(
        "heures de travail possibles par semaine", default=35, validators=[MinValueValidator(0), MaxValueValidator(48)]
    )
    langues = models.CharField("langues parlées", max_length=200, blank=True)
    competences_numeriques = models.CharField(
        "compétences numériques", max_length=10, choices=CompetencesNumeriques.choices, blank=True
    )
    # Freins périphériques
    frein_mobilite = models.PositiveSmallIntegerField("frein : mobilité", choices=Severite.choices, default=0)
    frein_logement = models.PositiveSmallIntegerField("frein : logement", choices=Severite.choices, default=0)
    frein_sante = models.PositiveSmallIntegerField("frein : santé", choices=Severite.choices, default=0)
    frein_garde_enfants = models.PositiveSmallIntegerField(
        "frein : garde d'enfants", choices=Severite.choices, default=0
    )
    frein_langue = models.PositiveSmallIntegerField("frein : maîtrise du français", choices=Severite.choices, default=0)
    frein_numerique = models.PositiveSmallIntegerField("frein : numérique", choices=Severite.choices, default=0)
    frein_endettement = models.PositiveSmallIntegerField("frein : endettement", choices=Severite.choices, default=0)
    frein_administratif = models.PositiveSmallIntegerField(
        "frein : situation administrative", choices=Severite.choices, default=0
    )
    parcours_recommande = models.CharField(
        "parcours recommandé", max_length=15, choices=ParcoursRecommande.choices, blank=True
    )
    synthese = models.TextField(
        "synthèse",
        max_length=2000,
        blank=True,
        help_text="Quelques lignes, sans détail de santé (indiquer seulement la catégorie de frein).",
    )
    date_creation = models.DateTimeField("créée le", auto_now_add=True)

    history = HistoricalRecords()
    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = "évaluation"
        verbose_name_plural = "évaluations"
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(heures_disponibles__lte=48),
                name="evaluation_heures_max_48",
                violation_error_message="Une personne ne peut déclarer plus de 48 heures par semaine.",
            ),
        ]
        indexes = [
            # « Mon activité » : évaluations prévues de la semaine.
            models.Index(fields=["date"], condition=models.Q(statut="prevue"), name="evaluation_prevue_date_idx"),
            # Tableau de bord, personnes évaluées et freins : la date et les freins de chaque évaluation dans l'ordre
            # des clés, lus dans l'index seul et fusionnés avec benef_evaluation_courante_idx, sans lire la table.
            models.Index(
                fields=["id"], include=["date", *(champ for champ, _ in FREINS)], name="evaluation_freins_idx"
            ),
        ]

    def __str__(self):
        return f"Évaluation du {self.date:%d/%m/%Y} — {self.beneficiaire}"

    def get_absolute_url(self):
        return reverse("beneficiaires:evaluation", args=[self.pk])

    def freins(self):
        """[(libellé, sévérité)] des freins présents."""
        return [(libelle, getattr(self, champ)) for champ, libelle in FREINS if getattr(self, champ)]


class CorrespondanceColonnes(models.Model):
    """Correspondance, propre à une source (le logiciel ou le service qui produit la liste), entre les en-têtes
    de colonnes non reconnus et les champs de l'import. Enregistrée à la première importation, reprise ensuite."""

    source = models.CharField("source", max_length=100, unique=True)
    correspondances = models.JSONField(
        "correspondances", default=dict, blank=True, help_text="{en-tête normalisé : champ de l'import, ou vide}"
    )
    date_modification = models.DateTimeField("modifiée le", auto_now=True)
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="modifiée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "correspondance de colonnes"
        verbose_name_plural = "correspondances de colonnes"
        ordering = ["source"]

    def __str__(self):
        return self.source


class ImportBeneficiairesQuerySet(models.QuerySet):
    def visibles_par(self, user):
        if not user.is_authenticated or not user.voit_tout:
            return self.none()
        return self


class ImportBeneficiaires(models.Model):
    """Un fichier de liste déposé sur la page d'import : aperçu (essai), puis importation confirmée.
    Le contenu du fichier est effacé une fois l'import confirmé ou abandonné ; le bilan reste."""

    class Statut(models.TextChoices):
        DEPOSE = "depose", "Déposé (aperçu)"
        EN_COURS = "en_cours", "Import en cours"
        IMPORTE = "importe", "Importé"
        ABANDONNE = "abandonne", "Abandonné"

    date = models.DateTimeField("déposé le", auto_now_add=True)
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="déposé par", on_delete=models.PROTECT, related_name="imports_listes"
    )
    source = models.CharField("source", max_length=100)
    nom_fichier = models.CharField("nom du fichier", max_length=255)
    taille = models.PositiveIntegerField("taille (octets)", default=0)
    contenu = models.BinaryField("contenu", blank=True, editable=False)
    statut = models.CharField("statut", max_length=10, choices=Statut.choices, default=Statut.DEPOSE)
    date_import = models.DateTimeField("importé le", null=True, blank=True)
    bilan = models.JSONField("bilan", default=dict, blank=True)
    lignes = models.BinaryField(
        "lignes contrôlées",
        blank=True,
        editable=False,
        help_text="Le fichier lu et contrôlé une seule fois (JSON compressé) : l'aperçu et la confirmation le "
        "reprennent sans relire le fichier.",
    )
    apercu = models.JSONField("aperçu", default=dict, blank=True, editable=False)
    progression = models.ForeignKey(
        "commun.Progression",
        verbose_name="avancement de l'import",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="L'import confirmé s'exécute en tâche : son avancement, montré à qui l'a lancé.",
    )

    objects = ImportBeneficiairesQuerySet.as_manager()

    class Meta:
        verbose_name = "import de liste"
        verbose_name_plural = "imports de listes"
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.nom_fichier} ({self.date:%d/%m/%Y %H:%M})"

    def get_absolute_url(self):
        return reverse("beneficiaires:import_apercu", args=[self.pk])


class DoublonQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return self.filter(existant__in=Beneficiaire.objects.visibles_par(user).values("pk"))

    def a_examiner(self):
        return self.filter(statut=DoublonProbable.Statut.A_EXAMINER)


class DoublonProbable(models.Model):
    """Une personne de la liste importée qui ressemble à une personne déjà connue (même NIR, ou mêmes nom,
    prénoms et date de naissance dans un autre foyer). L'import ne la crée pas : un utilisateur décide
    qu'il s'agit de la même personne (fusion : la fiche connue reprend les coordonnées de la liste) ou de
    deux personnes différentes (la personne de la liste est alors créée)."""

    class Statut(models.TextChoices):
        A_EXAMINER = "a_examiner", "À examiner"
        FUSIONNE = "fusionne", "Même personne (fusionnée)"
        DISTINCT = "distinct", "Personnes différentes"

    existant = models.ForeignKey(
        Beneficiaire, verbose_name="personne connue", on_delete=models.PROTECT, related_name="doublons_probables"
    )
    cree = models.ForeignKey(
        Beneficiaire,
        verbose_name="personne créée",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="La fiche créée quand les deux personnes sont déclarées différentes.",
    )
    motif = models.CharField("motif", max_length=200)
    source = models.CharField("source de la liste", max_length=100, blank=True)
    ligne = models.PositiveIntegerField("ligne du fichier", default=0)
    donnees = models.JSONField("données de la liste", default=dict)
    statut = models.CharField("statut", max_length=10, choices=Statut.choices, default=Statut.A_EXAMINER, db_index=True)
    date = models.DateTimeField("signalé le", auto_now_add=True)
    traite_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="traité par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    date_traitement = models.DateTimeField("traité le", null=True, blank=True)

    history = HistoricalRecords()
    objects = DoublonQuerySet.as_manager()

    class Meta:
        verbose_name = "doublon probable"
        verbose_name_plural = "doublons probables"
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(statut="a_examiner", traite_par__isnull=True)
                | (~models.Q(statut="a_examiner") & models.Q(date_traitement__isnull=False)),
                name="doublon_traitement_date",
                violation_error_message="Un doublon traité porte la date de son traitement.",
            ),
        ]

    def __str__(self):
        p = self.personne_liste
        return f"{p.get('nom', '').upper()} {p.get('prenoms', '')} — {self.existant}"

    def get_absolute_url(self):
        return reverse("beneficiaires:doublon", args=[self.pk])

    @property
    def personne_liste(self):
        """Nom, prénoms... de la personne de la liste (données rangées par l'import : [n°, allocataire, organisme,
        rôle, foyer, personne, avertissements])."""
        return self.donnees[5] if isinstance(self.donnees, list) and len(self.donnees) > 5 else {}

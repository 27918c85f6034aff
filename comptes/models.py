from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from referentiel.models import BassinEmploi, Structure


class Role(models.TextChoices):
    ADMINISTRATEUR = "administrateur", "Administrateur"
    PILOTAGE = "pilotage", "Pilotage"
    REFERENT = "referent", "Référent"
    PRESTATAIRE = "prestataire", "Prestataire de placement"
    AGENT_MOBILITE = "agent_mobilite", "Agent mobilité"


# Rôles autorisés à exporter des données personnelles (listes nominatives).
ROLES_EXPORT_PERSONNEL = {Role.ADMINISTRATEUR, Role.PILOTAGE, Role.REFERENT}


class Manager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMINISTRATEUR)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    role = models.CharField("rôle", max_length=20, choices=Role.choices, default=Role.REFERENT)
    bassins = models.ManyToManyField(
        BassinEmploi,
        verbose_name="bassins d'emploi couverts",
        blank=True,
        related_name="utilisateurs",
        help_text="Pour un référent : les bassins dont il suit les bénéficiaires.",
    )
    structure = models.ForeignKey(
        Structure,
        verbose_name="structure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="utilisateurs",
        help_text="Pour un prestataire ou un partenaire : sa structure.",
    )

    objects = Manager()

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="prestataire", structure__isnull=True),
                name="user_prestataire_a_structure",
                violation_error_message="Un compte prestataire doit être rattaché à sa structure.",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    # Raccourcis de rôle, utilisés par les QuerySets visibles_par() et les gabarits.
    @property
    def est_administrateur(self):
        return self.is_superuser or self.role == Role.ADMINISTRATEUR

    @property
    def est_pilotage(self):
        return self.role == Role.PILOTAGE

    @property
    def est_referent(self):
        return self.role == Role.REFERENT

    @property
    def est_prestataire(self):
        return self.role == Role.PRESTATAIRE

    @property
    def est_agent_mobilite(self):
        return self.role == Role.AGENT_MOBILITE

    @property
    def voit_tout(self):
        """Administrateurs et pilotage voient tout le Département (le pilotage en lecture seule)."""
        return self.est_administrateur or self.est_pilotage

    @property
    def peut_exporter_donnees_personnelles(self):
        return self.is_authenticated and (self.is_superuser or self.role in ROLES_EXPORT_PERSONNEL)

    def a_role(self, *roles):
        if self.is_superuser:
            return True
        return self.role in roles


class JournalExport(models.Model):
    """Trace de chaque export de données : qui, quand, quelle liste, quels filtres, combien de lignes."""

    date = models.DateTimeField("date", auto_now_add=True, db_index=True)
    utilisateur = models.ForeignKey(User, verbose_name="utilisateur", on_delete=models.PROTECT, related_name="exports")
    vue = models.CharField("liste exportée", max_length=200)
    filtres = models.TextField("filtres", blank=True)
    format = models.CharField("format", max_length=10)
    lignes = models.PositiveIntegerField("nombre de lignes")

    class Meta:
        verbose_name = "export journalisé"
        verbose_name_plural = "journal des exports"
        ordering = ["-date"]

    def __str__(self):
        return f"{self.utilisateur} — {self.vue} ({self.lignes} lignes, {self.date:%d/%m/%Y %H:%M})"


class JournalConsultationQuerySet(models.QuerySet):
    def pour(self, objet):
        """Les consultations d'un objet donné (une fiche de personne, par exemple)."""
        return self.filter(
            type_objet=ContentType.objects.get_for_model(objet, for_concrete_model=True), id_objet=objet.pk
        )


class JournalConsultation(models.Model):
    """Trace de chaque consultation d'une fiche nominative : qui, quand, quel objet.

    Le libellé ne contient aucune donnée personnelle (type d'objet et numéro seulement) : le journal peut être
    montré aux administrateurs sans exposer à nouveau la personne consultée.
    """

    date = models.DateTimeField("date", auto_now_add=True, db_index=True)
    utilisateur = models.ForeignKey(
        User, verbose_name="utilisateur", on_delete=models.PROTECT, related_name="consultations"
    )
    type_objet = models.ForeignKey(ContentType, verbose_name="type d'objet", on_delete=models.PROTECT)
    id_objet = models.PositiveBigIntegerField("identifiant de l'objet")
    objet = GenericForeignKey("type_objet", "id_objet")
    libelle = models.CharField("objet consulté", max_length=120)

    objects = JournalConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = "consultation journalisée"
        verbose_name_plural = "journal des consultations"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["type_objet", "id_objet", "date"], name="consultation_objet_idx")]

    def __str__(self):
        return f"{self.utilisateur} — {self.libelle} ({self.date:%d/%m/%Y %H:%M})"

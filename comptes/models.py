from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from commun.francais import COLLATION, compte
from commun.requetes import SousRequeteFigee
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
    # Noms des agents dans l'ordre alphabétique français (sélecteurs de référent, colonnes « Référent »).
    first_name = models.CharField(_("first name"), max_length=150, blank=True, db_collation=COLLATION)
    last_name = models.CharField(_("last name"), max_length=150, blank=True, db_collation=COLLATION)
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
    compte_demo = models.BooleanField(
        "compte de démonstration",
        default=False,
        editable=False,
        help_text="Posé par la commande demo : le compte, au mot de passe public, est refusé à la connexion "
        "quand DEBUG est désactivé, quel que soit son mot de passe.",
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
            # La connexion unique rattache l'identité du fournisseur à un compte par son adresse : deux comptes
            # ne peuvent pas partager une adresse (casse ignorée).
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_email_unique_insensible_casse",
                violation_error_message="Un autre compte utilise déjà cette adresse électronique.",
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

    def bassins_du_perimetre(self):
        """Les clés des bassins du compte, en sous-requête, pour le périmètre d'un référent
        (`…__bassin_emploi__in=user.bassins_du_perimetre()`) : lue à chaque page (un bassin réaffecté compte à la page
        suivante), mais son SQL compilé une fois par sélection (`SousRequeteFigee`) ; le périmètre d'une liste,
        gardé par utilisateur (commun.tableaux.perimetre_fait_une_fois), ne la recompile plus à chaque page."""
        return SousRequeteFigee(self.bassins.order_by().values("pk"))  # sans tri : celui des bassins est inutile ici

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
        return f"{self.utilisateur} — {self.vue} ({compte(self.lignes, 'ligne')}, {self.date:%d/%m/%Y %H:%M})"


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


class SessionUtilisateurQuerySet(models.QuerySet):
    def ouvertes(self, user):
        """Les sessions encore valides de `user`, la plus récemment active d'abord."""
        from django.utils import timezone

        return self.filter(utilisateur=user, session__expire_date__gt=timezone.now()).order_by(
            "-derniere_activite", "-pk"
        )


class SessionUtilisateur(models.Model):
    """Une session ouverte d'un utilisateur : l'appareil (navigateur), l'adresse, la dernière activité.

    Créée à la connexion, mise à jour au plus une fois par SESSION_PROLONGATION_PAS (comme l'échéance de la
    session), supprimée avec la session (déconnexion, expiration purgée par clearsessions, fin demandée depuis
    « Mes sessions »)."""

    session = models.OneToOneField(
        Session, verbose_name="session", on_delete=models.CASCADE, related_name="+", db_constraint=True
    )
    utilisateur = models.ForeignKey(
        User, verbose_name="utilisateur", on_delete=models.CASCADE, related_name="sessions_ouvertes"
    )
    navigateur = models.CharField("navigateur", max_length=300, blank=True)
    adresse_ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    methode = models.CharField("méthode de connexion", max_length=40, blank=True)
    ouverte_le = models.DateTimeField("ouverte le", auto_now_add=True)
    derniere_activite = models.DateTimeField("dernière activité")

    objects = SessionUtilisateurQuerySet.as_manager()

    class Meta:
        verbose_name = "session ouverte"
        verbose_name_plural = "sessions ouvertes"
        indexes = [models.Index(fields=["utilisateur", "derniere_activite"], name="session_utilisateur_idx")]

    def __str__(self):
        return f"{self.utilisateur} — {self.navigateur[:40]} ({self.derniere_activite:%d/%m/%Y %H:%M})"


def nom_affiche(relation=""):
    """L'expression SQL de `str(user)` pour le compte au bout de `relation` (« referent » ; le compte lui-même sans
    relation) : son nom complet, à défaut son identifiant ; NULL sans compte. Pour lire une liste sans instancier
    chaque compte."""
    from django.db.models import Value
    from django.db.models.functions import Coalesce, Concat, NullIf, Trim

    chemin = f"{relation}__" if relation else ""
    nom_complet = Concat(f"{chemin}first_name", Value(" "), f"{chemin}last_name")
    return Coalesce(NullIf(Trim(nom_complet), Value("")), f"{chemin}username")

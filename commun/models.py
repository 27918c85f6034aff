"""Modèles partagés : messages aux personnes (modèles éditables, envois et leur statut) et avancement des tâches
longues. Le commun ne connaît pas les applications métier : le destinataire d'un message est désigné par une
clé générique (type d'objet, identifiant), la personne elle-même reste dans son application."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.template import Context, Engine, TemplateSyntaxError
from django.urls import reverse
from simple_history.models import HistoricalRecords


class Canal(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"
    COURRIER = "courrier", "Courrier"


class Objet(models.TextChoices):
    """Les motifs pour lesquels une personne reçoit un message ; un modèle par motif."""

    CONVOCATION_EVALUATION = "convocation_evaluation", "Convocation à un entretien d'évaluation"
    INVITATION_FORUM = "invitation_forum", "Invitation à un forum de l'emploi"
    RELANCE_FORUM = "relance_forum", "Relance d'une invitation à un forum restée sans réponse"
    RAPPEL_LOCATION = "rappel_location", "Rappel de la restitution d'un véhicule (la veille)"
    FIN_CONTRAT = "fin_contrat", "Fin prochaine d'un contrat aidé"


# Moteur de gabarits sans échappement HTML (textes bruts : e-mail, SMS, courrier) ni balise de chargement.
MOTEUR_TEXTE = Engine(autoescape=False, builtins=["django.template.defaultfilters"])


def rendre_texte(source, contexte):
    return MOTEUR_TEXTE.from_string(source).render(Context(contexte, autoescape=False)).strip()


class ModeleMessage(models.Model):
    """Le texte envoyé pour un motif, modifiable par les administrateurs. Variables disponibles : celles listées
    dans `variables` (par exemple {{ prenom }}, {{ date }}, {{ heure }}, {{ lieu }}, {{ departement }}, et {{ e }},
    la marque du féminin selon la civilité : « attendu{{ e }} » donne « attendue », « attendu » ou « attendu(e) »)."""

    objet = models.CharField("motif", max_length=30, choices=Objet.choices, unique=True)
    sujet = models.CharField("sujet (e-mail et courrier)", max_length=200)
    corps = models.TextField("texte de l'e-mail et du courrier")
    corps_sms = models.CharField(
        "texte du SMS", max_length=320, help_text="Deux SMS au plus (320 caractères une fois les variables remplies)."
    )
    variables = models.CharField("variables disponibles", max_length=300, blank=True, editable=False)
    date_modification = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "modèle de message"
        verbose_name_plural = "modèles de messages"
        ordering = ["objet"]

    def __str__(self):
        return self.get_objet_display()

    def clean(self):
        for champ in ("sujet", "corps", "corps_sms"):
            try:
                MOTEUR_TEXTE.from_string(getattr(self, champ) or "")
            except TemplateSyntaxError as exc:
                raise ValidationError(
                    {champ: f"Ce texte contient une variable ou une balise mal écrite : {exc}"}
                ) from exc


class MessageQuerySet(models.QuerySet):
    def pour(self, objet):
        return self.filter(
            type_destinataire=ContentType.objects.get_for_model(objet, for_concrete_model=True),
            id_destinataire=objet.pk,
        )


class Message(models.Model):
    """Un message à une personne : son texte tel qu'envoyé, son canal et son statut de remise."""

    class Statut(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente d'envoi"
        ENVOYE = "envoye", "Envoyé"
        A_IMPRIMER = "a_imprimer", "Courrier à imprimer"
        ECHEC = "echec", "Échec de l'envoi"
        IMPOSSIBLE = "impossible", "Aucun moyen de joindre la personne"

    cle = models.CharField(
        "clé d'unicité",
        max_length=120,
        unique=True,
        help_text="Un même motif pour un même objet n'est envoyé qu'une fois (tâches rejouées sans doublon).",
    )
    objet = models.CharField("motif", max_length=30, choices=Objet.choices)
    canal = models.CharField("canal", max_length=10, choices=Canal.choices)
    type_destinataire = models.ForeignKey(ContentType, verbose_name="type du destinataire", on_delete=models.PROTECT)
    id_destinataire = models.PositiveBigIntegerField("identifiant du destinataire")
    destinataire = GenericForeignKey("type_destinataire", "id_destinataire")
    adresse = models.CharField(
        "adresse d'envoi", max_length=300, blank=True, help_text="E-mail, numéro mobile ou adresse postale."
    )
    sujet = models.CharField("sujet", max_length=200)
    corps = models.TextField("texte")
    statut = models.CharField("statut", max_length=12, choices=Statut.choices, default=Statut.EN_ATTENTE)
    detail = models.CharField("détail du statut", max_length=300, blank=True)
    tentatives = models.PositiveSmallIntegerField("tentatives d'envoi", default=0)
    demande_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="demandé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    date_creation = models.DateTimeField("créé le", auto_now_add=True)
    date_envoi = models.DateTimeField("envoyé le", null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = "message envoyé"
        verbose_name_plural = "messages envoyés"
        ordering = ["-date_creation", "-pk"]
        indexes = [models.Index(fields=["type_destinataire", "id_destinataire"], name="message_destinataire_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(statut="envoye", date_envoi__isnull=True),
                name="message_envoye_a_une_date",
                violation_error_message="Un message envoyé porte sa date d'envoi.",
            ),
        ]

    def __str__(self):
        return f"{self.get_objet_display()} ({self.get_canal_display()}, {self.get_statut_display()})"

    def get_absolute_url(self):
        return reverse("commun:message_courrier", args=[self.pk]) if self.canal == Canal.COURRIER else None


class Progression(models.Model):
    """L'avancement d'une tâche longue (un import de fichier) pour l'utilisateur qui l'a lancée."""

    class Etat(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente"
        EN_COURS = "en_cours", "En cours"
        TERMINEE = "terminee", "Terminée"
        ECHEC = "echec", "Échouée"

    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="lancée par", on_delete=models.CASCADE, related_name="progressions"
    )
    libelle = models.CharField("tâche", max_length=200)
    etat = models.CharField("état", max_length=10, choices=Etat.choices, default=Etat.EN_ATTENTE)
    fait = models.PositiveIntegerField("éléments traités", default=0)
    total = models.PositiveIntegerField("éléments à traiter", default=0)
    resultat = models.CharField("résultat", max_length=500, blank=True)
    url_resultat = models.CharField("page du résultat", max_length=300, blank=True)
    date_creation = models.DateTimeField("lancée le", auto_now_add=True)
    date_modification = models.DateTimeField("mise à jour le", auto_now=True)

    class Meta:
        verbose_name = "avancement d'une tâche"
        verbose_name_plural = "avancements des tâches"
        ordering = ["-date_creation", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fait__lte=models.F("total")),
                name="progression_fait_au_plus_total",
                violation_error_message="Le nombre d'éléments traités ne peut dépasser le total.",
            ),
        ]

    def __str__(self):
        return f"{self.libelle} ({self.get_etat_display()})"

    def get_absolute_url(self):
        return reverse("commun:progression", args=[self.pk])

    @property
    def pourcentage(self):
        if self.etat == self.Etat.TERMINEE:
            return 100
        return int(100 * self.fait / self.total) if self.total else 0

    @property
    def finie(self):
        return self.etat in (self.Etat.TERMINEE, self.Etat.ECHEC)


class VersionCache(models.Model):
    """La version des données d'un espace (une application du projet) : voir commun/versions.py."""

    espace = models.CharField("espace", max_length=100, primary_key=True)
    valeur = models.BigIntegerField("valeur", default=1)

    class Meta:
        verbose_name = "version des données en cache"
        verbose_name_plural = "versions des données en cache"

    def __str__(self):
        return f"{self.espace} : {self.valeur}"

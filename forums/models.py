"""Forums de l'emploi : un forum par métier et par bassin, ses exposants (employeurs), leurs offres,
et la participation des bénéficiaires (invitation, inscription dans la limite des places, pointage le jour J,
entretiens et embauches)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from beneficiaires.models import Beneficiaire
from commun.chargement import ChargementRapide
from commun.francais import compte
from referentiel.models import Commune, Structure


class Secteur(models.TextChoices):
    PROPRETE = "proprete", "Métiers de la propreté"
    AIDE_PERSONNE = "aide_personne", "Aide à la personne et services à domicile"
    BTP = "btp", "Bâtiment et travaux publics"
    LOGISTIQUE = "logistique", "Transport et logistique"
    HOTELLERIE = "hotellerie", "Hôtellerie, restauration"
    COMMERCE = "commerce", "Commerce et vente"
    AGRICULTURE = "agriculture", "Agriculture, espaces verts"
    INDUSTRIE = "industrie", "Industrie"
    SANTE_SOCIAL = "sante_social", "Santé et action sociale"
    MULTI = "multi", "Tous secteurs"


class TypeContrat(models.TextChoices):
    CDI = "cdi", "CDI"
    CDD_LONG = "cdd_6_mois", "CDD de 6 mois ou plus"
    CDD_COURT = "cdd_court", "CDD de moins de 6 mois"
    INTERIM = "interim", "Intérim"
    CONTRAT_AIDE = "contrat_aide", "Contrat aidé (CUI-CAE / PEC)"
    ALTERNANCE = "alternance", "Alternance (apprentissage, professionnalisation)"
    AUTRE = "autre", "Autre"


class ForumQuerySet(models.QuerySet):
    def visibles_par(self, user):
        """Les forums sont consultés par l'administration, le pilotage et les référents (qui y invitent)."""
        if not user.is_authenticated:
            return self.none()
        if user.voit_tout or user.est_referent:
            return self
        return self.none()

    def avec_lieu(self):
        return self.select_related("commune__bassin_emploi")


class Forum(ChargementRapide, models.Model):
    class Statut(models.TextChoices):
        EN_PREPARATION = "preparation", "En préparation"
        INSCRIPTIONS_OUVERTES = "inscriptions", "Inscriptions ouvertes"
        TENU = "tenu", "Tenu"
        CLOS = "clos", "Clos"

    # Transitions permises : {statut actuel: statuts suivants}.
    TRANSITIONS = {
        Statut.EN_PREPARATION: (Statut.INSCRIPTIONS_OUVERTES,),
        Statut.INSCRIPTIONS_OUVERTES: (Statut.EN_PREPARATION, Statut.TENU),
        Statut.TENU: (Statut.CLOS,),
        Statut.CLOS: (),
    }

    titre = models.CharField("titre", max_length=200)
    secteur = models.CharField("secteur professionnel", max_length=20, choices=Secteur.choices)
    date = models.DateField("date")
    heure_debut = models.TimeField("heure de début")
    heure_fin = models.TimeField("heure de fin")
    adresse = models.CharField("adresse", max_length=250, help_text="Salle, numéro et rue.")
    commune = models.ForeignKey(Commune, verbose_name="commune", on_delete=models.PROTECT, related_name="forums")
    capacite = models.PositiveIntegerField(
        "capacité d'accueil", help_text="Nombre de places : inscrits et présents ne le dépassent jamais."
    )
    delai_liberation = models.PositiveSmallIntegerField(
        "places des inscrits retenues pendant (minutes)",
        null=True,
        blank=True,
        help_text=(
            "Le jour du forum, passé ce délai après l'heure de début, un inscrit pas encore arrivé ne retient plus "
            "sa place : elle peut aller à une personne en liste d'attente ou invitée. Vide : réglage par défaut."
        ),
    )
    statut = models.CharField(
        "statut", max_length=15, choices=Statut.choices, default=Statut.EN_PREPARATION, db_index=True
    )
    description = models.TextField("présentation", blank=True, max_length=3000)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forums_crees",
    )
    date_creation = models.DateTimeField("créé le", auto_now_add=True)

    history = HistoricalRecords()
    objects = ForumQuerySet.as_manager()

    class Meta:
        verbose_name = "forum"
        verbose_name_plural = "forums"
        ordering = ["-date", "titre", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(heure_fin__gt=models.F("heure_debut")),
                name="forum_heures_ordonnees",
                violation_error_message="L'heure de fin doit suivre l'heure de début.",
            ),
            models.CheckConstraint(
                condition=Q(capacite__gte=1),
                name="forum_capacite_positive",
                violation_error_message="La capacité d'accueil est d'au moins une place.",
            ),
            models.CheckConstraint(
                condition=Q(statut__in=["preparation", "inscriptions", "tenu", "clos"]),
                name="forum_statut_valide",
                violation_error_message="Statut de forum inconnu.",
            ),
        ]

    def __str__(self):
        return f"{self.titre} ({self.date:%d/%m/%Y})"

    def get_absolute_url(self):
        return reverse("forums:detail", args=[self.pk])

    @property
    def bassin(self):
        return self.commune.bassin_emploi

    def transitions_possibles(self):
        return [self.Statut(s) for s in self.TRANSITIONS[self.Statut(self.statut)]]

    @property
    def accepte_invitations(self):
        return self.statut in (self.Statut.EN_PREPARATION, self.Statut.INSCRIPTIONS_OUVERTES)

    @property
    def delai_liberation_effectif(self):
        if self.delai_liberation is not None:
            return self.delai_liberation
        return settings.FORUM_DELAI_LIBERATION_MINUTES

    def heure_liberation(self):
        """Instant (aware) à partir duquel les inscrits pas encore arrivés ne retiennent plus leur place."""
        debut = timezone.make_aware(datetime.datetime.combine(self.date, self.heure_debut))
        return debut + datetime.timedelta(minutes=self.delai_liberation_effectif)

    def places_retenues_expirees(self, maintenant):
        """Vrai le jour du forum, une fois le délai de retenue passé."""
        return timezone.localdate(maintenant) == self.date and maintenant >= self.heure_liberation()

    def pointage_ouvert(self, jour):
        """Le pointage est ouvert le jour du forum (inscriptions encore ouvertes) et une fois le forum tenu (jamais
        avant la date : un forum ne se déclare tenu qu'à partir de sa date). Entretiens et embauches se saisissent
        dans la même fenêtre."""
        if self.statut == self.Statut.TENU:
            return True
        return self.statut == self.Statut.INSCRIPTIONS_OUVERTES and jour == self.date


class Exposant(models.Model):
    forum = models.ForeignKey(Forum, verbose_name="forum", on_delete=models.CASCADE, related_name="exposants")
    structure = models.ForeignKey(
        Structure, verbose_name="employeur", on_delete=models.PROTECT, related_name="participations_forums"
    )
    stand = models.CharField("stand", max_length=50, blank=True)
    contact_nom = models.CharField("personne à contacter", max_length=150, blank=True)
    contact_telephone = models.CharField("téléphone du contact", max_length=20, blank=True)
    contact_email = models.EmailField("e-mail du contact", blank=True)

    class Meta:
        verbose_name = "exposant"
        verbose_name_plural = "exposants"
        ordering = ["structure__nom", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "structure"],
                name="exposant_unique_par_forum",
                violation_error_message="Cet employeur expose déjà à ce forum.",
            ),
        ]

    def __str__(self):
        return f"{self.structure}" + (f" — stand {self.stand}" if self.stand else "")

    def get_absolute_url(self):
        return reverse("forums:exposant_resultats", args=[self.forum_id, self.pk])


class OffreEmploi(ChargementRapide, models.Model):
    exposant = models.ForeignKey(Exposant, verbose_name="exposant", on_delete=models.CASCADE, related_name="offres")
    intitule = models.CharField("intitulé du poste", max_length=200)
    type_contrat = models.CharField("type de contrat", max_length=15, choices=TypeContrat.choices)
    nombre_postes = models.PositiveSmallIntegerField("nombre de postes", default=1)

    class Meta:
        verbose_name = "offre d'emploi"
        verbose_name_plural = "offres d'emploi"
        ordering = ["exposant", "intitule", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nombre_postes__gte=1),
                name="offre_au_moins_un_poste",
                violation_error_message="Une offre compte au moins un poste.",
            ),
        ]

    def __str__(self):
        return f"{self.intitule} ({self.get_type_contrat_display()}, {compte(self.nombre_postes, 'poste')})"


class StatutParticipation(models.TextChoices):
    INVITE = "invite", "Invité"
    INSCRIT = "inscrit", "Inscrit"
    ATTENTE = "attente", "Liste d'attente"
    PRESENT = "present", "Présent"
    ABSENT = "absent", "Absent"
    EXCUSE = "excuse", "Excusé"


# Statuts qui occupent une place du forum.
STATUTS_OCCUPANT_UNE_PLACE = (StatutParticipation.INSCRIT, StatutParticipation.PRESENT)


class ParticipationQuerySet(models.QuerySet):
    def visibles_par(self, user):
        """Les participations des personnes du périmètre de l'utilisateur (référent : ses bassins)."""
        if not user.is_authenticated:
            return self.none()
        if user.voit_tout:
            return self
        if user.est_referent:
            return self.filter(beneficiaire__commune__bassin_emploi__in=user.bassins_du_perimetre())
        if user.est_prestataire:
            return self.filter(beneficiaire__in=Beneficiaire.objects.visibles_par(user).values("pk"))
        return self.none()

    def occupant_une_place(self):
        return self.filter(statut__in=STATUTS_OCCUPANT_UNE_PLACE)


class Participation(ChargementRapide, models.Model):
    Statut = StatutParticipation

    beneficiaire = models.ForeignKey(
        Beneficiaire, verbose_name="bénéficiaire", on_delete=models.PROTECT, related_name="participations_forums"
    )
    forum = models.ForeignKey(Forum, verbose_name="forum", on_delete=models.PROTECT, related_name="participations")
    statut = models.CharField("statut", max_length=10, choices=StatutParticipation.choices, db_index=True)
    rang_attente = models.PositiveIntegerField(
        "rang sur la liste d'attente", null=True, blank=True, help_text="1 = premier appelé quand une place se libère."
    )
    sur_place = models.BooleanField(
        "venu sans inscription", default=False, help_text="Personne accueillie le jour même sans inscription."
    )
    date_invitation = models.DateTimeField("invité le", null=True, blank=True)
    invite_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="invité par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations_forums",
    )
    date_inscription = models.DateTimeField("inscrit le", null=True, blank=True)
    date_pointage = models.DateTimeField("pointé présent le", null=True, blank=True)
    entretiens = models.ManyToManyField(
        Exposant,
        verbose_name="entretiens avec",
        through="Entretien",
        related_name="participations_entretien",
        blank=True,
    )
    embauche_par = models.ForeignKey(
        Exposant,
        verbose_name="embauché par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="embauches",
    )
    embauche_type_contrat = models.CharField(
        "type de contrat de l'embauche", max_length=15, choices=TypeContrat.choices, blank=True
    )
    embauche_date_debut = models.DateField("début du contrat", null=True, blank=True)
    date_modification = models.DateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords()
    objects = ParticipationQuerySet.as_manager()

    class Meta:
        verbose_name = "participation"
        verbose_name_plural = "participations"
        ordering = ["forum", "beneficiaire__nom", "beneficiaire__prenoms", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiaire", "forum"],
                name="participation_unique_par_forum",
                violation_error_message="Cette personne figure déjà parmi les participants de ce forum.",
            ),
            models.UniqueConstraint(
                fields=["forum", "rang_attente"],
                condition=Q(rang_attente__isnull=False),
                name="participation_rang_attente_unique",
                violation_error_message="Ce rang de la liste d'attente est déjà attribué.",
            ),
            models.CheckConstraint(
                condition=Q(statut="attente", rang_attente__isnull=False)
                | (~Q(statut="attente") & Q(rang_attente__isnull=True)),
                name="participation_rang_si_attente",
                violation_error_message="Seule une personne en liste d'attente a un rang d'attente, et elle en a un.",
            ),
            models.CheckConstraint(
                condition=Q(sur_place=False) | Q(statut="present"),
                name="participation_sur_place_present",
                violation_error_message="Une personne venue sans inscription est présente.",
            ),
            models.CheckConstraint(
                condition=~Q(statut="present") | Q(date_pointage__isnull=False),
                name="participation_presence_pointee",
                violation_error_message="Une personne présente a une heure de pointage.",
            ),
            models.CheckConstraint(
                condition=Q(embauche_par__isnull=True, embauche_type_contrat="", embauche_date_debut__isnull=True)
                | (Q(embauche_par__isnull=False, embauche_date_debut__isnull=False) & ~Q(embauche_type_contrat="")),
                name="participation_embauche_complete",
                violation_error_message="Une embauche indique l'employeur, le type de contrat et la date de début.",
            ),
            models.CheckConstraint(
                condition=Q(embauche_par__isnull=True) | Q(statut="present"),
                name="participation_embauche_si_present",
                violation_error_message="Seule une personne présente au forum peut y être embauchée.",
            ),
        ]
        indexes = [models.Index(fields=["forum", "statut"], name="participation_forum_statut_idx")]

    def __str__(self):
        return f"{self.beneficiaire} — {self.forum}"

    def get_absolute_url(self):
        return reverse("forums:participation", args=[self.pk])

    @property
    def occupe_une_place(self):
        return self.statut in STATUTS_OCCUPANT_UNE_PLACE


class Entretien(ChargementRapide, models.Model):
    """Un entretien d'une personne présente avec un exposant du forum (saisi après le forum)."""

    participation = models.ForeignKey(
        Participation, verbose_name="participation", on_delete=models.CASCADE, related_name="entretiens_menes"
    )
    exposant = models.ForeignKey(Exposant, verbose_name="exposant", on_delete=models.PROTECT, related_name="entretiens")
    saisi_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="saisi par", on_delete=models.PROTECT, related_name="+"
    )
    date_saisie = models.DateTimeField("saisi le", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "entretien"
        verbose_name_plural = "entretiens"
        ordering = ["exposant", "participation", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "exposant"],
                name="entretien_unique",
                violation_error_message="Cet entretien est déjà enregistré.",
            ),
        ]

    def __str__(self):
        return f"Entretien de {self.participation.beneficiaire} avec {self.exposant.structure}"


# Définitions des résultats, partagées par la page du forum, les listes et les indicateurs du tableau de bord.
Q_INVITEE = Q(date_invitation__isnull=False)
Q_INSCRITE = Q(statut__in=("inscrit", "present", "absent"), sur_place=False)
Q_PRESENTE = Q(statut="present")
Q_PRESENTE_INSCRITE = Q(statut="present", sur_place=False)
Q_EMBAUCHEE = Q(embauche_par__isnull=False)
Q_ENTRETIEN = Q(entretiens_menes__isnull=False)

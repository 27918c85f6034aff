from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from stdnum.fr import siret as stdnum_siret

from commun.francais import COLLATION


class BassinEmploi(models.Model):
    nom = models.CharField("nom", max_length=100, unique=True, db_collation=COLLATION)
    code = models.SlugField("code", max_length=50, unique=True)

    class Meta:
        verbose_name = "bassin d'emploi"
        verbose_name_plural = "bassins d'emploi"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class CommuneQuerySet(models.QuerySet):
    def avec_bassin(self):
        return self.select_related("bassin_emploi")


class Commune(models.Model):
    code_insee = models.CharField(
        "code INSEE",
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^(\d{5}|2[AB]\d{3})$", "Le code INSEE comporte 5 caractères (ex. 45234).")],
    )
    nom = models.CharField("nom", max_length=150, db_index=True, db_collation=COLLATION)
    # Texte sans limite : Paris a 21 codes postaux, d'autres communes une dizaine.
    codes_postaux = models.TextField(
        "codes postaux", help_text="Séparés par des espaces ou des virgules s'il y en a plusieurs."
    )
    population = models.PositiveIntegerField("population", default=0)
    departement = models.CharField("département", max_length=3)
    epci_siren = models.CharField("SIREN de l'EPCI", max_length=9, blank=True)
    epci_nom = models.CharField("EPCI", max_length=200, blank=True)
    bassin_emploi = models.ForeignKey(
        BassinEmploi, verbose_name="bassin d'emploi", on_delete=models.PROTECT, related_name="communes"
    )

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        verbose_name_plural = "communes"
        ordering = ["nom"]

    def __str__(self):
        return f"{self.nom} ({self.code_insee})"

    def liste_codes_postaux(self):
        return [c for c in self.codes_postaux.replace(",", " ").split() if c]


def valider_siret(valeur):
    if not stdnum_siret.is_valid(valeur):
        raise ValidationError(
            "Le SIRET « %(valeur)s » n'est pas valide (14 chiffres et clé de contrôle).",
            params={"valeur": valeur},
            code="siret_invalide",
        )


class Structure(models.Model):
    class Type(models.TextChoices):
        COMMUNE = "commune", "Commune"
        EPCI = "epci", "EPCI (intercommunalité)"
        PUBLIC = "public", "Autre personne morale de droit public"
        ASSOCIATION = "association", "Association"
        SERVICE_PUBLIC = "service_public", "Organisme privé chargé d'une mission de service public"
        ENTREPRISE = "entreprise", "Entreprise"
        PRESTATAIRE = "prestataire", "Prestataire de placement"
        PARTENAIRE = "partenaire", "Partenaire associatif (mobilité)"

    TYPES_NON_MARCHANDS = {Type.COMMUNE, Type.EPCI, Type.PUBLIC, Type.ASSOCIATION, Type.SERVICE_PUBLIC, Type.PARTENAIRE}

    class Secteur(models.TextChoices):
        NON_MARCHAND = "non_marchand", "Non marchand"
        MARCHAND = "marchand", "Marchand"

    nom = models.CharField("raison sociale", max_length=200, db_collation=COLLATION)
    type = models.CharField("type", max_length=20, choices=Type.choices)
    secteur = models.CharField("secteur", max_length=20, choices=Secteur.choices)
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[valider_siret])
    commune = models.ForeignKey(
        Commune, verbose_name="commune", on_delete=models.PROTECT, null=True, blank=True, related_name="structures"
    )
    adresse = models.CharField("adresse", max_length=250, blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("e-mail", blank=True)
    active = models.BooleanField("active", default=True)

    class Meta:
        verbose_name = "structure"
        verbose_name_plural = "structures"
        ordering = ["nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["siret"],
                condition=~models.Q(siret=""),
                name="structure_siret_unique",
                violation_error_message="Une structure porte déjà ce SIRET.",
            ),
            models.CheckConstraint(
                condition=~models.Q(type="entreprise", secteur="non_marchand"),
                name="structure_entreprise_marchande",
                violation_error_message="Une entreprise relève du secteur marchand.",
            ),
        ]

    def __str__(self):
        return self.nom

    @property
    def est_non_marchande(self):
        return self.secteur == self.Secteur.NON_MARCHAND

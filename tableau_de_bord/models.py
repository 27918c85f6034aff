"""Données propres au tableau de bord : les cibles (Objectif) et les chiffres clés saisis (budget RSA, repères).

Les indicateurs eux-mêmes ne sont pas stockés : chaque application les calcule (voir registre.py).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from referentiel.models import BassinEmploi


class Objectif(models.Model):
    """La cible d'un indicateur pour une année, pour tout le Département ou pour un bassin."""

    annee = models.PositiveSmallIntegerField(
        "année", validators=[MinValueValidator(2000), MaxValueValidator(2100)], db_index=True
    )
    code = models.CharField(
        "indicateur",
        max_length=80,
        help_text="Code de l'indicateur (ex. « placement_entrees »), parmi ceux que déclarent les applications.",
    )
    bassin = models.ForeignKey(
        BassinEmploi,
        verbose_name="bassin d'emploi",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objectifs",
        help_text="Vide : cible pour tout le Département.",
    )
    valeur = models.DecimalField("valeur cible", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    commentaire = models.CharField("source ou commentaire", max_length=250, blank=True)

    class Meta:
        verbose_name = "objectif"
        verbose_name_plural = "objectifs"
        ordering = ["-annee", "code", "bassin__nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["annee", "code", "bassin"],
                name="objectif_annee_code_bassin_unique",
                violation_error_message="Un objectif existe déjà pour cette année, cet indicateur et ce bassin.",
            ),
            models.UniqueConstraint(
                fields=["annee", "code"],
                condition=models.Q(bassin__isnull=True),
                name="objectif_annee_code_departement_unique",
                violation_error_message="Un objectif départemental existe déjà pour cette année et cet indicateur.",
            ),
            models.CheckConstraint(
                condition=models.Q(valeur__gte=0),
                name="objectif_valeur_positive",
                violation_error_message="La valeur cible ne peut pas être négative.",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.annee} — {self.bassin or 'Département'} : {self.valeur}"

    def get_absolute_url(self):
        return reverse("admin:tableau_de_bord_objectif_change", args=[self.pk])

    def clean(self):
        super().clean()
        if self.code:
            from .selecteurs import codes_connus

            connus = codes_connus()
            if connus and self.code not in connus:
                exemples = ", ".join(sorted(connus)[:12])
                raise ValidationError(
                    {
                        "code": f"L'indicateur « {self.code} » n'existe pas. Codes connus : {exemples}"
                        + (" …" if len(connus) > 12 else ".")
                    }
                )


class ChiffreCle(models.Model):
    """Un chiffre de contexte saisi par les administrateurs, daté (budget RSA de l'année, repères du lancement)."""

    class Nature(models.TextChoices):
        BUDGET_RSA = "budget_rsa", "Budget RSA de l'année (€)"
        FOYERS_RSA = "foyers_rsa", "Foyers au RSA (repère)"
        PERSONNES_RSA = "personnes_rsa", "Personnes couvertes par le RSA (repère)"

    nature = models.CharField("nature", max_length=20, choices=Nature.choices)
    date = models.DateField("date de valeur", help_text="Pour un budget : le 1er janvier de l'année concernée.")
    valeur = models.DecimalField("valeur", max_digits=16, decimal_places=2, validators=[MinValueValidator(0)])
    source = models.CharField("source", max_length=250, blank=True)

    class Meta:
        verbose_name = "chiffre clé"
        verbose_name_plural = "chiffres clés (budget RSA, repères)"
        ordering = ["nature", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["nature", "date"],
                name="chiffre_cle_nature_date_unique",
                violation_error_message="Ce chiffre clé est déjà saisi à cette date.",
            ),
            models.CheckConstraint(
                condition=models.Q(valeur__gte=0),
                name="chiffre_cle_valeur_positive",
                violation_error_message="Un chiffre clé ne peut pas être négatif.",
            ),
        ]

    def __str__(self):
        return f"{self.get_nature_display()} au {self.date:%d/%m/%Y} : {self.valeur}"

    def get_absolute_url(self):
        return reverse("admin:tableau_de_bord_chiffrecle_change", args=[self.pk])

    @property
    def est_monetaire(self):
        return self.nature == self.Nature.BUDGET_RSA

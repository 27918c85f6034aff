from django import forms

from commun.formulaires import DateInput, FormulaireURL
from comptes.models import Role, User

from .models import HEURES_MAX, HEURES_MIN, HEURES_PLANCHER, TAUX_MAX, ContratAide, MotifRupture
from .services import CHAMPS_BROUILLON, employeurs_possibles, erreurs_dates


def employeurs_non_marchands():
    """Les employeurs que le service accepte (une seule définition : `services.employeurs_possibles`), actifs."""
    return employeurs_possibles().filter(active=True).order_by("nom")


def referents():
    return User.objects.filter(role__in=(Role.REFERENT, Role.ADMINISTRATEUR), is_active=True).order_by(
        "last_name", "first_name"
    )


class DatesPlausiblesMixin:
    """Refuse dès le formulaire les dates absurdes (année hors 1900–2100, fin avant le début, plus de 60 mois) ;
    les services font la même vérification (`services.erreurs_dates`) et les règles complètes."""

    champs_dates = ()

    def clean(self):
        donnees = super().clean()
        dates = {champ: donnees.get(champ) for champ in self.champs_dates if champ in self.fields}
        for champ, message in erreurs_dates(**dates).items():
            if champ in self.fields and champ not in self.errors:
                self.add_error(champ, message)
        return donnees


class ContratBrouillonForm(DatesPlausiblesMixin, forms.ModelForm):
    """Brouillon de convention : seules les données utiles à la signature sont demandées."""

    class Meta:
        model = ContratAide
        # Les champs qu'accepte le service, et l'employeur (vérifié à part par le service).
        fields = ["employeur", *CHAMPS_BROUILLON]
        widgets = {
            "date_debut": DateInput(),
            "date_fin": DateInput(),
            "motif_heures_reduites": forms.Textarea(attrs={"rows": 2}),
            "actions_accompagnement": forms.Textarea(attrs={"rows": 3}),
            "actions_formation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employeur"].queryset = employeurs_non_marchands()
        self.fields["lieu_travail"].queryset = self.fields["lieu_travail"].queryset.order_by("nom")
        self.fields["referent"].queryset = referents()
        self.fields["heures_hebdomadaires"].help_text = (
            f"De {HEURES_MIN} à {HEURES_MAX} heures ; moins de {HEURES_MIN} heures si les difficultés particulières "
            "de la personne le justifient."
        )
        self.fields["lieu_travail"].help_text = "Par défaut, la commune de l'employeur."
        self.fields["taux_aide_etat"].help_text = f"Fixé par arrêté du préfet de région, au plus {TAUX_MAX} %."

    champs_dates = ("date_debut", "date_fin")

    def _post_clean(self):
        # Les règles sont vérifiées par les services ; les contraintes du modèle aussi (full_clean).
        pass


class SignatureForm(DatesPlausiblesMixin, forms.Form):
    champs_dates = ("date_signature",)
    date_signature = forms.DateField(label="date de signature", widget=DateInput())


class JourForm(DatesPlausiblesMixin, forms.Form):
    champs_dates = ("jour",)
    jour = forms.DateField(label="date", widget=DateInput())


class RuptureForm(DatesPlausiblesMixin, forms.Form):
    champs_dates = ("date_rupture",)
    date_rupture = forms.DateField(label="date de rupture", widget=DateInput())
    motif_rupture = forms.ChoiceField(
        label="motif de rupture",
        choices=[("", "—")] + list(MotifRupture.choices),
        help_text="CDI, CDD de 6 mois ou plus et formation qualifiante comptent comme sorties positives.",
    )


class RenouvellementForm(DatesPlausiblesMixin, forms.Form):
    champs_dates = ("date_debut", "date_fin")
    date_debut = forms.DateField(
        label="date de début", widget=DateInput(), required=False, help_text="Par défaut, le lendemain de la fin."
    )
    date_fin = forms.DateField(label="date de fin", widget=DateInput())
    heures_hebdomadaires = forms.DecimalField(
        label="durée hebdomadaire (heures)",
        max_digits=4,
        decimal_places=2,
        min_value=HEURES_PLANCHER,
        max_value=HEURES_MAX,
    )
    motif_heures_reduites = forms.CharField(
        label=f"difficultés particulières justifiant moins de {HEURES_MIN} heures",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    taux_aide_etat = forms.DecimalField(
        label="taux de l'aide de l'État (% du SMIC horaire brut)",
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=TAUX_MAX,
    )


class RechercheBeneficiaireForm(FormulaireURL):
    q = forms.CharField(label="Nom, prénom ou numéro allocataire", required=False, max_length=100)

from django import forms
from django.conf import settings

from commun.formulaires import DateInput
from commun.francais import est_pluriel
from commun.models import Canal
from comptes.models import Role, User
from referentiel.models import Commune

from .importation import CHAMPS, OBLIGATOIRES
from .models import FREINS, Beneficiaire, EtatDroit, Evaluation, Organisme
from .services import CHAMPS_EVALUATION, CHAMPS_PERSONNE, evaluateurs_possibles


def referents_pour(user):
    qs = User.objects.filter(role=Role.REFERENT, is_active=True).order_by("last_name", "first_name")
    if user.est_referent:
        qs = qs.filter(bassins__in=user.bassins.all()).distinct()
    return qs


def communes_pour(user):
    qs = Commune.objects.select_related("bassin_emploi").order_by("nom")
    if user.est_referent:
        qs = qs.filter(bassin_emploi__in=user.bassins.all())
    return qs


class BeneficiaireForm(forms.ModelForm):
    """Création ou modification d'une personne. Le foyer (numéro allocataire) se choisit à la création."""

    numero_allocataire = forms.CharField(label="Numéro allocataire", max_length=20)
    organisme = forms.ChoiceField(label="Organisme payeur", choices=Organisme.choices, initial=Organisme.CAF)
    etat_droit = forms.TypedChoiceField(
        label="État du droit du foyer", choices=EtatDroit.choices, coerce=int, initial=EtatDroit.OUVERT_VERSABLE
    )
    date_ouverture_droit = forms.DateField(label="Date d'ouverture du droit", required=False, widget=DateInput())

    class Meta:
        model = Beneficiaire
        fields = list(CHAMPS_PERSONNE)
        widgets = {"date_naissance": DateInput(), "date_orientation": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes_pour(user)
        self.fields["commune"].required = True  # vide seulement pour une adresse importée à vérifier
        self.fields["referent"].queryset = referents_pour(user)
        self.order_fields(["numero_allocataire", "organisme", "etat_droit", "date_ouverture_droit"])
        # Sans préférence dite, la personne reçoit ses messages par courrier.
        self.fields["canal_prefere"].required = False
        if self.instance.pk:
            foyer = self.instance.foyer
            for champ in ("numero_allocataire", "organisme"):
                self.fields[champ].disabled = True
                self.fields[champ].required = False
            self.initial.update(
                numero_allocataire=foyer.numero_allocataire,
                organisme=foyer.organisme,
                etat_droit=foyer.etat_droit,
                date_ouverture_droit=foyer.date_ouverture_droit,
            )

    def clean_canal_prefere(self):
        return self.cleaned_data.get("canal_prefere") or Canal.COURRIER

    def clean(self):
        donnees = super().clean()
        if donnees.get("canal_prefere") == Canal.SMS and not donnees.get("consentement_sms"):
            self.add_error(
                "consentement_sms",
                "Pas de SMS sans le consentement de la personne : cochez-le ou choisissez un autre canal.",
            )
        if donnees.get("canal_prefere") == Canal.EMAIL and not donnees.get("consentement_email"):
            self.add_error(
                "consentement_email",
                "Pas d'e-mail sans le consentement de la personne : cochez-le ou choisissez un autre canal.",
            )
        return donnees

    def champs_personne(self):
        return {c: self.cleaned_data[c] for c in CHAMPS_PERSONNE if c in self.cleaned_data}


class ReferentForm(forms.Form):
    referent = forms.ModelChoiceField(label="Référent unique", queryset=User.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = referents_pour(user)
        self.fields["referent"].empty_label = "— Aucun référent —"


class EvaluationPlanifierForm(forms.Form):
    date = forms.DateField(label="Date prévue", widget=DateInput())
    heure = forms.TimeField(
        label="Heure du rendez-vous",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Avec l'heure et le lieu, la personne reçoit sa convocation.",
    )
    lieu = forms.CharField(label="Lieu du rendez-vous", required=False, max_length=250)
    evaluateur = forms.ModelChoiceField(label="Évaluateur", queryset=User.objects.none())

    def __init__(self, *args, user, beneficiaire, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluateur"].queryset = evaluateurs_possibles(beneficiaire)
        self.initial.setdefault("evaluateur", user.pk)


class EvaluationRealiserForm(forms.ModelForm):
    """Toutes les rubriques de l'évaluation ; chaque frein se note aucun / léger / fort."""

    class Meta:
        model = Evaluation
        fields = ["evaluateur", *CHAMPS_EVALUATION]
        widgets = {
            "date": DateInput(),
            "metiers_vises": forms.Textarea(attrs={"rows": 3}),
            "synthese": forms.Textarea(attrs={"rows": 4}),
            **{champ: forms.RadioSelect(attrs={"class": "form-check-inline"}) for champ, _ in FREINS},
        }

    def __init__(self, *args, user, beneficiaire, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluateur"].queryset = evaluateurs_possibles(beneficiaire)
        if not self.instance.evaluateur_id:
            self.initial.setdefault("evaluateur", user.pk)

    def champs_evaluation(self):
        return {c: self.cleaned_data[c] for c in CHAMPS_EVALUATION}


class ImportDepotForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier de la liste",
        help_text="CSV (séparateur point-virgule ou virgule, UTF-8 ou Windows) ou classeur Excel .xlsx.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    source = forms.CharField(
        label="Source",
        max_length=100,
        help_text="Le logiciel ou l'organisme qui produit la liste : sa correspondance de colonnes est retenue.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].initial = f"CAF — {settings.DEPARTEMENT_NOM}"[:100]


class CorrespondanceForm(forms.Form):
    """Un choix par colonne du fichier, reconnue ou non : un champ de l'import, ou « ignorer cette colonne »."""

    def __init__(self, *args, colonnes, **kwargs):
        super().__init__(*args, **kwargs)
        choix = [("", "— Ignorer cette colonne —"), *CHAMPS.items()]
        self.colonnes = colonnes  # [(en-tête normalisé, en-tête du fichier, champ retenu ou "")]
        for i, (_cle, libelle, champ) in enumerate(colonnes):
            self.fields[f"colonne_{i}"] = forms.ChoiceField(
                label=f"Colonne « {libelle} »", choices=choix, required=False, initial=champ
            )

    def clean(self):
        donnees = super().clean()
        choisis = [v for k, v in donnees.items() if k.startswith("colonne_") and v]
        doublons = {c for c in choisis if choisis.count(c) > 1}
        if doublons:
            raise forms.ValidationError(
                f"Un même champ est choisi pour plusieurs colonnes : {', '.join(CHAMPS[c] for c in sorted(doublons))}."
            )
        restants = [c for c in OBLIGATOIRES if c not in choisis]
        if restants:
            libelle = "Champs obligatoires" if est_pluriel(len(restants)) else "Champ obligatoire"
            raise forms.ValidationError(f"{libelle} encore sans colonne : {', '.join(CHAMPS[c] for c in restants)}.")
        return donnees

    def correspondances(self):
        return {cle: self.cleaned_data[f"colonne_{i}"] for i, (cle, _l, _c) in enumerate(self.colonnes)}


class RattacherForm(forms.Form):
    commune = forms.CharField(
        label="Commune",
        max_length=200,
        help_text="Code INSEE, ou code postal et nom (ex. « 45000 Orléans »), ou nom seul s'il est unique.",
    )

    def clean_commune(self):
        from referentiel.recherche import IndexCommunes

        saisie = self.cleaned_data["commune"]
        resultat = IndexCommunes().trouver(nom=saisie)
        if resultat.commune is None:
            raise forms.ValidationError(f"Commune non trouvée : {resultat.avertissement}.")
        return resultat.commune


class ReaffectationForm(forms.Form):
    """Choisir des personnes d'un bassin (dans le périmètre de l'utilisateur) et le référent qui les suivra."""

    beneficiaires = forms.ModelMultipleChoiceField(
        label="Personnes à réaffecter", queryset=Beneficiaire.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    referent = forms.ModelChoiceField(label="Nouveau référent", queryset=User.objects.none())

    def __init__(self, *args, personnes, referents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiaires"].queryset = personnes
        self.fields["referent"].queryset = referents
        self.fields["beneficiaires"].error_messages["invalid_choice"] = (
            "Une des personnes choisies n'est plus dans cette liste : rechargez la page."
        )

from django import forms

from commun.formulaires import DateInput, FormulaireURL
from referentiel.models import Commune, Structure

from .models import Exposant, Forum, OffreEmploi, TypeContrat


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ForumForm(forms.ModelForm):
    class Meta:
        model = Forum
        fields = [
            "titre",
            "secteur",
            "date",
            "heure_debut",
            "heure_fin",
            "adresse",
            "commune",
            "capacite",
            "delai_liberation",
            "description",
        ]
        widgets = {"date": DateInput(), "heure_debut": TimeInput(), "heure_fin": TimeInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = Commune.objects.avec_bassin().order_by("nom")


class StatutForm(forms.Form):
    statut = forms.ChoiceField(label="nouveau statut", choices=Forum.Statut.choices)


class ExposantForm(forms.ModelForm):
    class Meta:
        model = Exposant
        fields = ["structure", "stand", "contact_nom", "contact_telephone", "contact_email"]

    def __init__(self, *args, forum, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = (
            Structure.objects.filter(active=True)
            .exclude(type__in=(Structure.Type.PRESTATAIRE,))
            .exclude(participations_forums__forum=forum)
            .order_by("nom")
        )
        self.fields["structure"].label = "employeur"


class OffreForm(forms.ModelForm):
    class Meta:
        model = OffreEmploi
        fields = ["intitule", "type_contrat", "nombre_postes"]


class ParticipantsChoix(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        b = obj.beneficiaire
        return f"{b} — {b.commune.nom if b.commune_id else 'adresse à vérifier'}"


class EntretiensForm(forms.Form):
    participations = ParticipantsChoix(
        label="Personnes reçues en entretien", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, presentes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participations"].queryset = presentes


class ParticipantChoix(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        b = obj.beneficiaire
        return f"{b} — {b.commune.nom if b.commune_id else 'adresse à vérifier'}"


class EmbaucheForm(forms.Form):
    participation = ParticipantChoix(label="Personne embauchée", queryset=None)
    type_contrat = forms.ChoiceField(label="type de contrat", choices=TypeContrat.choices)
    date_debut = forms.DateField(label="début du contrat", widget=DateInput())
    creer_brouillon_contrat = forms.BooleanField(
        label="Préparer un brouillon de contrat aidé (CUI-CAE / PEC) pour cette personne et cet employeur",
        required=False,
    )

    def __init__(self, *args, presentes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participation"].queryset = presentes


class ConfirmationInvitationForm(forms.Form):
    beneficiaires = forms.ModelMultipleChoiceField(
        label="Personnes à inviter", queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, candidats, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiaires"].queryset = candidats


class ActionParticipationForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("inscrire", "Inscrire"),
            ("annuler", "Annuler l'inscription"),
            ("excuser", "Excuser"),
            ("pointer", "Pointer présent"),
        ]
    )


class InscriptionPersonneForm(forms.Form):
    forum = forms.ModelChoiceField(label="forum", queryset=None)
    action = forms.ChoiceField(
        label="action",
        choices=[("inviter", "Inviter (la personne décidera)"), ("inscrire", "Inscrire directement")],
        widget=forms.RadioSelect,
        initial="inviter",
    )

    def __init__(self, *args, forums, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["forum"].queryset = forums


class RechercheForm(FormulaireURL):
    q = forms.CharField(label="Rechercher une personne (nom, prénom, n° allocataire)", required=False, max_length=100)

from django import forms
from django.utils import timezone

from referentiel.models import Structure

from .models import MaintienEmploi, MotifRefus, Suivi, TypeSortie


class ChampDate(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d/%m/%Y"])
        super().__init__(*args, **kwargs)


class OrientationProposerForm(forms.Form):
    lot = forms.ModelChoiceField(
        label="Lot", queryset=None, help_text="Par défaut, le lot qui couvre le bassin de la personne."
    )
    date_proposition = ChampDate(label="Date de l'orientation")
    observations = forms.CharField(
        label="Objet de l'orientation",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ce que la personne attend de l'accompagnement, sans détail de santé.",
    )

    def __init__(self, *args, lots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = lots
        self.fields["date_proposition"].initial = timezone.localdate()
        if len(lots) == 1:
            self.fields["lot"].initial = lots[0].pk


class DateReponseForm(forms.Form):
    date = ChampDate(label="Date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class RefusForm(DateReponseForm):
    motif_refus = forms.ChoiceField(label="Motif du refus", choices=[("", "— choisir un motif —"), *MotifRefus.choices])

    field_order = ["motif_refus", "date"]


class SuiviForm(forms.Form):
    date = ChampDate(label="Date du contact")
    nature = forms.ChoiceField(label="Nature du contact", choices=Suivi.Nature.choices)
    note = forms.CharField(
        label="Note",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Quelques mots, sans détail de santé ni jugement sur la personne.",
    )
    prochaine_etape = forms.CharField(label="Prochaine étape", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class SortieForm(forms.Form):
    type = forms.ChoiceField(label="Type de sortie", choices=[("", "— choisir —"), *TypeSortie.choices])
    date = ChampDate(label="Date de sortie", help_text="Date d'embauche, de début de formation ou de l'événement.")
    employeur = forms.ModelChoiceField(
        label="Employeur",
        queryset=Structure.objects.exclude(type__in=[Structure.Type.PRESTATAIRE]).filter(active=True),
        required=False,
        help_text="Obligatoire pour un CDI, un CDD ou de l'intérim (l'entreprise de travail temporaire).",
    )
    employeur_nom = forms.CharField(
        label="Employeur absent de la liste", max_length=200, required=False, help_text="Sa raison sociale."
    )
    duree_contrat_mois = forms.IntegerField(
        label="Durée prévue du contrat ou des missions (mois)",
        min_value=0,
        max_value=120,
        required=False,
        help_text="Obligatoire pour l'intérim : l'intérim est une sortie durable à partir de 6 mois.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class MaintienForm(forms.Form):
    echeance = forms.TypedChoiceField(label="Échéance", choices=MaintienEmploi.Echeance.choices, coerce=int)
    en_emploi = forms.TypedChoiceField(
        label="La personne est-elle toujours en emploi ?",
        choices=[("oui", "Oui, toujours en emploi"), ("non", "Non, plus en emploi")],
        coerce=lambda v: v == "oui",
        widget=forms.RadioSelect,
    )
    date_constat = ChampDate(label="Date du constat")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_constat"].initial = timezone.localdate()

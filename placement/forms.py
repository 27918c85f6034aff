from django import forms
from django.utils import timezone

from commun.filtres import ChampChoixModele
from commun.formulaires import DateInput
from referentiel.models import Structure

from .justificatifs import taille_max_octets
from .models import Lot, MaintienEmploi, MotifRefus, Suivi, TypeSortie


class ChampLot(ChampChoixModele):
    """Un lot, nommé par son marché et sa période, son numéro, ses bassins et son prestataire."""

    def label_from_instance(self, obj):
        return obj.libelle


class ChampDate(forms.DateField):
    widget = DateInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d/%m/%Y"])
        super().__init__(*args, **kwargs)


class OrientationProposerForm(forms.Form):
    """Le lot est choisi parmi ceux qui couvrent le bassin de la personne et sont en vigueur à la date de
    l'orientation (aujourd'hui par défaut, ou la date saisie) ; celui du bassin est présélectionné."""

    lot = ChampLot(
        label="Lot",
        queryset=Lot.objects.none(),
        help_text="Les lots en vigueur à la date de l'orientation qui couvrent le bassin de la personne.",
        error_messages={
            "invalid_choice": "Ce lot n'est pas en vigueur à la date de l'orientation pour le bassin de la "
            "personne : choisissez parmi les lots proposés."
        },
    )
    date_proposition = ChampDate(label="Date de l'orientation")
    observations = forms.CharField(
        label="Objet de l'orientation",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ce que la personne attend de l'accompagnement, sans détail de santé.",
    )

    field_order = ["date_proposition", "lot", "observations"]

    def __init__(self, *args, bassin, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_proposition"].initial = timezone.localdate()
        self.jour = self._jour_demande()
        lots = list(Lot.objects.couvrant(bassin, self.jour).pour_libelle().order_by("marche__date_debut", "numero"))
        self.lots_en_vigueur = lots
        self.fields["lot"].queryset = Lot.objects.filter(pk__in=[lot.pk for lot in lots]).pour_libelle()
        if len(lots) == 1:
            self.fields["lot"].initial = lots[0].pk

    def _jour_demande(self):
        """La date saisie si elle est valide, sinon aujourd'hui : les lots proposés sont ceux de cette date."""
        if self.is_bound:
            try:
                return self.fields["date_proposition"].clean(self.data.get(self.add_prefix("date_proposition")))
            except forms.ValidationError:
                pass
        return timezone.localdate()


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


class DeclarationResultatForm(forms.Form):
    nature = forms.ChoiceField(label="Résultat", choices=())
    justificatif = forms.FileField(
        label="Justificatif",
        help_text="Contrat de travail, attestation d'entrée en formation, attestation d'emploi à 6 mois : "
        "PDF, PNG ou JPEG.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )

    def __init__(self, *args, natures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nature"].choices = [("", "— choisir —"), *natures]
        mo = taille_max_octets() // (1024 * 1024)
        self.fields["justificatif"].help_text += f" {mo} Mo au plus."


class RejetResultatForm(forms.Form):
    motif_rejet = forms.CharField(
        label="Motif du rejet",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ce qui manque au justificatif ; le prestataire le lit et peut déclarer à nouveau le résultat.",
    )


class PaiementResultatForm(forms.Form):
    date_paiement = ChampDate(label="Date du paiement")
    reference = forms.CharField(label="Référence du mandat ou de la facture", max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_paiement"].initial = timezone.localdate()

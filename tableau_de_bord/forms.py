from datetime import date

from django import forms
from django.utils import timezone

from commun.formulaires import DateInput, EntreesBorneesMixin
from referentiel.models import BassinEmploi

PREMIERE_ANNEE = 2017  # lancement du plan
DUREE_MAX_JOURS = 366 * 10


def annee_par_defaut():
    """L'année civile en cours (fuseau du projet) : le tableau s'ouvre sur aujourd'hui, qu'elle ait des cibles
    ou non (une année sans cible montre ses chiffres sans progression)."""
    return timezone.localdate().year


class FiltreForm(EntreesBorneesMixin, forms.Form):
    """Période (une année, ou des dates de début et de fin) et bassin. Tous les champs sont facultatifs."""

    annee = forms.TypedChoiceField(label="Année", coerce=int, required=False, empty_value=None)
    debut = forms.DateField(
        label="Du",
        required=False,
        widget=DateInput(),
        help_text="Une période précise remplace l'année.",
    )
    fin = forms.DateField(label="Au", required=False, widget=DateInput())
    bassin = forms.ModelChoiceField(
        label="Bassin d'emploi", queryset=BassinEmploi.objects.none(), required=False, empty_label="Tous mes bassins"
    )

    def __init__(self, *args, bassins_visibles, **kwargs):
        super().__init__(*args, **kwargs)
        courante = timezone.localdate().year
        self.fields["annee"].choices = [(a, str(a)) for a in range(courante, PREMIERE_ANNEE - 1, -1)]
        self.fields["bassin"].queryset = bassins_visibles
        self._annee_defaut = None
        if not self.is_bound:
            self.fields["annee"].initial = self.annee_defaut()

    def annee_defaut(self):
        if self._annee_defaut is None:
            self._annee_defaut = annee_par_defaut()
        return self._annee_defaut

    def clean(self):
        donnees = super().clean()
        debut, fin = donnees.get("debut"), donnees.get("fin")
        if bool(debut) != bool(fin):
            champ = "fin" if debut else "debut"
            self.add_error(champ, "Indiquez les deux dates de la période, ou choisissez seulement une année.")
        elif debut and fin:
            if fin < debut:
                self.add_error("fin", "La fin de la période doit suivre son début.")
            elif (fin - debut).days > DUREE_MAX_JOURS:
                self.add_error("fin", "La période ne peut pas dépasser dix ans.")
        return donnees

    def periode(self):
        """(debut, fin) choisis ; à appeler sur un formulaire valide (ou invalide : on retombe sur l'année)."""
        donnees = self.cleaned_data if self.is_valid() else {}
        if donnees.get("debut") and donnees.get("fin"):
            return donnees["debut"], donnees["fin"]
        annee = donnees.get("annee") or self.annee_defaut()
        return date(annee, 1, 1), date(annee, 12, 31)

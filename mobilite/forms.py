from django import forms
from django.utils import timezone
from django_bootstrap5.widgets import RadioSelectButtonGroup

from beneficiaires.models import Beneficiaire, normaliser
from commun.filtres import ChampChoixModele, ListeRapide
from commun.formulaires import DateInput, EntreesBorneesMixin, FormulaireURL
from commun.francais import genre
from referentiel.models import Commune, Structure
from referentiel.selecteurs import bassins

from .models import (
    Carburant,
    ConventionCession,
    Incident,
    Location,
    MotifLocation,
    TypeVehicule,
    Vehicule,
)
from .selecteurs import personnes_au_guichet, remplacants_possibles
from .services import CHAMPS_VEHICULE, TYPES_PARTENAIRE

CHOIX_PERSONNES_MAX = 200


class VehiculeForm(forms.ModelForm):
    class Meta:
        model = Vehicule
        fields = CHAMPS_VEHICULE
        widgets = {
            "date_premiere_immatriculation": DateInput(),
            "date_entree_flotte": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "immatriculation": forms.TextInput(attrs={"autocapitalize": "characters", "placeholder": "AB-123-CD"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partenaire"].queryset = Structure.objects.filter(type__in=TYPES_PARTENAIRE, active=True)
        self.fields["commune"].queryset = Commune.objects.order_by("nom")
        # La normalisation (AB123CD → AB-123-CD) est faite par le service : on ne bloque pas ici sur le format.
        self.fields["immatriculation"].validators = []

    def _post_clean(self):
        # Le service valide (full_clean) et enregistre : la vue ne construit pas l'instance ici.
        pass


class MaintenanceForm(forms.Form):
    debut = forms.DateField(label="Du", widget=DateInput())
    fin = forms.DateField(label="Au (inclus)", widget=DateInput())
    motif = forms.CharField(label="Motif", max_length=200, required=False)


class EnMaintenanceForm(forms.Form):
    en_maintenance = forms.BooleanField(
        label="Immobiliser le véhicule (maintenance sans date de fin connue)", required=False
    )


class DeclasserForm(forms.Form):
    date = forms.DateField(label="Déclassé le", widget=DateInput(), initial=timezone.localdate)


class CederForm(forms.Form):
    convention = forms.ModelChoiceField(
        label="Convention de cession", queryset=ConventionCession.objects.none(), empty_label=None
    )
    date = forms.DateField(label="Cédé le", widget=DateInput(), initial=timezone.localdate)
    kilometrage = forms.IntegerField(label="Kilométrage à la cession", min_value=0)
    valeur_comptable = forms.DecimalField(label="Valeur nette comptable (€)", min_value=0, decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["convention"].queryset = ConventionCession.objects.signees().select_related("partenaire")


class PlanningForm(FormulaireURL):
    """Paramètres du planning de la flotte (URL) : premier jour, nombre de semaines, bassin."""

    SEMAINES_DEFAUT = 4

    debut = forms.DateField(label="À partir du", required=False, widget=DateInput())
    semaines = forms.IntegerField(label="Semaines", min_value=1, max_value=8, required=False, initial=SEMAINES_DEFAUT)
    bassin = ChampChoixModele(label="Bassin d'emploi", queryset=bassins(), required=False, empty_label="Tous")


class CalendrierForm(FormulaireURL):
    """Le mois affiché par le calendrier d'un véhicule (URL : ?mois=aaaa-mm)."""

    mois = forms.DateField(
        label="Mois",
        required=False,
        input_formats=["%Y-%m"],
        error_messages={"invalid": "Indiquez un mois sous la forme aaaa-mm (par exemple 2026-12)."},
    )


class RecherchePersonneForm(FormulaireURL):
    """La recherche d'une personne sur la page de réservation (URL : ?q=...)."""

    q = forms.CharField(label="Chercher la personne", max_length=100, required=False)


class RechercheForm(EntreesBorneesMixin, forms.Form):
    debut = forms.DateField(label="Du", widget=DateInput(), initial=timezone.localdate)
    fin = forms.DateField(label="Au (inclus)", widget=DateInput(), initial=timezone.localdate)
    # Les listes écrites en une passe, comme celles des filtres (commun/filtres.py) : la page est ouverte à chaque
    # recherche du guichet.
    bassin = ChampChoixModele(
        label="Bassin d'emploi",
        queryset=bassins(),
        required=False,
        empty_label="Tous",
        widget=ListeRapide,
    )
    type = forms.ChoiceField(
        label="Type", choices=[("", "Tous")] + TypeVehicule.choices, required=False, widget=ListeRapide
    )

    def clean(self):
        donnees = super().clean()
        debut, fin = donnees.get("debut"), donnees.get("fin")
        if debut and fin and fin < debut:
            self.add_error("fin", "La fin ne peut précéder le début.")
        return donnees


def permis_de(b):
    """Les permis connus de la personne (relevés lors de son évaluation) : seul élément de l'évaluation
    qu'une réservation demande."""
    e = b.evaluation_courante
    if e is None:
        return "permis non renseigné"
    permis = [nom for nom, a in (("B", e.permis_b), ("AM", e.permis_am)) if a]
    return "permis " + " et ".join(permis) if permis else "sans permis"


def libelle_personne(b):
    commune = b.commune.nom if b.commune_id else "adresse à vérifier"
    return f"{b} — {genre('né', b.civilite)} le {b.date_naissance:%d/%m/%Y}, {commune}, {permis_de(b)}"


class ReservationForm(forms.Form):
    beneficiaire = forms.ModelChoiceField(label="Personne", queryset=Beneficiaire.objects.none())
    vehicule = forms.ModelChoiceField(label="Véhicule", queryset=Vehicule.objects.none(), widget=forms.HiddenInput())
    debut = forms.DateField(label="Du", widget=DateInput())
    fin = forms.DateField(
        label="Au (inclus)",
        widget=DateInput(),
        help_text="Une location de quelques heures compte pour une journée : même date de début et de fin.",
    )
    motif = forms.ChoiceField(label="Motif", choices=[("", "—")] + MotifLocation.choices)
    contrat = forms.ModelChoiceField(
        label="Contrat aidé lié", queryset=Location.objects.none(), required=False, empty_label="Aucun"
    )
    forum = forms.ModelChoiceField(
        label="Forum lié", queryset=Location.objects.none(), required=False, empty_label="Aucun"
    )
    notes = forms.CharField(label="Observations", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, user, recherche="", beneficiaire_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        visibles = personnes_au_guichet(user).select_related("commune", "evaluation_courante")
        guichet = user.est_agent_mobilite
        if beneficiaire_id:
            personnes = visibles.filter(pk=beneficiaire_id)
        elif self.is_bound:
            personnes = visibles
        else:
            filtrees = visibles
            for mot in normaliser(recherche).split():
                filtrees = filtrees.filter(recherche__contains=mot)
            if guichet and not normaliser(recherche):
                filtrees = filtrees.none()  # au guichet, tout le Département : on cherche d'abord la personne
            personnes = visibles.filter(pk__in=filtrees.order_by("nom", "prenoms").values("pk")[:CHOIX_PERSONNES_MAX])
        self.fields["beneficiaire"].queryset = personnes.order_by("nom", "prenoms", "pk")
        self.fields["beneficiaire"].label_from_instance = libelle_personne
        self.fields["vehicule"].queryset = Vehicule.objects.all()
        # Contrats et forums : modèles d'autres applications, atteints par la relation (jamais importés).
        contrats = Location._meta.get_field("contrat").related_model.objects.visibles_par(user)
        if beneficiaire_id:
            contrats = contrats.filter(beneficiaire_id=beneficiaire_id)
        self.fields["contrat"].queryset = contrats.select_related("employeur").order_by("-date_debut", "-pk")
        self.fields["contrat"].label_from_instance = lambda c: f"{c.intitule_poste} — {c.employeur}"
        forums = Location._meta.get_field("forum").related_model.objects.visibles_par(user)
        self.fields["forum"].queryset = forums.filter(date__gte=timezone.localdate()).order_by("date", "pk")
        if guichet:
            # L'agent mobilité ne voit pas les autres axes : ni contrat aidé, ni forum.
            del self.fields["contrat"], self.fields["forum"]
        elif not beneficiaire_id and not self.is_bound:
            # Sans personne choisie, on ne liste pas les contrats de tout un bassin.
            self.fields["contrat"].queryset = contrats.none()
            self.fields[
                "contrat"
            ].help_text = "Ouvrez la réservation depuis la fiche de la personne pour lier son contrat."


class DeplacerForm(forms.Form):
    vehicule = forms.ModelChoiceField(label="Véhicule de remplacement", queryset=Vehicule.objects.none())

    def __init__(self, *args, location, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vehicule"].queryset = remplacants_possibles(location)
        self.fields["vehicule"].error_messages["invalid_choice"] = (
            "Ce véhicule n'est plus libre sur la période de la réservation, ou n'est pas du même type."
        )


class AnnulerForm(forms.Form):
    motif = forms.CharField(label="Motif de l'annulation", max_length=200, required=False)


class CarburantWidget(RadioSelectButtonGroup):
    """Groupe de gros boutons : utilisable au doigt sur une tablette ; le groupe porte le nom du champ."""

    template_name = "mobilite/widgets/boutons_radio.html"


class DepartForm(forms.Form):
    kilometrage = forms.IntegerField(
        label="Kilométrage au compteur", min_value=0, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    carburant = forms.TypedChoiceField(
        label="Niveau de carburant",
        choices=Carburant.choices,
        coerce=int,
        widget=CarburantWidget(attrs={"aria_label": "Niveau de carburant"}),
    )
    etat = forms.CharField(
        label="État du véhicule (rayures, propreté, accessoires)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class RetourForm(DepartForm):
    date_retour = forms.DateField(label="Rendu le", widget=DateInput(), initial=timezone.localdate)
    incident = forms.ChoiceField(
        label="Incident",
        choices=Incident.choices,
        required=False,
        widget=CarburantWidget(attrs={"aria_label": "Incident"}),
    )
    montant_du = forms.DecimalField(
        label="Montant dû pour l'incident (€)",
        min_value=0,
        decimal_places=2,
        initial=0,
        required=False,
        help_text="Dégât ou amende. Le retard et le carburant manquant sont calculés d'après le tarif.",
    )

    field_order = ["date_retour", "kilometrage", "carburant", "etat", "incident", "montant_du"]


class ConventionForm(forms.ModelForm):
    class Meta:
        model = ConventionCession
        fields = ["partenaire", "objet", "debut", "fin", "modalites"]
        widgets = {"debut": DateInput(), "fin": DateInput(), "modalites": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partenaire"].queryset = Structure.objects.filter(type__in=TYPES_PARTENAIRE, active=True)

    def _post_clean(self):
        pass


class SignerForm(forms.Form):
    date_signature = forms.DateField(label="Signée le", widget=DateInput(), initial=timezone.localdate)


__all__ = [
    "AnnulerForm",
    "CederForm",
    "ConventionForm",
    "DeclasserForm",
    "DepartForm",
    "EnMaintenanceForm",
    "Location",
    "MaintenanceForm",
    "RechercheForm",
    "ReservationForm",
    "RetourForm",
    "SignerForm",
    "VehiculeForm",
]

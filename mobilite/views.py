import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from commun.exports import ExportMixin
from commun.formulaires import VueService
from commun.lecture import PageDeLectureMixin
from commun.liens import adresse_fixe, adresse_par_cle, adresses_d_une_requete
from comptes.acces import RoleRequisMixin
from comptes.models import Role
from comptes.services import consultation_journaliser
from referentiel.models import BassinEmploi

from . import services
from .filters import ConventionFilter, LocationFilter, VehiculeFilter
from .forms import (
    AnnulerForm,
    CalendrierForm,
    CederForm,
    ConventionForm,
    DeclasserForm,
    DepartForm,
    DeplacerForm,
    EnMaintenanceForm,
    MaintenanceForm,
    PlanningForm,
    RechercheForm,
    RecherchePersonneForm,
    ReservationForm,
    RetourForm,
    SignerForm,
    VehiculeForm,
)
from .models import (
    Cession,
    ConventionCession,
    Location,
    StatutLocation,
    StatutVehicule,
    TypeVehicule,
    Vehicule,
    jours_factures,
    montant_location,
)
from .selecteurs import (
    calendrier_mois,
    conventions_avec_cessions,
    personnes_au_guichet,
    planning_flotte,
    reservations_a_venir,
    vehicules_libres,
)
from .tables import ConventionTable, LocationTable, VehiculeTable

A, P, R, M = Role.ADMINISTRATEUR, Role.PILOTAGE, Role.REFERENT, Role.AGENT_MOBILITE
LECTURE = (A, P, R, M)  # flotte et locations (les locations filtrées par visibles_par)
GESTION_FLOTTE = (A, M)  # flotte, remises et retours, cessions
RESERVATION = (A, R, M)  # réserver, annuler une réservation
CESSIONS_LECTURE = (A, P, M)


class DroitsMixin:
    """Ce que le rôle peut faire, pour afficher seulement les boutons utiles."""

    def get_context_data(self, **kwargs):
        user = self.request.user
        kwargs.setdefault("peut_gerer_flotte", user.a_role(*GESTION_FLOTTE))
        kwargs.setdefault("peut_reserver", user.a_role(*RESERVATION))
        return super().get_context_data(**kwargs)


class ServiceFormView(RoleRequisMixin, DroitsMixin, VueService):
    """Formulaire qui appelle un service, pour les rôles de la mobilité."""


# --- Flotte -------------------------------------------------------------------------------------------------


class VehiculeListeView(RoleRequisMixin, DroitsMixin, ExportMixin, SingleTableMixin, FilterView):
    roles = LECTURE
    template_name = "mobilite/vehicule_liste.html"
    table_class = VehiculeTable
    filterset_class = VehiculeFilter
    paginate_by = 50
    donnees_personnelles = False
    export_name = "vehicules"

    def get_queryset(self):
        return (
            Vehicule.objects.visibles_par(self.request.user)
            .select_related("commune__bassin_emploi", "partenaire")
            .order_by("immatriculation")
        )


class VehiculeMixin(RoleRequisMixin, DroitsMixin):
    @cached_property
    def vehicule(self):
        qs = Vehicule.objects.visibles_par(self.request.user).select_related("commune__bassin_emploi", "partenaire")
        return get_object_or_404(qs, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(vehicule=self.vehicule, **kwargs)


class VehiculeDetailView(RoleRequisMixin, DroitsMixin, DetailView):
    roles = LECTURE
    template_name = "mobilite/vehicule_detail.html"
    context_object_name = "vehicule"

    def get_queryset(self):
        return Vehicule.objects.visibles_par(self.request.user).select_related(
            "commune__bassin_emploi", "partenaire", "cession__convention__partenaire"
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        v = self.object
        aujourdhui = timezone.localdate()
        visibles = Location.objects.visibles_par(self.request.user)
        ctx["locations"] = (
            visibles.filter(vehicule=v, fin__gte=aujourdhui - datetime.timedelta(days=30))
            .actives()
            .select_related("beneficiaire")
            .order_by("debut")[:20]
        )
        ctx["maintenances"] = v.maintenances.filter(fin__gte=aujourdhui).order_by("debut")
        ctx["peut_gerer"] = self.request.user.a_role(*GESTION_FLOTTE)
        ctx["peut_reserver"] = self.request.user.a_role(*RESERVATION) and v.reservable
        ctx["cession"] = getattr(v, "cession", None) if v.statut == StatutVehicule.CEDE else None
        return ctx


class VehiculeCreerView(ServiceFormView):
    roles = GESTION_FLOTTE
    template_name = "mobilite/vehicule_form.html"
    form_class = VehiculeForm
    message_succes = "Véhicule ajouté à la flotte."

    def executer(self, form):
        return services.vehicule_creer(par=self.request.user, **form.cleaned_data)


class VehiculeModifierView(VehiculeMixin, ServiceFormView):
    roles = GESTION_FLOTTE
    template_name = "mobilite/vehicule_form.html"
    form_class = VehiculeForm
    message_succes = "Fiche du véhicule mise à jour."

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.vehicule
        return kwargs

    def executer(self, form):
        return services.vehicule_modifier(vehicule=self.vehicule, par=self.request.user, **form.cleaned_data)


class MaintenancePlanifierView(VehiculeMixin, ServiceFormView):
    roles = GESTION_FLOTTE
    template_name = "mobilite/action_vehicule.html"
    form_class = MaintenanceForm
    message_succes = "Période de maintenance planifiée : le véhicule ne peut pas être réservé sur ces dates."
    titre = "Planifier une maintenance"

    def executer(self, form):
        services.maintenance_planifier(vehicule=self.vehicule, par=self.request.user, **form.cleaned_data)
        return self.vehicule

    def get_context_data(self, **kwargs):
        return super().get_context_data(titre=self.titre, **kwargs)


class VehiculeImmobiliserView(VehiculeMixin, ServiceFormView):
    roles = GESTION_FLOTTE
    http_method_names = ["post"]
    form_class = EnMaintenanceForm

    def executer(self, form):
        v = services.vehicule_mettre_en_maintenance(
            vehicule=self.vehicule, en_maintenance=form.cleaned_data["en_maintenance"], par=self.request.user
        )
        messages.success(self.request, f"Statut du véhicule : {v.get_statut_display().lower()}.")
        return v

    def form_invalid(self, form):
        for erreur in form.non_field_errors():
            messages.error(self.request, erreur)
        return redirect(self.vehicule.get_absolute_url())


class VehiculeDeclasserView(MaintenancePlanifierView):
    form_class = DeclasserForm
    message_succes = "Véhicule déclassé : il ne peut plus être réservé et peut être cédé sous convention."
    titre = "Déclasser le véhicule"

    def executer(self, form):
        date = form.cleaned_data["date"]
        return services.vehicule_declasser(vehicule=self.vehicule, date=date, par=self.request.user)

    def get_context_data(self, **kwargs):
        # Les réservations à venir empêchent le déclassement : liens vers elles et déplacement proposé.
        kwargs["reservations_a_venir"] = reservations_a_venir(self.vehicule, timezone.localdate())
        return super().get_context_data(**kwargs)


class VehiculeCederView(MaintenancePlanifierView):
    form_class = CederForm
    message_succes = "Cession enregistrée : le véhicule a quitté la flotte."
    titre = "Céder le véhicule à un partenaire"

    def get_initial(self):
        return {"kilometrage": self.vehicule.kilometrage}

    def executer(self, form):
        cession = services.vehicule_ceder(vehicule=self.vehicule, par=self.request.user, **form.cleaned_data)
        return cession.convention


class CalendrierView(VehiculeMixin, TemplateView):
    roles = LECTURE
    template_name = "mobilite/calendrier.html"
    formulaire_url = CalendrierForm

    def get_context_data(self, **kwargs):
        aujourdhui = timezone.localdate()
        form = self.formulaire_url(self.request.GET or None)
        mois = form.valeurs()["mois"] or aujourdhui
        ctx = super().get_context_data(**kwargs)
        ctx |= calendrier_mois(self.vehicule, mois.year, mois.month, self.request.user)
        ctx |= {"aujourdhui": aujourdhui, "form": form}
        return ctx


class PlanningView(RoleRequisMixin, DroitsMixin, TemplateView):
    """Vue d'ensemble de la flotte par site pour les semaines à venir."""

    roles = LECTURE
    template_name = "mobilite/planning.html"
    formulaire_url = PlanningForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = self.formulaire_url(self.request.GET or None)
        valeurs = form.valeurs()
        debut = valeurs["debut"] or timezone.localdate()
        semaines = valeurs["semaines"] or PlanningForm.SEMAINES_DEFAUT
        vehicules = (
            Vehicule.objects.visibles_par(self.request.user)
            .en_flotte()
            .select_related("commune__bassin_emploi")
            .order_by("commune__bassin_emploi__nom", "commune__nom", "type", "immatriculation")
        )
        if valeurs["bassin"] is not None:
            vehicules = vehicules.filter(commune__bassin_emploi=valeurs["bassin"])
            ctx["bassin_choisi"] = valeurs["bassin"].pk
        ctx |= planning_flotte(vehicules, debut, semaines * 7)
        ctx |= {
            "form": form,
            "debut": debut,
            "semaines": semaines,
            "bassins": BassinEmploi.objects.all(),
            "precedent": (debut - datetime.timedelta(days=semaines * 7)).isoformat(),
            "suivant": (debut + datetime.timedelta(days=semaines * 7)).isoformat(),
        }
        return ctx


# --- Recherche et réservation -------------------------------------------------------------------------------


def _beneficiaire_visible(user, pk):
    if not pk:
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    return get_object_or_404(personnes_au_guichet(user).select_related("commune", "evaluation_courante"), pk=pk)


class RechercheView(RoleRequisMixin, DroitsMixin, PageDeLectureMixin, TemplateView):
    """« Trouver un véhicule » : les véhicules libres sur toute la période, par type (une requête)."""

    roles = LECTURE
    template_name = "mobilite/recherche.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        beneficiaire = _beneficiaire_visible(user, self.request.GET.get("beneficiaire"))
        donnees = self.request.GET.copy()
        donnees.pop("beneficiaire", None)
        initial = {"bassin": beneficiaire.commune.bassin_emploi_id} if beneficiaire and beneficiaire.commune_id else {}
        form = RechercheForm(donnees or None, initial=initial)
        ctx |= {"form": form, "beneficiaire": beneficiaire, "peut_reserver": user.a_role(*RESERVATION)}
        if form.is_bound and form.is_valid():
            d = form.cleaned_data
            vehicules = vehicules_libres(user, d["debut"], d["fin"], d["bassin"], d["type"])
            jours = jours_factures(d["debut"], d["fin"])
            # Les adresses de chaque ligne calculées ici (la clé placée dans une adresse faite une fois par vue)
            # plutôt que par trois {% url %} par véhicule dans le gabarit.
            mois = f"?mois={d['debut']:%Y-%m}"
            reserver = adresse_fixe("mobilite:reserver")
            periode = {"debut": d["debut"].isoformat(), "fin": d["fin"].isoformat()}
            if beneficiaire:
                periode["beneficiaire"] = beneficiaire.pk
            periode_encodee = urlencode(periode)  # la même pour chaque véhicule : encodée une fois
            with adresses_d_une_requete():
                for v in vehicules:
                    v.total = montant_location(v.prix_journalier, d["debut"], d["fin"])
                    v.adresse = adresse_par_cle("mobilite:vehicule", v.pk)
                    v.adresse_calendrier = adresse_par_cle("mobilite:calendrier", v.pk) + mois
                    v.adresse_reserver = f"{reserver}?vehicule={v.pk}&{periode_encodee}"
            groupes = []
            for valeur, libelle in TypeVehicule.choices:
                du_type = [v for v in vehicules if v.type == valeur]
                if du_type:
                    groupes.append({"libelle": libelle, "vehicules": du_type})
            ctx |= {"groupes": groupes, "nombre": len(vehicules), "jours": jours, "criteres": d}
        return ctx


class ReserverView(ServiceFormView):
    roles = RESERVATION
    template_name = "mobilite/reserver.html"
    form_class = ReservationForm
    formulaire_url = RecherchePersonneForm
    message_succes = "Réservation enregistrée."

    @cached_property
    def recherche_form(self):
        return self.formulaire_url(self.request.GET if "q" in self.request.GET else None)

    @cached_property
    def recherche(self):
        return self.recherche_form.valeurs()["q"] or ""

    @cached_property
    def beneficiaire(self):
        return _beneficiaire_visible(self.request.user, self.request.GET.get("beneficiaire"))

    @cached_property
    def vehicule(self):
        pk = self.request.POST.get("vehicule") or self.request.GET.get("vehicule")
        if not pk or not str(pk).isdigit():
            return None
        return get_object_or_404(
            Vehicule.objects.visibles_par(self.request.user).select_related("commune", "partenaire"), pk=pk
        )

    def get(self, request, *args, **kwargs):
        if self.vehicule is None:
            messages.info(request, "Choisissez d'abord un véhicule libre sur la période voulue.")
            url = reverse("mobilite:recherche")
            if self.beneficiaire:
                url += f"?beneficiaire={self.beneficiaire.pk}"
            return redirect(url)
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        g = self.request.GET
        initial = {"vehicule": self.vehicule.pk if self.vehicule else None, "debut": g.get("debut")}
        initial["fin"] = g.get("fin")
        if self.beneficiaire:
            initial["beneficiaire"] = self.beneficiaire.pk
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        return kwargs | {
            "user": self.request.user,
            "recherche": self.recherche,
            "beneficiaire_id": self.beneficiaire.pk if self.beneficiaire else None,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            vehicule=self.vehicule,
            beneficiaire=self.beneficiaire,
            q=self.recherche,
            recherche_form=self.recherche_form,
            **kwargs,
        )

    def executer(self, form):
        d = form.cleaned_data
        return services.location_reserver(
            vehicule=d["vehicule"],
            beneficiaire=d["beneficiaire"],
            debut=d["debut"],
            fin=d["fin"],
            motif=d["motif"],
            contrat=d.get("contrat"),
            forum=d.get("forum"),
            notes=d["notes"],
            par=self.request.user,
        )


# --- Locations ----------------------------------------------------------------------------------------------


class LocationListeView(RoleRequisMixin, DroitsMixin, ExportMixin, SingleTableMixin, FilterView):
    roles = LECTURE
    template_name = "mobilite/location_liste.html"
    table_class = LocationTable
    filterset_class = LocationFilter
    paginate_by = 50
    export_name = "locations"

    def get_queryset(self):
        return (
            Location.objects.visibles_par(self.request.user)
            .select_related("beneficiaire", "vehicule")
            .order_by("-debut", "-pk")
        )


class LocationMixin(RoleRequisMixin, DroitsMixin):
    roles = LECTURE

    @cached_property
    def location(self):
        qs = Location.objects.visibles_par(self.request.user).select_related(
            "beneficiaire__commune__bassin_emploi",
            "vehicule__commune__bassin_emploi",
            "vehicule__partenaire",
            "reservee_par",
        )
        return get_object_or_404(qs, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(location=self.location, **kwargs)


class LocationDetailView(LocationMixin, TemplateView):
    template_name = "mobilite/location_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, loc = self.request.user, self.location
        consultation_journaliser(par=self.request.user, objet=loc)
        ctx["peut_remettre"] = user.a_role(*GESTION_FLOTTE) and loc.statut == StatutLocation.RESERVEE
        ctx["peut_reprendre"] = user.a_role(*GESTION_FLOTTE) and loc.statut == StatutLocation.EN_COURS
        ctx["peut_annuler"] = user.a_role(*RESERVATION) and loc.statut == StatutLocation.RESERVEE
        ctx["en_retard"] = loc.est_en_retard()
        ctx["annuler_form"] = AnnulerForm()
        ctx["penalite_retard"] = services.tarif("LOCATION_PENALITE_RETARD_JOUR")
        ctx["tarif_carburant"] = services.tarif("LOCATION_CARBURANT_QUART")
        return ctx


class ContratLocationView(LocationMixin, TemplateView):
    """Le contrat de location, imprimable sur une page pour signature."""

    template_name = "mobilite/contrat.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(duree_max=services.duree_max_mois(), **kwargs)


class LocationDepartView(LocationMixin, ServiceFormView):
    roles = GESTION_FLOTTE
    template_name = "mobilite/etat_des_lieux.html"
    form_class = DepartForm
    message_succes = "Véhicule remis : la location est en cours."

    def get_initial(self):
        return {"kilometrage": self.location.vehicule.kilometrage}

    def get_context_data(self, **kwargs):
        jour = timezone.localdate()
        kwargs.setdefault("avertissement", "")
        if self.location.statut == StatutLocation.RESERVEE and jour < self.location.debut:
            kwargs["avertissement"] = services.raison_remise_anticipee(self.location, jour)
        return super().get_context_data(titre="Remise du véhicule (départ)", **kwargs)

    def executer(self, form):
        d = form.cleaned_data
        return services.location_depart(
            location=self.location,
            kilometrage=d["kilometrage"],
            carburant=d["carburant"],
            etat=d["etat"],
            par=self.request.user,
        )


class LocationRetourView(LocationDepartView):
    form_class = RetourForm
    message_succes = "Retour enregistré : la location est restituée."

    def get_initial(self):
        return {"kilometrage": self.location.km_depart, "date_retour": timezone.localdate(), "montant_du": 0}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["titre"] = "Retour du véhicule"
        return ctx

    def executer(self, form):
        d = form.cleaned_data
        return services.location_retour(
            location=self.location,
            kilometrage=d["kilometrage"],
            carburant=d["carburant"],
            etat=d["etat"],
            incident=d["incident"] or "",
            montant_du=d["montant_du"] or 0,
            date_retour=d["date_retour"],
            par=self.request.user,
        )


class LocationDeplacerView(LocationMixin, ServiceFormView):
    """Déplace une réservation à venir sur un véhicule du même type, libre sur sa période (POST)."""

    roles = GESTION_FLOTTE
    http_method_names = ["post"]
    form_class = DeplacerForm
    message_succes = ""

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"location": self.location}

    def executer(self, form):
        loc = services.location_transferer(
            location=self.location, vehicule=form.cleaned_data["vehicule"], par=self.request.user
        )
        messages.success(self.request, f"Réservation n° {loc.numero} déplacée sur {loc.vehicule.immatriculation}.")
        return loc

    def get_success_url(self):
        return reverse("mobilite:declasser", args=[self.location.vehicule_id])

    def form_invalid(self, form):
        for erreurs in form.errors.values():
            for erreur in erreurs:
                messages.error(self.request, erreur)
        return redirect(reverse("mobilite:declasser", args=[self.location.vehicule_id]))


class LocationAnnulerView(LocationMixin, ServiceFormView):
    roles = RESERVATION
    http_method_names = ["post"]
    form_class = AnnulerForm
    message_succes = "Réservation annulée : le véhicule est de nouveau libre sur ces dates."

    def executer(self, form):
        motif = form.cleaned_data["motif"]
        return services.location_annuler(location=self.location, motif=motif, par=self.request.user)

    def form_invalid(self, form):
        for erreur in form.non_field_errors():
            messages.error(self.request, erreur)
        return redirect(self.location.get_absolute_url())


# --- Conventions de cession ---------------------------------------------------------------------------------


class ConventionListeView(RoleRequisMixin, DroitsMixin, SingleTableMixin, FilterView):
    roles = CESSIONS_LECTURE
    template_name = "mobilite/convention_liste.html"
    table_class = ConventionTable
    filterset_class = ConventionFilter
    paginate_by = 50

    def get_queryset(self):
        return conventions_avec_cessions()


class ConventionDetailView(RoleRequisMixin, DroitsMixin, DetailView):
    roles = CESSIONS_LECTURE
    template_name = "mobilite/convention_detail.html"
    context_object_name = "convention"

    def get_queryset(self):
        return ConventionCession.objects.select_related("partenaire", "signee_par").prefetch_related(
            Prefetch(
                "cessions",
                queryset=Cession.objects.select_related("vehicule__commune").order_by("date", "pk"),
            )
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["peut_gerer"] = self.request.user.a_role(*GESTION_FLOTTE)
        ctx["signer_form"] = SignerForm()
        ctx["valeur_totale"] = sum(c.valeur_comptable for c in self.object.cessions.all())
        return ctx


class ProcesVerbalCessionView(RoleRequisMixin, DetailView):
    """Le procès-verbal de cession d'un véhicule, imprimable sur une page A4 : convention, véhicule,
    immatriculation, kilométrage, valeur nette comptable, date et signatures."""

    roles = CESSIONS_LECTURE
    template_name = "mobilite/proces_verbal.html"
    context_object_name = "cession"

    def get_queryset(self):
        return Cession.objects.select_related(
            "vehicule__commune", "vehicule__partenaire", "convention__partenaire__commune", "enregistree_par"
        )


class ConventionCreerView(ServiceFormView):
    roles = GESTION_FLOTTE
    template_name = "mobilite/convention_form.html"
    form_class = ConventionForm
    message_succes = "Convention enregistrée (à signer)."

    def executer(self, form):
        return services.convention_creer(par=self.request.user, **form.cleaned_data)


class ConventionSignerView(ServiceFormView):
    roles = GESTION_FLOTTE
    template_name = "mobilite/convention_form.html"
    form_class = SignerForm
    message_succes = "Signature de la convention enregistrée."

    @cached_property
    def convention(self):
        return get_object_or_404(ConventionCession, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(convention=self.convention, **kwargs)

    def executer(self, form):
        return services.convention_signer(
            convention=self.convention, date_signature=form.cleaned_data["date_signature"], par=self.request.user
        )

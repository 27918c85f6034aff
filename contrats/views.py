from datetime import date

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from beneficiaires.models import Beneficiaire
from commun.cache_pages import CorpsEnCacheMixin
from commun.exports import ExportMixin
from commun.formulaires import VueService
from commun.pagination import agregat_de_la_page
from comptes.acces import RoleRequisMixin
from comptes.models import Role
from comptes.services import consultation_journaliser
from referentiel.models import Structure

from . import services
from .filters import ContratFilter
from .financement import (
    Bareme,
    PeriodeTropLongue,
    echeancier,
    engagements,
    taux_departement,
    total_echeancier,
    usages_echeancier,
)
from .forms import (
    ContratBrouillonForm,
    JourForm,
    RechercheBeneficiaireForm,
    RenouvellementForm,
    RuptureForm,
    SignatureForm,
)
from .models import ContratAide, Statut
from .selecteurs import chiffres_employeur, contrats_visibles, historique, personnes_a_prescrire, totaux_par_annee
from .tables import ContratTable

LECTEURS = (Role.ADMINISTRATEUR, Role.PILOTAGE, Role.REFERENT)
REDACTEURS = (Role.ADMINISTRATEUR, Role.REFERENT)


# Champs du filtre toujours visibles ; les autres sont sous « Autres critères ».
CHAMPS_PRINCIPAUX = [
    "q",
    "statut",
    "type_employeur",
    "communes",
    "bassin",
    "annee",
    "referent",
    "signature_apres",
    "signature_avant",
]


class ContratListView(RoleRequisMixin, CorpsEnCacheMixin, ExportMixin, SingleTableMixin, FilterView):
    roles = LECTEURS
    model = ContratAide
    table_class = ContratTable
    filterset_class = ContratFilter
    template_name = "contrats/liste.html"
    gabarit_corps = "contrats/_liste.html"
    espaces = ("beneficiaires", "comptes", "contrats", "referentiel")
    # La pagination est celle du tableau seule : un seul COUNT(*) par page, réutilisé pour le nombre affiché.
    table_pagination = {"per_page": 50}
    export_name = "contrats-aides"

    def get_queryset(self):
        return contrats_visibles(self.request.user).order_by("-date_signature", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nb_resultats"] = context["table"].paginator.count
        context["peut_ecrire"] = self.request.user.a_role(*REDACTEURS)
        context["champs_principaux"] = CHAMPS_PRINCIPAUX
        context.update(
            engagement_de_la_liste(self.filterset, self.object_list, espaces=self.espaces, page=self.page_de_la_liste())
        )
        return context


def periode_engagee(filterset):
    """La période sur laquelle la liste totalise la part du Département : celle de « Aide courant après le /
    avant le » si les deux sont donnés (le lien du tableau de bord), sinon l'année de signature filtrée, sinon
    l'année en cours."""
    donnees = filterset.form.cleaned_data if filterset.is_valid() else {}
    debut, fin = donnees.get("couvre_du"), donnees.get("couvre_au")
    if debut and fin:
        return debut, fin
    annee = donnees.get("annee")
    annee = int(annee) if annee and 2000 <= annee <= 2100 else timezone.localdate().year
    return date(annee, 1, 1), date(annee, 12, 31)


def engagement_de_la_liste(filterset, qs, espaces=None, page=None):
    """Le total engagé des contrats listés sur la période, les valeurs du barème utilisées, ou pourquoi il
    n'est pas calculé (période de plus de dix ans, fin avant début). Avec `espaces`, le total est gardé en cache
    sous leurs versions (commun/pagination.py), comme le compte de la liste (sous la clé de sa `page` donnée :
    requête et critères du filtre) : une autre page ou un autre tri des mêmes critères ne le recalcule pas, une
    écriture validée dans ces applications si."""
    debut, fin = periode_engagee(filterset)
    contexte = {"engagement_debut": debut, "engagement_fin": fin, "engagement": None, "engagement_erreur": ""}
    erreurs = filterset.form.errors if filterset.is_bound else {}
    if "couvre_du" in erreurs or "couvre_au" in erreurs:
        # Une date refusée par le filtre (hors 1900-2100) : pas de total sur une autre période que celle demandée.
        contexte["engagement_erreur"] = (
            "La période demandée n'est pas valide (voir les critères) : aucun total calculé. "
            "Choisissez des dates entre 1900 et 2100, sur dix ans au plus."
        )
        return contexte
    if fin < debut:
        contexte["engagement_erreur"] = "La période demandée se termine avant de commencer : aucun total calculé."
        return contexte
    try:
        if espaces:
            contexte["engagement"] = agregat_de_la_page(
                page,
                qs,
                espaces,
                "engagement",
                lambda: engagements(qs, debut, fin),
                (debut, fin, timezone.localdate()),
            )
        else:
            contexte["engagement"] = engagements(qs, debut, fin)
    except PeriodeTropLongue as e:
        contexte["engagement_erreur"] = f"{e} Choisissez une période de dix ans au plus."
    return contexte


class ContratMixin(RoleRequisMixin):
    roles = LECTEURS
    roles_ecriture = REDACTEURS

    def get_contrat(self):
        if not hasattr(self, "_contrat"):
            self._contrat = get_object_or_404(
                ContratAide.objects.visibles_par(self.request.user).select_related(
                    "beneficiaire__commune__bassin_emploi",
                    "beneficiaire__foyer",
                    "employeur__commune",
                    "lieu_travail",
                    "referent",
                    "contrat_precedent",
                    "renouvellement",
                ),
                pk=self.kwargs["pk"],
            )
        return self._contrat


def actions_possibles(contrat, user):
    if not user.a_role(*REDACTEURS):
        return []
    s = contrat.statut
    actions = []
    if s == Statut.BROUILLON:
        actions += ["modifier", "signer"]
    if s == Statut.SIGNE:
        actions.append("demarrer")
    if s == Statut.EN_COURS:
        actions.append("terminer")
    if s in (Statut.SIGNE, Statut.EN_COURS):
        actions.append("rompre")
    if s in (Statut.SIGNE, Statut.EN_COURS, Statut.TERMINE) and not a_ete_renouvele(contrat):
        actions.append("renouveler")
    return actions


def a_ete_renouvele(contrat):
    try:
        return contrat.renouvellement is not None
    except ContratAide.renouvellement.RelatedObjectDoesNotExist:
        return False


class ContratDetailView(ContratMixin, DetailView):
    template_name = "contrats/detail.html"
    context_object_name = "contrat"

    def get_object(self, queryset=None):
        return self.get_contrat()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contrat = self.object
        consultation_journaliser(par=self.request.user, objet=contrat)
        bareme = Bareme()
        try:
            lignes, erreur = echeancier(contrat, bareme), ""
        except PeriodeTropLongue as e:
            lignes, erreur = [], f"{e} Corrigez les dates de la convention."
        valeurs = usages_echeancier(lignes, bareme)
        context.update(
            echeancier=lignes,
            echeancier_erreur=erreur,
            valeurs_utilisees=valeurs,
            valeurs_perimees=[u for u in valeurs if u.perimee],
            total=total_echeancier(lignes),
            totaux_annuels=totaux_par_annee(lignes),
            historique=historique(contrat),
            actions=actions_possibles(contrat, self.request.user),
            renouvele=a_ete_renouvele(contrat),
            lien_fiche=reverse("beneficiaires:detail", args=[contrat.beneficiaire_id]),
        )
        return context


class ContratDecisionView(ContratMixin, DetailView):
    """La décision de cofinancement du Département, imprimable sur une page A4 : parties, personne, employeur,
    dates, heures, taux de l'État, échéancier mensuel de la part du Département et valeurs utilisées."""

    template_name = "contrats/decision.html"
    context_object_name = "contrat"

    def get_object(self, queryset=None):
        contrat = self.get_contrat()
        if not (contrat.date_debut and contrat.date_fin and contrat.heures_hebdomadaires and contrat.taux_aide_etat):
            raise Http404("La convention n'a pas encore ses dates, ses heures et son taux : pas de décision.")
        return contrat

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contrat = self.object
        consultation_journaliser(par=self.request.user, objet=contrat)
        bareme = Bareme()
        try:
            lignes = echeancier(contrat, bareme)
        except PeriodeTropLongue as e:
            raise Http404(str(e)) from e
        valeurs = usages_echeancier(lignes, bareme)
        context.update(
            echeancier=lignes,
            valeurs_utilisees=valeurs,
            total=total_echeancier(lignes),
            totaux_annuels=totaux_par_annee(lignes),
            taux_departement=taux_departement(contrat.heures_hebdomadaires) * 100,
        )
        return context


def choisir_beneficiaire(request):
    """Contexte de la recherche d'une personne à qui prescrire un contrat (30 résultats au plus)."""
    form = RechercheBeneficiaireForm(request.GET or None)
    resultats = []
    if form.is_valid() and form.cleaned_data["q"].strip():
        resultats = personnes_a_prescrire(request.user, form.cleaned_data["q"])
    return {"form": form, "resultats": resultats, "recherche_faite": form.is_bound}


class ContratCreerView(RoleRequisMixin, VueService):
    formulaire_url = RechercheBeneficiaireForm
    """Prescription depuis la fiche (?beneficiaire=<pk>) ; sans personne, une recherche dans son périmètre."""

    roles = REDACTEURS
    roles_ecriture = REDACTEURS
    template_name = "contrats/formulaire.html"
    form_class = ContratBrouillonForm
    message_succes = "Brouillon de convention enregistré. Complétez-le puis faites-le signer."

    def get_beneficiaire(self):
        if not hasattr(self, "_beneficiaire"):
            pk = self.request.GET.get("beneficiaire") or self.request.POST.get("beneficiaire")
            self._beneficiaire = None
            if pk:
                if not str(pk).isdigit():
                    raise Http404("Bénéficiaire introuvable.")
                self._beneficiaire = get_object_or_404(
                    Beneficiaire.objects.visibles_par(self.request.user).select_related("commune"), pk=pk
                )
        return self._beneficiaire

    def get(self, request, *args, **kwargs):
        if self.get_beneficiaire() is None:
            return render(request, "contrats/choisir_beneficiaire.html", choisir_beneficiaire(request))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.get_beneficiaire() is None:
            return redirect("contrats:creer")
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        initial = {"taux_aide_etat": 60, "heures_hebdomadaires": 20}
        if self.request.user.est_referent:
            initial["referent"] = self.request.user
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            titre="Prescrire un contrat aidé",
            beneficiaire=self.get_beneficiaire(),
            bouton="Enregistrer le brouillon",
            champ_cache=("beneficiaire", self.get_beneficiaire().pk),
        )
        return context

    def executer(self, form):
        donnees = dict(form.cleaned_data)
        employeur = donnees.pop("employeur")
        return services.contrat_creer_brouillon(
            beneficiaire=self.get_beneficiaire(), employeur=employeur, par=self.request.user, **donnees
        )


class ContratActionView(ContratMixin, VueService):
    """Base des pages d'action : GET montre le formulaire, POST appelle le service puis redirige."""

    roles = REDACTEURS
    roles_ecriture = REDACTEURS
    template_name = "contrats/formulaire.html"
    titre = ""
    bouton = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(contrat=self.get_contrat(), titre=self.titre, bouton=self.bouton)
        return context


class ContratModifierView(ContratActionView):
    form_class = ContratBrouillonForm
    titre = "Modifier le brouillon"
    bouton = "Enregistrer"
    message_succes = "Brouillon modifié."

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_contrat()
        return kwargs

    def executer(self, form):
        donnees = dict(form.cleaned_data)
        return services.contrat_modifier_brouillon(contrat=self.get_contrat(), par=self.request.user, **donnees)


class ContratSignerView(ContratActionView):
    form_class = SignatureForm
    titre = "Signer la convention"
    bouton = "Signer"
    message_succes = "Convention signée."

    def get_initial(self):
        return {"date_signature": timezone.localdate()}

    def executer(self, form):
        return services.contrat_signer(
            contrat=self.get_contrat(), par=self.request.user, date_signature=form.cleaned_data["date_signature"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["aide"] = (
            "La signature vérifie toutes les règles du CUI-CAE (employeur non marchand, 6 mois au moins, "
            "24 mois au plus renouvellements compris, 20 à 35 heures, pas de contrat en même temps) "
            "et l'enveloppe de l'année."
        )
        return context


class ContratDemarrerView(ContratActionView):
    form_class = JourForm
    titre = "Démarrer le contrat"
    bouton = "Démarrer"
    message_succes = "Contrat démarré."

    def get_initial(self):
        return {"jour": timezone.localdate()}

    def executer(self, form):
        return services.contrat_demarrer(
            contrat=self.get_contrat(), par=self.request.user, jour=form.cleaned_data["jour"]
        )


class ContratTerminerView(ContratDemarrerView):
    titre = "Terminer le contrat"
    bouton = "Terminer"
    message_succes = "Contrat terminé."

    def executer(self, form):
        return services.contrat_terminer(
            contrat=self.get_contrat(), par=self.request.user, jour=form.cleaned_data["jour"]
        )


class ContratRompreView(ContratActionView):
    form_class = RuptureForm
    titre = "Enregistrer une rupture anticipée"
    bouton = "Enregistrer la rupture"
    message_succes = "Rupture enregistrée ; l'aide s'arrête à la date de rupture."

    def executer(self, form):
        return services.contrat_rompre(
            contrat=self.get_contrat(),
            par=self.request.user,
            date_rupture=form.cleaned_data["date_rupture"],
            motif=form.cleaned_data["motif_rupture"],
        )


class ContratRenouvelerView(ContratActionView):
    form_class = RenouvellementForm
    titre = "Renouveler le contrat"
    bouton = "Préparer le renouvellement"
    message_succes = "Renouvellement préparé (brouillon) : vérifiez-le puis faites-le signer."

    def get_initial(self):
        c = self.get_contrat()
        return {
            "heures_hebdomadaires": c.heures_hebdomadaires,
            "taux_aide_etat": c.taux_aide_etat,
            "motif_heures_reduites": c.motif_heures_reduites,
        }

    def executer(self, form):
        d = form.cleaned_data
        return services.contrat_renouveler(
            contrat=self.get_contrat(),
            par=self.request.user,
            date_debut=d["date_debut"],
            date_fin=d["date_fin"],
            heures_hebdomadaires=d["heures_hebdomadaires"],
            taux_aide_etat=d["taux_aide_etat"],
            motif_heures_reduites=d["motif_heures_reduites"],
        )


class EmployeurView(RoleRequisMixin, SingleTableMixin, TemplateView):
    roles = LECTEURS
    table_class = ContratTable
    template_name = "contrats/employeur.html"
    paginate_by = 50

    def get_employeur(self):
        if not hasattr(self, "_employeur"):
            self._employeur = get_object_or_404(Structure.objects.select_related("commune"), pk=self.kwargs["pk"])
        return self._employeur

    def get_table_data(self):
        return (
            contrats_visibles(self.request.user)
            .filter(employeur=self.get_employeur())
            .order_by("-date_signature", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["employeur"] = self.get_employeur()
        context["chiffres"] = chiffres_employeur(self.request.user, self.get_employeur())
        return context

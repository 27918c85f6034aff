"""Pages des forums. Les écritures passent par forums.services ; les objets sont lus par visibles_par(user)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from beneficiaires.models import Beneficiaire, normaliser
from commun.exports import ExportMixin
from commun.formulaires import rattacher_erreurs
from commun.francais import compte, est_pluriel, genre
from comptes.acces import LECTEURS, REDACTEURS, RoleRequisMixin
from comptes.services import consultation_journaliser

from . import services
from .filters import EntretienFilter, ForumFilter, InvitationFilter, OffreFilter, ParticipationFilter
from .forms import (
    ActionParticipationForm,
    ConfirmationInvitationForm,
    EmbaucheForm,
    EntretiensForm,
    ExposantForm,
    ForumForm,
    InscriptionPersonneForm,
    OffreForm,
    RechercheForm,
    StatutForm,
)
from .models import Entretien, Exposant, Forum, OffreEmploi, Participation
from .selecteurs import bilan_forum, etat_salle, exposants_du_forum, forums_visibles, total_postes
from .tables import EntretienTable, ForumTable, OffreTable, ParticipationTable

S = Participation.Statut
# Au-delà, l'aperçu d'invitation demande d'affiner les critères (une invitation reste un geste choisi).
INVITATIONS_MAX_PAR_ENVOI = 500
# Résultats affichés par la recherche du pointage (tablette).
POINTAGE_MAX_RESULTATS = 30


def filtrer_par_mots(qs, q, champ="recherche"):
    """Recherche tolérante (pointage, ajout sur place) : chaque mot de `q`, normalisé (minuscules sans accents),
    doit figurer dans la clé de recherche de la personne."""
    for mot in normaliser(q).split():
        qs = qs.filter(**{f"{champ}__contains": mot})
    return qs


def erreurs_en_message(request, erreur, form=None):
    """Rattache les erreurs aux champs du formulaire quand c'est possible, sinon en message."""
    if form is not None and hasattr(erreur, "error_dict"):
        rattacher_erreurs(form, erreur)
        return
    for texte in erreur.messages:
        messages.error(request, texte)


# ------------------------------------------------------------------------------------------------ forums


class ForumMixin(RoleRequisMixin):
    roles = LECTEURS
    roles_ecriture = REDACTEURS

    @cached_property
    def forum(self):
        return get_object_or_404(Forum.objects.visibles_par(self.request.user).avec_lieu(), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forum"] = self.forum
        context["peut_ecrire"] = self.request.user.a_role(*REDACTEURS)
        return context


class ForumListeView(RoleRequisMixin, ExportMixin, SingleTableMixin, FilterView):
    roles = LECTEURS
    donnees_personnelles = False
    filterset_class = ForumFilter
    table_class = ForumTable
    template_name = "forums/liste.html"
    paginate_by = 50
    export_name = "forums"

    def get_queryset(self):
        return forums_visibles(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["peut_ecrire"] = self.request.user.a_role(*REDACTEURS)
        return context


class ForumDetailView(ForumMixin, TemplateView):
    template_name = "forums/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bilan"] = bilan_forum(self.forum)
        context["exposants"] = exposants_du_forum(self.forum)
        context["statut_form"] = StatutForm()
        context["pointage_ouvert"] = self.forum.pointage_ouvert(timezone.localdate())
        return context


class ForumCreerView(RoleRequisMixin, FormView):
    roles = REDACTEURS
    form_class = ForumForm
    template_name = "forums/formulaire.html"

    def form_valid(self, form):
        try:
            forum = services.forum_creer(par=self.request.user, **form.cleaned_data)
        except ValidationError as e:
            erreurs_en_message(self.request, e, form)
            return self.form_invalid(form)
        messages.success(self.request, f"Forum « {forum.titre} » créé (en préparation).")
        return HttpResponseRedirect(forum.get_absolute_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(titre="Nouveau forum", **kwargs)


class ForumModifierView(ForumMixin, FormView):
    roles = REDACTEURS
    form_class = ForumForm
    template_name = "forums/formulaire.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Forum.objects.get(pk=self.forum.pk)
        return kwargs

    def form_valid(self, form):
        try:
            services.forum_modifier(forum=self.forum, par=self.request.user, **form.cleaned_data)
        except ValidationError as e:
            erreurs_en_message(self.request, e, form)
            return self.form_invalid(form)
        messages.success(self.request, "Forum modifié.")
        return HttpResponseRedirect(self.forum.get_absolute_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(titre=f"Modifier « {self.forum.titre} »", **kwargs)


class ForumStatutView(ForumMixin, FormView):
    roles = REDACTEURS
    http_method_names = ["post"]
    form_class = StatutForm

    def form_valid(self, form):
        try:
            forum = services.forum_changer_statut(
                forum=self.forum, statut=form.cleaned_data["statut"], par=self.request.user
            )
            messages.success(self.request, f"Le forum est désormais « {forum.get_statut_display()} ».")
        except ValidationError as e:
            erreurs_en_message(self.request, e)
        return HttpResponseRedirect(self.forum.get_absolute_url())

    def form_invalid(self, form):
        messages.error(self.request, "Statut inconnu.")
        return HttpResponseRedirect(self.forum.get_absolute_url())


class ExposantAjouterView(ForumMixin, FormView):
    roles = REDACTEURS
    form_class = ExposantForm
    template_name = "forums/formulaire.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "forum": self.forum}

    def form_valid(self, form):
        try:
            exposant = services.exposant_ajouter(forum=self.forum, par=self.request.user, **form.cleaned_data)
        except ValidationError as e:
            erreurs_en_message(self.request, e, form)
            return self.form_invalid(form)
        messages.success(self.request, f"{exposant.structure} ajouté aux exposants.")
        return HttpResponseRedirect(self.forum.get_absolute_url() + "#exposants")

    def get_context_data(self, **kwargs):
        return super().get_context_data(titre=f"Ajouter un exposant — {self.forum.titre}", **kwargs)


class ExposantMixin(ForumMixin):
    @cached_property
    def exposant(self):
        return get_object_or_404(
            Exposant.objects.select_related("structure", "forum"), pk=self.kwargs["exposant_pk"], forum=self.forum
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(exposant=self.exposant, **kwargs)


class OffreAjouterView(ExposantMixin, FormView):
    roles = REDACTEURS
    form_class = OffreForm
    template_name = "forums/formulaire.html"

    def form_valid(self, form):
        try:
            services.offre_ajouter(exposant=self.exposant, par=self.request.user, **form.cleaned_data)
        except ValidationError as e:
            erreurs_en_message(self.request, e, form)
            return self.form_invalid(form)
        messages.success(self.request, f"Offre ajoutée pour {self.exposant.structure}.")
        return HttpResponseRedirect(self.forum.get_absolute_url() + "#exposants")

    def get_context_data(self, **kwargs):
        return super().get_context_data(titre=f"Ajouter une offre — {self.exposant.structure}", **kwargs)


# ------------------------------------------------------------------------------------ résultats (après)


class ExposantResultatsView(ExposantMixin, TemplateView):
    """Après le forum : les personnes reçues en entretien par cet exposant, et ses embauches."""

    template_name = "forums/exposant_resultats.html"

    def presentes(self):
        return (
            Participation.objects.visibles_par(self.request.user)
            .filter(forum=self.forum, statut=S.PRESENT)
            .select_related("beneficiaire__commune")
            .order_by("beneficiaire__nom", "beneficiaire__prenoms", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        presentes = self.presentes()
        initiales = Entretien.objects.filter(exposant=self.exposant, participation__in=presentes).values_list(
            "participation_id", flat=True
        )
        context.setdefault(
            "entretiens_form", EntretiensForm(presentes=presentes, initial={"participations": list(initiales)})
        )
        context.setdefault("embauche_form", EmbaucheForm(presentes=presentes))
        context["embauches"] = (
            Participation.objects.visibles_par(self.request.user)
            .filter(embauche_par=self.exposant)
            .select_related("beneficiaire")
            .order_by("beneficiaire__nom", "pk")
        )
        return context

    def post(self, request, *args, **kwargs):
        presentes = self.presentes()
        form = EntretiensForm(request.POST, presentes=presentes)
        if form.is_valid():
            try:
                ajoutes, retires = services.entretien_enregistrer(
                    exposant=self.exposant,
                    participations=form.cleaned_data["participations"],
                    parmi=presentes,
                    par=request.user,
                )
                messages.success(
                    request, f"Entretiens enregistrés : {compte(ajoutes, 'ajouté')}, {compte(retires, 'retiré')}."
                )
                return HttpResponseRedirect(request.path)
            except ValidationError as e:
                erreurs_en_message(request, e, form)
        return self.render_to_response(self.get_context_data(entretiens_form=form))


class EmbaucheView(ExposantResultatsView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = EmbaucheForm(request.POST, presentes=self.presentes())
        if form.is_valid():
            d = form.cleaned_data
            try:
                resultat = services.embauche_enregistrer(
                    participation=d["participation"],
                    exposant=self.exposant,
                    type_contrat=d["type_contrat"],
                    date_debut=d["date_debut"],
                    creer_brouillon_contrat=d["creer_brouillon_contrat"],
                    par=request.user,
                )
            except ValidationError as e:
                erreurs_en_message(request, e, form)
            else:
                messages.success(request, f"Embauche de {d['participation'].beneficiaire} enregistrée.")
                contrat = resultat.contrat
                if contrat is not None:
                    messages.success(request, "Brouillon de contrat aidé préparé : complétez-le.")
                    url = getattr(contrat, "get_absolute_url", None)
                    if url:
                        return HttpResponseRedirect(url())
                return HttpResponseRedirect(self.exposant.get_absolute_url())
        return self.render_to_response(self.get_context_data(embauche_form=form))


# ------------------------------------------------------------------------------------------ invitations


class InviterView(ForumMixin, TemplateView):
    """Invitation groupée : critères (GET), aperçu des personnes qui seront invitées, confirmation (POST)."""

    roles = REDACTEURS
    template_name = "forums/inviter.html"

    def filtre(self):
        base = (
            Beneficiaire.objects.visibles_par(self.request.user)
            .actifs()
            .select_related("commune__bassin_emploi", "evaluation_courante")
            .order_by("nom", "prenoms", "pk")
        )
        return InvitationFilter(self.request.GET or None, queryset=base, user=self.request.user)

    def candidats(self, filtre):
        return filtre.qs.exclude(participations_forums__forum=self.forum)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filtre = self.filtre()
        context["filter"] = filtre
        context["total"] = None
        if filtre.is_bound and filtre.is_valid():
            candidats = self.candidats(filtre)
            total = candidats.count()
            context["total"] = total
            context["deja"] = filtre.qs.filter(participations_forums__forum=self.forum).count()
            context["trop"] = total > INVITATIONS_MAX_PAR_ENVOI
            context["max"] = INVITATIONS_MAX_PAR_ENVOI
            if total and not context["trop"]:
                context.setdefault(
                    "confirmation_form",
                    ConfirmationInvitationForm(
                        candidats=candidats, initial={"beneficiaires": [c.pk for c in candidats]}
                    ),
                )
                context["apercu"] = candidats
        return context

    def post(self, request, *args, **kwargs):
        filtre = self.filtre()
        candidats = self.candidats(filtre) if filtre.is_bound and filtre.is_valid() else Beneficiaire.objects.none()
        form = ConfirmationInvitationForm(request.POST, candidats=candidats)
        if not form.is_valid():
            messages.error(request, "Cochez au moins une personne de la liste (les critères ont peut-être changé).")
            return self.render_to_response(self.get_context_data(confirmation_form=form))
        try:
            bilan = services.invitations_envoyer(
                forum=self.forum, beneficiaires=form.cleaned_data["beneficiaires"], par=request.user
            )
        except ValidationError as e:
            erreurs_en_message(request, e)
            return HttpResponseRedirect(request.get_full_path())
        messages.success(request, str(bilan))
        return HttpResponseRedirect(reverse("forums:lettres", args=[self.forum.pk]) + "?statut=invite")


class InscriptionPersonneView(RoleRequisMixin, FormView):
    """Depuis la fiche d'une personne : l'inviter à un forum ouvert, ou l'inscrire directement."""

    roles = REDACTEURS
    template_name = "forums/inscription_personne.html"
    form_class = InscriptionPersonneForm

    @cached_property
    def beneficiaire(self):
        pk = self.request.GET.get("beneficiaire") or self.request.POST.get("beneficiaire")
        if not str(pk or "").isdigit():
            raise Http404("Personne non précisée.")
        return get_object_or_404(Beneficiaire.objects.visibles_par(self.request.user), pk=pk)

    def get_form_kwargs(self):
        forums = (
            Forum.objects.visibles_par(self.request.user)
            .filter(statut__in=(Forum.Statut.EN_PREPARATION, Forum.Statut.INSCRIPTIONS_OUVERTES))
            .avec_lieu()
            .order_by("date", "pk")
        )
        return {**super().get_form_kwargs(), "forums": forums}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(beneficiaire=self.beneficiaire, **kwargs)
        context["participations"] = (
            Participation.objects.filter(beneficiaire=self.beneficiaire)
            .select_related("forum")
            .order_by("-forum__date")
        )
        return context

    def form_valid(self, form):
        forum = form.cleaned_data["forum"]
        try:
            if form.cleaned_data["action"] == "inscrire":
                p = services.participation_inscrire(forum=forum, beneficiaire=self.beneficiaire, par=self.request.user)
                if p.statut == S.ATTENTE:
                    messages.warning(self.request, f"Forum complet : liste d'attente, rang {p.rang_attente}.")
                else:
                    messages.success(
                        self.request,
                        f"{self.beneficiaire} est {genre('inscrit', self.beneficiaire.civilite)} à « {forum.titre} ».",
                    )
            else:
                bilan = services.invitations_envoyer(
                    forum=forum, beneficiaires=[self.beneficiaire], par=self.request.user
                )
                if bilan.invitees:
                    messages.success(
                        self.request,
                        f"{self.beneficiaire} est {genre('invité', self.beneficiaire.civilite)} à « {forum.titre} ».",
                    )
                else:
                    messages.info(self.request, f"{self.beneficiaire} figure déjà parmi les participants de ce forum.")
        except ValidationError as e:
            erreurs_en_message(self.request, e, form)
            return self.form_invalid(form)
        p = Participation.objects.get(forum=forum, beneficiaire=self.beneficiaire)
        return HttpResponseRedirect(p.get_absolute_url())


# ------------------------------------------------------------------------------------ participations


class ParticipationListeView(RoleRequisMixin, ExportMixin, SingleTableMixin, FilterView):
    roles = LECTEURS
    filterset_class = ParticipationFilter
    table_class = ParticipationTable
    template_name = "forums/participations.html"
    paginate_by = 50
    export_name = "participations-forums"

    def get_queryset(self):
        return (
            Participation.objects.visibles_par(self.request.user)
            .select_related("beneficiaire__commune", "forum", "embauche_par__structure")
            .order_by("-forum__date", "beneficiaire__nom", "beneficiaire__prenoms", "pk")
        )


class ParticipationDetailView(RoleRequisMixin, DetailView):
    roles = LECTEURS
    roles_ecriture = REDACTEURS
    template_name = "forums/participation.html"
    context_object_name = "participation"

    def get_queryset(self):
        return Participation.objects.visibles_par(self.request.user).select_related(
            "beneficiaire__commune__bassin_emploi", "forum__commune", "embauche_par__structure", "invite_par"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        p = self.object
        consultation_journaliser(par=self.request.user, objet=p)
        context["entretiens"] = p.entretiens_menes.select_related("exposant__structure").order_by(
            "exposant__structure__nom"
        )
        context["historique"] = p.history.select_related("history_user").order_by("-history_date")[:20]
        context["peut_ecrire"] = self.request.user.a_role(*REDACTEURS)
        forum = p.forum
        ouvert = forum.statut == Forum.Statut.INSCRIPTIONS_OUVERTES
        context["actions"] = [
            (code, libelle)
            for code, libelle, permis in (
                ("inscrire", "Inscrire", ouvert and p.statut in (S.INVITE, S.EXCUSE, S.ABSENT)),
                (
                    "annuler",
                    "Annuler l'inscription",
                    forum.statut != Forum.Statut.CLOS and p.statut in (S.INSCRIT, S.ATTENTE),
                ),
                (
                    "excuser",
                    "Excuser",
                    forum.statut != Forum.Statut.CLOS and p.statut in (S.INVITE, S.INSCRIT, S.ATTENTE),
                ),
                ("pointer", "Pointer présent", forum.pointage_ouvert(timezone.localdate()) and p.statut != S.PRESENT),
            )
            if permis
        ]
        return context

    def post(self, request, *args, **kwargs):
        self.object = p = self.get_object()
        form = ActionParticipationForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Action inconnue.")
            return HttpResponseRedirect(p.get_absolute_url())
        action = form.cleaned_data["action"]
        try:
            if action == "inscrire":
                p = services.participation_inscrire(forum=p.forum, beneficiaire=p.beneficiaire, par=request.user)
                if p.statut == S.ATTENTE:
                    messages.warning(request, f"Forum complet : liste d'attente, rang {p.rang_attente}.")
                else:
                    messages.success(request, "Inscription enregistrée.")
            elif action in ("annuler", "excuser"):
                service = services.participation_annuler if action == "annuler" else services.participation_excuser
                _, promues = service(participation=p, par=request.user)
                messages.success(request, "Inscription annulée." if action == "annuler" else "Personne excusée.")
                if promues:
                    messages.info(
                        request,
                        f"{compte(len(promues), 'personne')} de la liste d'attente "
                        f"{'inscrites' if est_pluriel(len(promues)) else 'inscrite'} à sa place.",
                    )
            else:
                services.participation_pointer(participation=p, par=request.user)
                messages.success(request, "Présence enregistrée.")
        except ValidationError as e:
            erreurs_en_message(request, e)
        return HttpResponseRedirect(p.get_absolute_url())


class OffreListeView(RoleRequisMixin, ExportMixin, SingleTableMixin, FilterView):
    roles = LECTEURS
    donnees_personnelles = False
    filterset_class = OffreFilter
    table_class = OffreTable
    template_name = "forums/offres.html"
    paginate_by = 50
    export_name = "offres-forums"

    def get_queryset(self):
        return OffreEmploi.objects.filter(
            exposant__forum__in=Forum.objects.visibles_par(self.request.user)
        ).select_related("exposant__structure", "exposant__forum")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["total_postes"] = total_postes(self.object_list)
        return context


class EntretienListeView(RoleRequisMixin, ExportMixin, SingleTableMixin, FilterView):
    roles = LECTEURS
    filterset_class = EntretienFilter
    table_class = EntretienTable
    template_name = "forums/entretiens.html"
    paginate_by = 50
    export_name = "entretiens-forums"

    def get_queryset(self):
        return Entretien.objects.filter(
            participation__in=Participation.objects.visibles_par(self.request.user)
        ).select_related("participation__beneficiaire", "participation__forum", "exposant__structure")


# -------------------------------------------------------------------------------------- jour du forum


class PointageView(ForumMixin, TemplateView):
    formulaire_url = RechercheForm
    """Pointage sur tablette : recherche rapide (GET, côté serveur), un bouton par personne (POST).
    Avec htmx, la liste se met à jour pendant la frappe ; sans JavaScript, le bouton Rechercher suffit."""

    roles = REDACTEURS
    template_name = "forums/pointage.html"

    def get_template_names(self):
        if getattr(self.request, "htmx", False):
            return ["forums/_pointage_resultats.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = RechercheForm(self.request.GET or None)
        q = form.cleaned_data["q"] if form.is_valid() else ""
        qs = (
            Participation.objects.visibles_par(self.request.user)
            .filter(forum=self.forum)
            .exclude(statut__in=(S.EXCUSE,))
            .select_related("beneficiaire__commune", "beneficiaire__foyer")
            .order_by("beneficiaire__nom", "beneficiaire__prenoms", "pk")
        )
        qs = filtrer_par_mots(qs, q, champ="beneficiaire__recherche")
        resultats = list(qs[: POINTAGE_MAX_RESULTATS + 1])
        context |= dict(
            recherche_form=form,
            q=q,
            resultats=resultats[:POINTAGE_MAX_RESULTATS],
            plus=len(resultats) > POINTAGE_MAX_RESULTATS,
            bilan=bilan_forum(self.forum),
            salle=etat_salle(self.forum, timezone.now()),
            pointage_ouvert=self.forum.pointage_ouvert(timezone.localdate()),
        )
        return context


class PointerView(ForumMixin, TemplateView):
    """Un geste à l'entrée (POST) : pointer présent, libérer la place d'un inscrit pas arrivé, ou annuler un
    pointage fait par erreur. Chacun passe par son service (verrou du forum, historique)."""

    roles = REDACTEURS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        p = get_object_or_404(
            Participation.objects.visibles_par(request.user).select_related("beneficiaire"),
            pk=self.kwargs["participation_pk"],
            forum=self.forum,
        )
        action = request.POST.get("action", "pointer")
        try:
            if action == "liberer":
                services.participation_liberer_place(participation=p, par=request.user)
                messages.success(
                    request,
                    f"Place de {p.beneficiaire} libérée ({genre('absent', p.beneficiaire.civilite)} pour l'instant).",
                )
            elif action == "annuler_pointage":
                services.participation_annuler_pointage(participation=p, par=request.user)
                messages.success(request, f"Pointage de {p.beneficiaire} annulé.")
            elif action == "pointer":
                services.participation_pointer(participation=p, par=request.user)
                messages.success(request, f"{p.beneficiaire} : {genre('présent', p.beneficiaire.civilite)}.")
            else:
                messages.error(request, "Action inconnue.")
        except ValidationError as e:
            erreurs_en_message(request, e)
        url = reverse("forums:pointage", args=[self.forum.pk])
        q = request.POST.get("q", "")
        return HttpResponseRedirect(f"{url}?{urlencode({'q': q})}" if q else url)


class SurPlaceView(ForumMixin, TemplateView):
    formulaire_url = RechercheForm
    """Une personne venue sans inscription : la chercher dans le registre (son périmètre), l'ajouter présente."""

    roles = REDACTEURS
    template_name = "forums/sur_place.html"

    def personnes(self):
        return Beneficiaire.objects.visibles_par(self.request.user).actifs()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = RechercheForm(self.request.GET or None)
        q = form.cleaned_data["q"] if form.is_valid() else ""
        resultats = []
        if normaliser(q):
            qs = (
                self.personnes()
                .select_related("commune")
                .prefetch_related(
                    Prefetch(
                        "participations_forums",
                        queryset=Participation.objects.filter(forum=self.forum),
                        to_attr="participation_ici",
                    )
                )
                .order_by("nom", "prenoms", "pk")
            )
            qs = filtrer_par_mots(qs, q)
            resultats = list(qs[: POINTAGE_MAX_RESULTATS + 1])
        context |= dict(
            recherche_form=form,
            q=q,
            resultats=resultats[:POINTAGE_MAX_RESULTATS],
            plus=len(resultats) > POINTAGE_MAX_RESULTATS,
            pointage_ouvert=self.forum.pointage_ouvert(timezone.localdate()),
        )
        return context

    def post(self, request, *args, **kwargs):
        pk = request.POST.get("beneficiaire", "")
        if not pk.isdigit():
            raise Http404("Personne non précisée.")
        b = get_object_or_404(self.personnes(), pk=pk)
        try:
            services.participation_ajouter_sur_place(forum=self.forum, beneficiaire=b, par=request.user)
            messages.success(request, f"{b} {genre('ajouté', b.civilite)} : {genre('présent', b.civilite)}.")
        except ValidationError as e:
            erreurs_en_message(request, e)
        return HttpResponseRedirect(reverse("forums:pointage", args=[self.forum.pk]))


# ---------------------------------------------------------------------------------------- impressions


class LettresView(ForumMixin, TemplateView):
    """Lettres d'invitation imprimables : une page par personne, avec le lieu et l'heure du forum."""

    template_name = "forums/lettres.html"
    STATUTS = {
        "invite": (S.INVITE,),
        "inscrit": (S.INSCRIT,),
        "tous": (S.INVITE, S.INSCRIT, S.ATTENTE),
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        choix = self.request.GET.get("statut", "tous")
        statuts = self.STATUTS.get(choix, self.STATUTS["tous"])
        context["choix"] = choix if choix in self.STATUTS else "tous"
        context["participations"] = (
            Participation.objects.visibles_par(self.request.user)
            .filter(forum=self.forum, statut__in=statuts)
            .select_related("beneficiaire__commune")
            .order_by("beneficiaire__nom", "beneficiaire__prenoms", "pk")
        )
        return context


class EmargementView(ForumMixin, TemplateView):
    """Feuille d'émargement : les personnes qui ont une place (inscrites ou déjà présentes)."""

    template_name = "forums/emargement.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["participations"] = (
            Participation.objects.visibles_par(self.request.user)
            .filter(forum=self.forum, statut__in=(S.INSCRIT, S.PRESENT))
            .select_related("beneficiaire__commune")
            .order_by("beneficiaire__nom", "beneficiaire__prenoms", "pk")
        )
        context["lignes_vierges"] = range(10)  # pour les personnes venues sans inscription
        return context

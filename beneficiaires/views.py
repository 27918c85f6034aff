from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import DetailView, FormView, ListView, TemplateView, View
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from commun.cache_pages import CorpsEnCacheMixin
from commun.exports import ExportMixin
from commun.formulaires import VueService, rattacher_erreurs
from commun.francais import compte, est_pluriel, genre
from comptes.acces import LECTEURS, REDACTEURS, RoleRequisMixin
from comptes.models import Role
from comptes.services import consultation_journaliser

from . import services
from .fiche import actions_pour
from .filters import BeneficiaireFilter
from .forms import (
    BeneficiaireForm,
    CorrespondanceForm,
    EvaluationPlanifierForm,
    EvaluationRealiserForm,
    ImportDepotForm,
    RattacherForm,
    ReaffectationForm,
    ReferentForm,
)
from .importation import (
    CHAMPS,
    ColonnesARelier,
    ImportImpossible,
    correspondances_de,
    lire_entetes,
    normaliser_entete,
)
from .importation.colonnes import analyser_colonnes
from .models import FREINS, Beneficiaire, DoublonProbable, Evaluation, ImportBeneficiaires, StatutParcours
from .selecteurs import (
    REAFFECTATION_LISTE_MAX,
    bassins_pour,
    beneficiaires_visibles,
    derniers_imports,
    doublons_a_examiner,
    evaluation_prevue,
    membres_du_foyer,
    noms_pour_reaffecter,
    personnes_a_rattacher,
    personnes_a_reaffecter,
    portefeuilles,
    referents_du_bassin,
    referents_pour_reaffecter,
    sans_referent_du_bassin,
)
from .tables import BeneficiaireTable
from .timeline import evenements

ROLES_FICHE = (Role.ADMINISTRATEUR, Role.PILOTAGE, Role.REFERENT, Role.PRESTATAIRE)
ROLES_IMPORT = (Role.ADMINISTRATEUR, Role.PILOTAGE)


class BeneficiaireListe(RoleRequisMixin, CorpsEnCacheMixin, ExportMixin, SingleTableMixin, FilterView):
    roles = LECTEURS
    table_class = BeneficiaireTable
    filterset_class = BeneficiaireFilter
    template_name = "beneficiaires/liste.html"
    gabarit_corps = "beneficiaires/_liste.html"
    espaces = ("beneficiaires", "comptes", "placement", "referentiel")  # placement : périmètre des prestataires
    table_pagination = {"per_page": 50}
    export_name = "beneficiaires"

    def get_queryset(self):
        return beneficiaires_visibles(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["peut_creer"] = self.request.user.a_role(*REDACTEURS)
        return context

    # Réaffectation depuis la liste : les cases sont dans le tableau (corps en cache), le formulaire « Réaffecter
    # à » et son jeton CSRF dans la mise en page, rendue à chaque requête ; il poste vers BeneficiairesReaffecter.
    def peut_reaffecter(self):
        return self.request.user.a_role(*REDACTEURS)

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        if not self.peut_reaffecter():
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "choix")
        return kwargs

    def contexte_page(self):
        if not self.peut_reaffecter():
            return {}
        return {"referents_reaffectation": noms_pour_reaffecter(self.request.user)}  # leurs noms, à chaque page


class BeneficiaireDetail(RoleRequisMixin, CorpsEnCacheMixin, DetailView):
    roles = ROLES_FICHE
    template_name = "beneficiaires/detail.html"
    gabarit_corps = "beneficiaires/_detail.html"
    context_object_name = "beneficiaire"

    def get(self, request, *args, **kwargs):
        # Le périmètre est vérifié et la consultation journalisée à chaque affichage, corps en cache ou non ; la
        # vérification ne lit que ce que la mise en page affiche (le nom), la fiche entière n'est lue qu'au calcul.
        self.object = get_object_or_404(
            Beneficiaire.objects.visibles_par(request.user).only("pk", "nom", "prenoms"), pk=kwargs["pk"]
        )
        consultation_journaliser(par=request.user, objet=self.object)
        return self.servir(self.calculer)

    def calculer(self):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(object=self.object))

    def contexte_page(self):
        return {"beneficiaire": self.object, "vue_restreinte": self.request.user.est_prestataire}

    def get_queryset(self):
        return Beneficiaire.objects.visibles_par(self.request.user).select_related(
            "foyer", "commune__bassin_emploi", "referent", "evaluation_courante__evaluateur"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        b, user = self.object, self.request.user
        courante = b.evaluation_courante
        context["vue_restreinte"] = user.est_prestataire
        context["freins"] = (
            [
                (libelle, getattr(courante, champ), getattr(courante, f"get_{champ}_display")())
                for champ, libelle in FREINS
            ]
            if courante
            else []
        )
        context["actions"] = actions_pour(b, user)
        if not user.est_prestataire:
            context["membres"] = membres_du_foyer(b, user)
            context["evenements"] = evenements(b, user)
            context["peut_modifier"] = user.a_role(*REDACTEURS) and b.statut_parcours != StatutParcours.ARCHIVE
            context["evaluation_prevue"] = evaluation_prevue(b)
        return context


class FormulaireServiceMixin(VueService):
    """La page à formulaire qui appelle un service (`commun.formulaires.VueService`) ; les formulaires du
    registre reçoivent en plus l'utilisateur (périmètre des choix proposés)."""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs


class BeneficiaireCreer(RoleRequisMixin, FormulaireServiceMixin):
    roles = REDACTEURS
    form_class = BeneficiaireForm
    template_name = "beneficiaires/formulaire.html"
    message_succes = "La personne est inscrite au registre."

    def executer(self, form):
        d = form.cleaned_data
        return services.beneficiaire_creer(
            par=self.request.user,
            numero_allocataire=d["numero_allocataire"],
            organisme=d["organisme"],
            etat_droit=d["etat_droit"],
            date_ouverture_droit=d["date_ouverture_droit"],
            **form.champs_personne(),
        )


class BeneficiaireObjetMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.beneficiaire = get_object_or_404(
                Beneficiaire.objects.visibles_par(request.user).select_related("foyer", "commune"), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(beneficiaire=self.beneficiaire, **kwargs)


class BeneficiaireModifier(RoleRequisMixin, BeneficiaireObjetMixin, FormulaireServiceMixin):
    roles = REDACTEURS
    form_class = BeneficiaireForm
    template_name = "beneficiaires/formulaire.html"
    message_succes = "La fiche est mise à jour."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.beneficiaire}

    def executer(self, form):
        d = form.cleaned_data
        return services.beneficiaire_modifier(
            beneficiaire=self.beneficiaire,
            par=self.request.user,
            etat_droit=d["etat_droit"],
            date_ouverture_droit=d["date_ouverture_droit"],
            **form.champs_personne(),
        )


class BeneficiaireReferent(RoleRequisMixin, BeneficiaireObjetMixin, FormulaireServiceMixin):
    roles = REDACTEURS
    form_class = ReferentForm
    template_name = "beneficiaires/referent.html"
    message_succes = "Le référent unique est désigné."

    def get_initial(self):
        return {"referent": self.beneficiaire.referent_id}

    def executer(self, form):
        return services.beneficiaire_assigner_referent(
            beneficiaire=self.beneficiaire, referent=form.cleaned_data["referent"], par=self.request.user
        )


class BeneficiaireArchiver(RoleRequisMixin, BeneficiaireObjetMixin, TemplateView):
    roles = REDACTEURS
    template_name = "beneficiaires/archiver.html"

    def post(self, request, *args, **kwargs):
        try:
            services.beneficiaire_archiver(beneficiaire=self.beneficiaire, par=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "La personne est archivée : ses données sont conservées.")
        return redirect(self.beneficiaire.get_absolute_url())


# --- Évaluations -----------------------------------------------------------------------------------------


class EvaluationPlanifier(RoleRequisMixin, BeneficiaireObjetMixin, FormulaireServiceMixin):
    roles = REDACTEURS
    form_class = EvaluationPlanifierForm
    template_name = "beneficiaires/evaluation_planifier.html"
    message_succes = "L'évaluation est planifiée."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "beneficiaire": self.beneficiaire}

    def executer(self, form):
        return services.evaluation_planifier(
            beneficiaire=self.beneficiaire,
            date=form.cleaned_data["date"],
            heure=form.cleaned_data["heure"],
            lieu=form.cleaned_data["lieu"],
            evaluateur=form.cleaned_data["evaluateur"],
            par=self.request.user,
        )


class ChargementMixin:
    """Placé après RoleRequisMixin : l'objet n'est cherché (404 hors périmètre) qu'une fois le rôle vérifié (403)."""

    def dispatch(self, request, *args, **kwargs):
        self.charger(request, kwargs)
        return super().dispatch(request, *args, **kwargs)


class EvaluationSaisir(RoleRequisMixin, ChargementMixin, FormulaireServiceMixin):
    """Saisie d'une évaluation réalisée : la prévue (pk d'évaluation) ou une nouvelle (pk de personne)."""

    roles = REDACTEURS
    form_class = EvaluationRealiserForm
    template_name = "beneficiaires/evaluation_realiser.html"
    message_succes = "L'évaluation est enregistrée : elle devient le profil en vigueur de la personne."

    def charger(self, request, kwargs):
        self.evaluation = None
        if "evaluation_pk" in kwargs:
            self.evaluation = get_object_or_404(
                Evaluation.objects.visibles_par(request.user).select_related("beneficiaire"),
                pk=kwargs["evaluation_pk"],
            )
            self.beneficiaire = self.evaluation.beneficiaire
        else:
            self.beneficiaire = get_object_or_404(Beneficiaire.objects.visibles_par(request.user), pk=kwargs["pk"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["beneficiaire"] = self.beneficiaire
        if self.evaluation is not None:
            kwargs["instance"] = self.evaluation
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(beneficiaire=self.beneficiaire, evaluation=self.evaluation, **kwargs)

    def executer(self, form):
        return services.evaluation_realiser(
            par=self.request.user,
            evaluation=self.evaluation,
            beneficiaire=None if self.evaluation else self.beneficiaire,
            evaluateur=form.cleaned_data["evaluateur"],
            **form.champs_evaluation(),
        )


class EvaluationDetail(RoleRequisMixin, DetailView):
    roles = LECTEURS
    template_name = "beneficiaires/evaluation_detail.html"
    context_object_name = "evaluation"

    def get_queryset(self):
        return Evaluation.objects.visibles_par(self.request.user).select_related("beneficiaire", "evaluateur")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        e = self.object
        consultation_journaliser(par=self.request.user, objet=e)
        context["freins"] = [
            (libelle, getattr(e, f"get_{champ}_display")(), getattr(e, champ)) for champ, libelle in FREINS
        ]
        context["peut_agir"] = self.request.user.a_role(*REDACTEURS) and e.statut == Evaluation.Statut.PREVUE
        return context


class EvaluationConvocation(RoleRequisMixin, DetailView):
    """La lettre de convocation au rendez-vous d'évaluation (une page A4) : date, heure et lieu planifiés."""

    roles = LECTEURS
    template_name = "beneficiaires/evaluation_convocation.html"
    context_object_name = "evaluation"

    def get_queryset(self):
        return (
            Evaluation.objects.visibles_par(self.request.user)
            .filter(statut=Evaluation.Statut.PREVUE)
            .select_related("beneficiaire__commune", "beneficiaire__foyer", "evaluateur")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        consultation_journaliser(par=self.request.user, objet=self.object)
        return context


class EvaluationAnnuler(RoleRequisMixin, ChargementMixin, TemplateView):
    roles = REDACTEURS
    template_name = "beneficiaires/evaluation_annuler.html"

    def charger(self, request, kwargs):
        self.evaluation = get_object_or_404(
            Evaluation.objects.visibles_par(request.user).select_related("beneficiaire"), pk=kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(evaluation=self.evaluation, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            services.evaluation_annuler(evaluation=self.evaluation, par=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "L'évaluation prévue est annulée.")
        return redirect(self.evaluation.beneficiaire.get_absolute_url())


# --- Import des listes -----------------------------------------------------------------------------------


class ImportDepot(RoleRequisMixin, FormView):
    roles = ROLES_IMPORT
    form_class = ImportDepotForm
    template_name = "beneficiaires/import_depot.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["derniers"] = derniers_imports(self.request.user)
        return context

    def form_valid(self, form):
        fichier = form.cleaned_data["fichier"]
        if fichier.size > self.taille_max():
            form.add_error("fichier", ImportImpossible(self.message_taille()).messages)
            return self.form_invalid(form)
        try:
            depot = services.import_deposer(
                par=self.request.user,
                fichier_nom=fichier.name,
                contenu=fichier.read(),
                source=form.cleaned_data["source"],
            )
        except ValidationError as exc:
            rattacher_erreurs(
                form, ValidationError({"fichier": exc.messages}) if not hasattr(exc, "error_dict") else exc
            )
            return self.form_invalid(form)
        return redirect(depot.get_absolute_url())

    def taille_max(self):
        from django.conf import settings

        return settings.IMPORT_TAILLE_MAX

    def message_taille(self):
        return (
            f"Le fichier dépasse la taille autorisée ({self.taille_max() // (1024 * 1024)} Mo). "
            "Découpez la liste en plusieurs fichiers."
        )


class ImportObjetMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            depots = ImportBeneficiaires.objects.visibles_par(request.user)
            self.depot = get_object_or_404(
                depots.select_related("utilisateur", "progression__utilisateur"), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(depot=self.depot, **kwargs)


class ImportApercu(RoleRequisMixin, ImportObjetMixin, TemplateView):
    """Aperçu (essai à blanc) : ce que l'import ferait, ligne par ligne pour les rejets et les avertissements.
    Calculé une fois et rangé : un rechargement ne relit pas le fichier. Rien n'est écrit au registre."""

    roles = ROLES_IMPORT
    template_name = "beneficiaires/import_apercu.html"

    def get(self, request, *args, **kwargs):
        if self.depot.statut == ImportBeneficiaires.Statut.EN_COURS:
            # L'avancement de la tâche : à qui l'a lancée seulement (les autres voient que l'import est en cours).
            avancement = self.depot.progression
            if avancement is not None and avancement.utilisateur_id != request.user.pk:
                avancement = None
            return self.render_to_response(self.get_context_data(termine=True, en_cours=True, avancement=avancement))
        if self.depot.statut != ImportBeneficiaires.Statut.DEPOSE:
            return self.render_to_response(self.get_context_data(bilan=self.depot.bilan, termine=True))
        try:
            bilan = services.import_apercevoir(depot=self.depot, par=request.user)
        except ColonnesARelier:
            return redirect("beneficiaires:import_correspondance", pk=self.depot.pk)
        except ValidationError as exc:
            return self.render_to_response(self.get_context_data(erreur=" ".join(exc.messages)))
        return self.render_to_response(self.get_context_data(bilan=bilan, termine=False))


class ImportCorrespondance(RoleRequisMixin, ImportObjetMixin, FormView):
    """Toutes les colonnes du fichier, reconnues ou non, chacune reliée à un champ ou ignorée ; le choix est
    retenu pour la source."""

    roles = ROLES_IMPORT
    template_name = "beneficiaires/import_correspondance.html"
    form_class = CorrespondanceForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        entetes = lire_entetes(bytes(self.depot.contenu))
        self.analyse = analyser_colonnes(entetes, correspondances_de(self.depot.source))
        colonnes, vues = [], set()
        for index, entete in enumerate(entetes):
            cle = normaliser_entete(entete)
            if cle and cle not in vues:
                vues.add(cle)
                colonnes.append((cle, entete, self.analyse.colonnes.get(index, "")))
        kwargs["colonnes"] = colonnes
        return kwargs

    def get(self, request, *args, **kwargs):
        return self._traiter(super().get, request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._traiter(super().post, request, *args, **kwargs)

    def _traiter(self, methode, request, *args, **kwargs):
        if self.depot.statut != ImportBeneficiaires.Statut.DEPOSE:
            return redirect(self.depot.get_absolute_url())
        try:
            return methode(request, *args, **kwargs)
        except ImportImpossible as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("beneficiaires:import")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["non_reconnues"] = len(self.analyse.non_reconnues)
        context["manquants"] = [CHAMPS[c] for c in self.analyse.manquants]
        return context

    def form_valid(self, form):
        try:
            services.correspondance_enregistrer(
                source=self.depot.source, correspondances=form.correspondances(), par=self.request.user
            )
        except ValidationError as exc:
            rattacher_erreurs(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, f"Correspondance des colonnes enregistrée pour la source « {self.depot.source} »."
        )
        return redirect(self.depot.get_absolute_url())


class ImportConfirmer(RoleRequisMixin, ImportObjetMixin, View):
    roles = ROLES_IMPORT
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        # L'import s'exécute en tâche ; la page de l'import montre son avancement à qui l'a lancé.
        try:
            services.import_lancer(depot=self.depot, par=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.info(request, "Import lancé : cette page montre son avancement, puis son bilan.")
        return redirect(self.depot.get_absolute_url())


class ImportAbandonner(RoleRequisMixin, ImportObjetMixin, View):
    roles = ROLES_IMPORT
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            services.import_abandonner(depot=self.depot, par=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Import abandonné : rien n'a été écrit et le fichier est effacé.")
        return redirect(reverse("beneficiaires:import"))


# --- Personnes à rattacher et doublons probables ------------------------------------------------------------


class ARattacherListe(RoleRequisMixin, ListView):
    """Personnes importées dont l'adresse n'a pas été reconnue : sans commune, donc sans bassin ni référent."""

    roles = ROLES_IMPORT
    template_name = "beneficiaires/a_rattacher.html"
    context_object_name = "personnes"
    paginate_by = 50

    def get_queryset(self):
        return personnes_a_rattacher(self.request.user).order_by("nom", "prenoms", "pk")


class Rattacher(RoleRequisMixin, BeneficiaireObjetMixin, FormView):
    roles = ROLES_IMPORT
    template_name = "beneficiaires/rattacher.html"
    form_class = RattacherForm

    def form_valid(self, form):
        try:
            services.beneficiaire_rattacher_commune(
                beneficiaire=self.beneficiaire, commune=form.cleaned_data["commune"], par=self.request.user
            )
        except ValidationError as exc:
            rattacher_erreurs(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{self.beneficiaire} est {genre('rattaché', self.beneficiaire.civilite)} "
            f"à {form.cleaned_data['commune'].nom}.",
        )
        return redirect("beneficiaires:a_rattacher")


class DoublonListe(RoleRequisMixin, ListView):
    roles = ROLES_IMPORT
    template_name = "beneficiaires/doublons.html"
    context_object_name = "doublons"
    paginate_by = 50

    def get_queryset(self):
        return doublons_a_examiner(self.request.user)


class DoublonObjetMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.doublon = get_object_or_404(
                DoublonProbable.objects.visibles_par(request.user).select_related(
                    "existant__foyer", "existant__commune", "traite_par", "cree"
                ),
                pk=kwargs["pk"],
            )
        return super().dispatch(request, *args, **kwargs)


class DoublonDetail(RoleRequisMixin, DoublonObjetMixin, TemplateView):
    """Les deux fiches côte à côte : même personne (fusion) ou personnes différentes (création)."""

    roles = ROLES_IMPORT
    template_name = "beneficiaires/doublon.html"

    def get_context_data(self, **kwargs):
        from .importation.preparation import lignes_depuis_json

        (ligne,) = lignes_depuis_json([self.doublon.donnees])
        champs = ("nom", "prenoms", "date_naissance", "commune", "adresse_brute", "adresse", "telephone", "email")
        personne = {champ: "" for champ in (*champs, "identifiant_externe")} | ligne.valeurs_personne
        return super().get_context_data(doublon=self.doublon, ligne=ligne, personne=personne, **kwargs)

    def post(self, request, *args, **kwargs):
        action = {"fusionner": services.doublon_fusionner, "distinguer": services.doublon_distinguer}.get(
            request.POST.get("decision")
        )
        if action is None:
            messages.error(request, "Choisissez : même personne, ou personnes différentes.")
            return redirect(self.doublon.get_absolute_url())
        try:
            action(doublon=self.doublon, par=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.doublon.get_absolute_url())
        messages.success(request, "Décision enregistrée.")
        return redirect("beneficiaires:doublons")


# --- Portefeuilles par bassin et réaffectation -------------------------------------------------------------


class BeneficiairesReaffecter(RoleRequisMixin, View):
    """Les personnes cochées dans la liste des bénéficiaires, confiées à un autre référent en une action, par le
    même service que la page du bassin (périmètre, bassin du référent, plafond, historique et fil de chacune)."""

    roles = REDACTEURS
    http_method_names = ["post"]

    def retour(self):
        from django.utils.http import url_has_allowed_host_and_scheme

        liste = reverse("beneficiaires:liste")
        demande = self.request.POST.get("retour", "")
        sure = url_has_allowed_host_and_scheme(demande, allowed_hosts={self.request.get_host()})
        return demande if sure and demande.startswith(liste) else liste

    def post(self, request, *args, **kwargs):
        form = ReaffectationForm(
            request.POST,
            personnes=Beneficiaire.objects.visibles_par(request.user),
            referents=referents_pour_reaffecter(request.user),
        )
        form.fields["beneficiaires"].error_messages.update(
            required="Cochez au moins une personne à réaffecter.",
            invalid_choice="Une des personnes cochées n'est pas dans votre périmètre : rien n'a été changé.",
        )
        form.fields["referent"].error_messages.update(
            required="Choisissez le référent à qui confier les personnes cochées.",
            invalid_choice="Ce référent ne suit aucun de vos bassins d'emploi : rien n'a été changé.",
        )
        if form.is_valid():
            referent = form.cleaned_data["referent"]
            try:
                nombre = services.beneficiaires_reaffecter(
                    beneficiaires=form.cleaned_data["beneficiaires"], referent=referent, par=request.user
                )
            except ValidationError as erreur:
                messages.error(request, " ".join(erreur.messages))
            else:
                if nombre:
                    messages.success(
                        request,
                        f"{compte(nombre, 'personne confiée')} à {referent}. "
                        f"{'Leur' if est_pluriel(nombre) else 'Son'} fil le mentionne.",
                    )
                else:
                    cochees = len(form.cleaned_data["beneficiaires"])
                    deja = (
                        "les personnes cochées sont déjà suivies"
                        if est_pluriel(cochees)
                        else "la personne cochée est déjà suivie"
                    )
                    messages.info(request, f"Rien à changer : {deja} par {referent}.")
        else:
            messages.error(request, " ".join(m for erreurs in form.errors.values() for m in erreurs))
        return redirect(self.retour())


class Portefeuilles(RoleRequisMixin, TemplateView):
    """Les bassins de l'utilisateur, chacun vers la page de ses portefeuilles."""

    roles = LECTEURS
    template_name = "beneficiaires/portefeuilles.html"

    def get(self, request, *args, **kwargs):
        bassins = list(bassins_pour(request.user)[:2])
        if len(bassins) == 1:
            return redirect("beneficiaires:portefeuille", bassin=bassins[0].pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(bassins=bassins_pour(self.request.user), **kwargs)


class Portefeuille(RoleRequisMixin, ChargementMixin, FormView):
    """Les référents d'un bassin avec leurs personnes suivies, à évaluer, en retard ; puis la liste des personnes
    d'un référent (ou sans référent) à cocher pour les confier à un autre référent, en une action."""

    roles = LECTEURS
    template_name = "beneficiaires/portefeuille.html"
    form_class = ReaffectationForm

    def charger(self, request, kwargs):
        self.bassin = get_object_or_404(bassins_pour(request.user), pk=kwargs["bassin"])
        # « aucun », ou l'identifiant d'un référent (entier de la base : au plus 18 chiffres) ; sinon rien.
        source = request.GET.get("referent", "")
        self.source = source if source == "aucun" or (source.isdigit() and len(source) <= 18) else ""

    def post(self, request, *args, **kwargs):
        if not request.user.a_role(*REDACTEURS):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "personnes": personnes_a_reaffecter(self.request.user, self.bassin, self.source),
            "referents": referents_du_bassin(self.bassin),
        }

    def form_valid(self, form):
        try:
            nombre = services.beneficiaires_reaffecter(
                beneficiaires=form.cleaned_data["beneficiaires"],
                referent=form.cleaned_data["referent"],
                par=self.request.user,
            )
        except ValidationError as erreur:
            rattacher_erreurs(form, erreur)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{compte(nombre, 'personne confiée')} à {form.cleaned_data['referent']}. "
            f"{'Leur' if est_pluriel(nombre) else 'Son'} fil le mentionne.",
        )
        return redirect(self.request.get_full_path())

    def get_context_data(self, **kwargs):
        from django.utils import timezone

        contexte = super().get_context_data(**kwargs)
        form = contexte["form"]
        personnes = list(form.fields["beneficiaires"].queryset[: REAFFECTATION_LISTE_MAX + 1])
        contexte.update(
            bassin=self.bassin,
            portefeuilles=portefeuilles(self.bassin, timezone.localdate()),
            sans_referent=sans_referent_du_bassin(self.bassin),
            source=self.source,
            personnes=personnes[:REAFFECTATION_LISTE_MAX],
            liste_tronquee=len(personnes) > REAFFECTATION_LISTE_MAX,
            peut_reaffecter=self.request.user.a_role(*REDACTEURS),
        )
        return contexte

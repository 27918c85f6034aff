from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from beneficiaires.models import Beneficiaire, Evaluation
from commun.exports import ExportMixin
from commun.formulaires import VueService
from comptes.acces import RoleRequisMixin
from comptes.models import Role
from comptes.services import consultation_journaliser, export_journaliser

from . import services
from .filters import LotFilter, OrientationFilter, ResultatFilter
from .forms import (
    DateReponseForm,
    DeclarationResultatForm,
    MaintienForm,
    OrientationProposerForm,
    PaiementResultatForm,
    RefusForm,
    RejetResultatForm,
    SortieForm,
    SuiviForm,
)
from .justificatifs import EXTENSIONS
from .models import Lot, Orientation, ResultatPaye, StatutResultat
from .selecteurs import ROLES_MONTANTS, fil_orientation, orientations_detaillees, synthese_libellee
from .tables import LotTable, OrientationTable, ResultatTable

S = Orientation.Statut
A, P, R, PR = Role.ADMINISTRATEUR, Role.PILOTAGE, Role.REFERENT, Role.PRESTATAIRE
LECTEURS = (A, P, R, PR)
ACTEURS_PRESTATAIRE = (A, PR)  # répondre, suivre, enregistrer les sorties
PRESCRIPTEURS = (A, R)
VERIFICATEURS = (A, P)  # le Département vérifie les résultats déclarés et enregistre leur paiement


CHAMPS_PRINCIPAUX = ["q", "prestataire", "bassin", "lot", "statut", "attente", "proposee_apres", "proposee_avant"]


class OrientationListView(RoleRequisMixin, ExportMixin, SingleTableMixin, FilterView):
    roles = LECTEURS
    model = Orientation
    table_class = OrientationTable
    filterset_class = OrientationFilter
    template_name = "placement/liste.html"
    paginate_by = 50
    export_name = "orientations"

    def get_queryset(self):
        return (
            Orientation.objects.visibles_par(self.request.user)
            .select_related("beneficiaire__commune__bassin_emploi", "lot__prestataire", "sortie")
            .avec_attente()
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        table = context["table"]
        context["nb_resultats"] = table.page.paginator.count if getattr(table, "page", None) else len(table.rows)
        context["voit_etat"] = self.request.user.a_role(*ROLES_MONTANTS)
        if self.request.user.est_prestataire:
            # L'espace du prestataire : la capacité utilisée de chacun de ses lots, en une requête.
            context["mes_lots"] = list(
                Lot.objects.visibles_par(self.request.user)
                .avec_occupation()
                .select_related("marche")
                .order_by("-date_fin", "numero")
            )
        context["champs_principaux"] = CHAMPS_PRINCIPAUX
        context["nb_attente_longue"] = Orientation.objects.visibles_par(self.request.user).en_attente_longue().count()
        return context


class OrientationDetailView(RoleRequisMixin, DetailView):
    roles = LECTEURS
    template_name = "placement/detail.html"
    context_object_name = "orientation"

    def get_queryset(self):
        return orientations_detaillees(Orientation.objects.visibles_par(self.request.user)).select_related(
            "beneficiaire__evaluation_courante"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        o = self.object
        consultation_journaliser(par=self.request.user, objet=o)
        user = self.request.user
        evaluation = o.beneficiaire.evaluation_courante
        if evaluation is not None and evaluation.statut != Evaluation.Statut.REALISEE:
            evaluation = None
        lot = Lot.objects.avec_occupation().get(pk=o.lot_id)
        peut_agir = user.a_role(*ACTEURS_PRESTATAIRE)
        sortie = getattr(o, "sortie", None)
        # Le prestataire ne voit plus la personne (coordonnées, profil) passé le délai qui suit la clôture.
        acces_personne = not user.est_prestataire or o.acces_prestataire_ouvert()
        if not acces_personne:
            evaluation = None
        context.update(
            {
                "acces_personne": acces_personne,
                "fin_acces": o.fin_acces_prestataire(),
                "resultats": list(o.resultats.all()),
                "peut_declarer": peut_agir and bool(services.resultats_declarables(o)),
                "evaluation": evaluation,
                "metiers": [m for m in (evaluation.metiers_vises.splitlines() if evaluation else []) if m.strip()],
                "freins": evaluation.freins() if evaluation else [],
                "lot_occupation": lot,
                "sortie": sortie,
                "evenements": sorted(fil_orientation(o, user), key=lambda e: e.cle_tri, reverse=True),
                "peut_agir": peut_agir,
                "voit_montants": user.a_role(*ROLES_MONTANTS),
                "url_fiche": None
                if user.est_prestataire
                else reverse("beneficiaires:detail", args=[o.beneficiaire_id]),
                "attente_jours": o.attente_jours(),
                "attente_longue": (o.attente_jours() or 0) >= 15,
                "peut_suivi_emploi": peut_agir and sortie is not None and sortie.en_emploi,
            }
        )
        return context


class ActionOrientationView(RoleRequisMixin, VueService):
    """Une action du prestataire sur une orientation de son périmètre (404 hors périmètre), par un formulaire."""

    roles = ACTEURS_PRESTATAIRE
    template_name = "placement/action.html"
    titre = ""
    bouton = "Enregistrer"
    statuts = tuple(Orientation.Statut.values)  # statuts où l'action a un sens (sinon la page l'explique)

    def get_orientation(self):
        if not hasattr(self, "_orientation"):
            self._orientation = get_object_or_404(
                Orientation.objects.visibles_par(self.request.user).select_related("beneficiaire", "lot__prestataire"),
                pk=self.kwargs["pk"],
            )
        return self._orientation

    def get(self, request, *args, **kwargs):
        self.get_orientation()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.get_orientation()
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        orientation = self.get_orientation()
        context.update(
            {
                "orientation": orientation,
                "titre": self.titre,
                "bouton": self.bouton,
                "possible": orientation.statut in self.statuts,
            }
        )
        return context

    def get_success_url(self):
        return self.get_orientation().get_absolute_url()


class AccepterView(ActionOrientationView):
    form_class = DateReponseForm
    titre = "Accepter l'orientation"
    bouton = "Accepter"
    message_succes = "Orientation acceptée : une place du lot est réservée à la personne."

    statuts = (S.PROPOSEE,)

    def executer(self, form):
        donnees = form.cleaned_data
        services.orientation_accepter(orientation=self.get_orientation(), par=self.request.user, date=donnees["date"])


class RefuserView(ActionOrientationView):
    form_class = RefusForm
    titre = "Refuser l'orientation"
    bouton = "Refuser"
    message_succes = "Orientation refusée ; le motif est transmis au prescripteur."

    statuts = (S.PROPOSEE,)

    def executer(self, form):
        donnees = form.cleaned_data
        services.orientation_refuser(
            orientation=self.get_orientation(),
            par=self.request.user,
            motif=donnees["motif_refus"],
            date=donnees["date"],
        )


class DemarrerView(ActionOrientationView):
    form_class = DateReponseForm
    titre = "Entrée en accompagnement"
    bouton = "Enregistrer l'entrée"
    message_succes = "Entrée en accompagnement enregistrée."

    statuts = (S.ACCEPTEE,)

    def executer(self, form):
        donnees = form.cleaned_data
        services.orientation_demarrer_accompagnement(
            orientation=self.get_orientation(), par=self.request.user, date=donnees["date"]
        )


class SuiviView(ActionOrientationView):
    form_class = SuiviForm
    titre = "Enregistrer un suivi"
    message_succes = "Suivi enregistré."

    statuts = (S.ACCEPTEE, S.EN_ACCOMPAGNEMENT, S.SORTIE)

    def executer(self, form):
        donnees = form.cleaned_data
        services.suivi_enregistrer(orientation=self.get_orientation(), par=self.request.user, **donnees)


class SortieView(ActionOrientationView):
    form_class = SortieForm
    titre = "Enregistrer la sortie"
    message_succes = "Sortie enregistrée : l'orientation est close."

    statuts = (S.ACCEPTEE, S.EN_ACCOMPAGNEMENT)

    def executer(self, form):
        donnees = form.cleaned_data
        services.sortie_enregistrer(orientation=self.get_orientation(), par=self.request.user, **donnees)


class MaintienView(ActionOrientationView):
    form_class = MaintienForm
    titre = "Suivi dans l'emploi"
    message_succes = "Suivi dans l'emploi enregistré."

    statuts = (S.SORTIE,)

    def executer(self, form):
        donnees = form.cleaned_data
        sortie = getattr(self.get_orientation(), "sortie", None)
        if sortie is None:
            raise ValidationError("Aucune sortie n'est enregistrée : le suivi dans l'emploi suit une sortie en emploi.")
        services.maintien_en_emploi_enregistrer(sortie=sortie, par=self.request.user, **donnees)


class DeclarerResultatView(ActionOrientationView):
    """Le prestataire déclare un résultat acquis, avec son justificatif ; le Département le vérifiera."""

    form_class = DeclarationResultatForm
    titre = "Déclarer un résultat"
    bouton = "Déclarer le résultat"
    message_succes = "Résultat déclaré : il sera payé une fois vérifié par le Département."

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["natures"] = services.resultats_declarables(self.get_orientation())
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not context["form"].fields["nature"].choices[1:]:
            context["possible"] = False
        return context

    def executer(self, form):
        return services.resultat_declarer(
            orientation=self.get_orientation(),
            nature=form.cleaned_data["nature"],
            justificatif=form.cleaned_data["justificatif"],
            par=self.request.user,
        )

    def get_success_url(self):
        return self.objet.get_absolute_url()


def _resultats_visibles(user):
    return ResultatPaye.objects.visibles_par(user).select_related(
        "orientation__beneficiaire", "lot__marche", "lot__prestataire", "declare_par", "decide_par"
    )


class ResultatDetailView(RoleRequisMixin, DetailView):
    """Un résultat : ce qui est déclaré, le justificatif, la vérification du Département et le paiement."""

    roles = ROLES_MONTANTS
    template_name = "placement/resultat.html"
    context_object_name = "resultat"

    def get_queryset(self):
        return _resultats_visibles(self.request.user).prefetch_related("lot__bassins")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        r, user = self.object, self.request.user
        verificateur = user.a_role(*VERIFICATEURS)
        context.update(
            {
                "peut_verifier": verificateur and r.statut == StatutResultat.DECLARE,
                "peut_payer": verificateur and r.statut == StatutResultat.VALIDE,
                "form_rejet": RejetResultatForm(),
                "form_paiement": PaiementResultatForm(),
            }
        )
        return context


class JustificatifView(RoleRequisMixin, View):
    """Le justificatif d'un résultat, lu dans le stockage privé : seulement pour les rôles qui voient les montants,
    dans leur périmètre ; en pièce jointe, jamais mis en cache, consultation et export journalisés."""

    roles = ROLES_MONTANTS

    def get(self, request, pk):
        resultat = get_object_or_404(ResultatPaye.objects.visibles_par(request.user), pk=pk)
        if not resultat.justificatif:
            raise Http404("Aucun justificatif pour ce résultat.")
        try:
            fichier = resultat.justificatif.open("rb")
        except FileNotFoundError:
            raise Http404("Le fichier du justificatif est introuvable.") from None
        extension = EXTENSIONS.get(resultat.justificatif_type, "bin")
        # Un fichier emporté est un export : journal des consultations et journal des exports.
        consultation_journaliser(par=request.user, objet=resultat)
        export_journaliser(
            par=request.user,
            vue=request.resolver_match.view_name,
            filtres=f"resultat={resultat.pk}",
            format=extension,
            lignes=1,
        )
        reponse = FileResponse(
            fichier,
            as_attachment=True,
            filename=f"justificatif-resultat-{resultat.pk}.{extension}",
            content_type=resultat.justificatif_type or "application/octet-stream",
        )
        reponse["Cache-Control"] = "no-store, private"
        reponse["X-Content-Type-Options"] = "nosniff"
        return reponse


class ActionResultatMixin(RoleRequisMixin):
    roles = VERIFICATEURS

    def get_resultat(self):
        if not hasattr(self, "_resultat"):
            self._resultat = get_object_or_404(_resultats_visibles(self.request.user), pk=self.kwargs["pk"])
        return self._resultat


class ValiderResultatView(ActionResultatMixin, View):
    """Service fait : un bouton sur la page du résultat (POST seulement)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        resultat = self.get_resultat()
        try:
            services.resultat_valider(resultat=resultat, par=request.user)
        except ValidationError as erreur:
            messages.error(request, " ".join(erreur.messages))
        else:
            messages.success(request, "Résultat validé : service fait, il est dû au prestataire.")
        return redirect(resultat.get_absolute_url())


class ActionResultatView(ActionResultatMixin, VueService):
    template_name = "placement/action_resultat.html"
    titre = ""
    bouton = "Enregistrer"

    def get(self, request, *args, **kwargs):
        self.get_resultat()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.get_resultat()
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"resultat": self.get_resultat(), "titre": self.titre, "bouton": self.bouton})
        return context


class RejeterResultatView(ActionResultatView):
    form_class = RejetResultatForm
    titre = "Rejeter le résultat"
    bouton = "Rejeter"
    message_succes = "Résultat rejeté ; le motif est montré au prestataire."

    def executer(self, form):
        return services.resultat_rejeter(
            resultat=self.get_resultat(), par=self.request.user, motif=form.cleaned_data["motif_rejet"]
        )


class PayerResultatView(ActionResultatView):
    form_class = PaiementResultatForm
    titre = "Enregistrer le paiement"
    bouton = "Enregistrer le paiement"
    message_succes = "Paiement enregistré."

    def executer(self, form):
        d = form.cleaned_data
        return services.resultat_marquer_paye(
            resultat=self.get_resultat(),
            par=self.request.user,
            date_paiement=d["date_paiement"],
            reference=d["reference"],
        )


class OrienterView(RoleRequisMixin, VueService):
    """Depuis la fiche de la personne : l'orienter vers le prestataire du lot de son bassin."""

    roles = PRESCRIPTEURS
    form_class = OrientationProposerForm
    template_name = "placement/orienter.html"

    def get_beneficiaire(self):
        if not hasattr(self, "_beneficiaire"):
            self._beneficiaire = get_object_or_404(
                Beneficiaire.objects.visibles_par(self.request.user).select_related("commune__bassin_emploi"),
                pk=self.kwargs["beneficiaire_pk"],
            )
        return self._beneficiaire

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        b = self.get_beneficiaire()
        kwargs["bassin"] = b.commune.bassin_emploi_id if b.commune_id else None  # sans commune : aucun lot
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        b = self.get_beneficiaire()
        context.update(
            {
                "beneficiaire": b,
                "url_fiche": reverse("beneficiaires:detail", args=[b.pk]),
                "ouverte": Orientation.objects.filter(beneficiaire=b)
                .ouvertes()
                .select_related("lot__prestataire")
                .first(),
                "lots_en_vigueur": context["form"].lots_en_vigueur,
                "jour_lots": context["form"].jour,
            }
        )
        return context

    def executer(self, form):
        d = form.cleaned_data
        return services.orientation_proposer(
            beneficiaire=self.get_beneficiaire(),
            par=self.request.user,
            lot=d["lot"],
            date=d["date_proposition"],
            observations=d["observations"],
        )

    def get_message_succes(self):
        return f"Orientation proposée à {self.objet.lot.prestataire}."


class LotListView(RoleRequisMixin, ExportMixin, SingleTableMixin, FilterView):
    """Les lots et leur capacité utilisée ; un prestataire ne voit que les siens."""

    roles = LECTEURS
    table_class = LotTable
    filterset_class = LotFilter
    template_name = "placement/lots.html"
    donnees_personnelles = False
    export_name = "lots-placement"

    def get_queryset(self):
        return (
            Lot.objects.visibles_par(self.request.user)
            .avec_occupation()
            .select_related("marche", "prestataire")
            .prefetch_related("bassins")
            .order_by("marche", "numero")
        )


class EtatResultatsView(RoleRequisMixin, ExportMixin, SingleTableMixin, FilterView):
    """État des résultats : chaque résultat payé (personne, date), quantité x prix unitaire = montant."""

    roles = ROLES_MONTANTS
    table_class = ResultatTable
    filterset_class = ResultatFilter
    template_name = "placement/etat.html"
    paginate_by = 100
    export_name = "etat-des-resultats"

    def peut_exporter(self):
        # Le prestataire exporte son propre état (facturation) : il ne contient que des personnes orientées vers lui.
        return self.request.user.est_prestataire or super().peut_exporter()

    def get(self, request, *args, **kwargs):
        user = request.user
        demande = request.GET.get("prestataire")
        if user.est_prestataire and demande and demande != str(user.structure_id):
            raise Http404("Ce prestataire n'est pas le vôtre.")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return (
            ResultatPaye.objects.visibles_par(self.request.user)
            .select_related("orientation__beneficiaire", "lot__marche", "lot__prestataire")
            .prefetch_related("lot__bassins")
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        qs = self.object_list
        context["verificateur"] = self.request.user.a_role(*VERIFICATEURS)
        context["synthese"] = synthese_libellee(qs)
        context["totaux"] = qs.totaux()
        context["total"] = context["totaux"]["service_fait"]
        return context

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from beneficiaires.models import Beneficiaire, Evaluation
from commun.exports import ExportMixin
from commun.formulaires import VueService
from comptes.acces import RoleRequisMixin
from comptes.models import Role
from comptes.services import consultation_journaliser

from . import services
from .filters import LotFilter, OrientationFilter, ResultatFilter
from .forms import DateReponseForm, MaintienForm, OrientationProposerForm, RefusForm, SortieForm, SuiviForm
from .models import Lot, Orientation, ResultatPaye
from .selecteurs import ROLES_MONTANTS, fil_orientation, orientations_detaillees
from .tables import LotTable, OrientationTable, ResultatTable

S = Orientation.Statut
A, P, R, PR = Role.ADMINISTRATEUR, Role.PILOTAGE, Role.REFERENT, Role.PRESTATAIRE
LECTEURS = (A, P, R, PR)
ACTEURS_PRESTATAIRE = (A, PR)  # répondre, suivre, enregistrer les sorties
PRESCRIPTEURS = (A, R)


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
        context.update(
            {
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
        en_vigueur = list(services.lots_possibles(beneficiaire=b, date=timezone.localdate()))
        bassin = b.commune.bassin_emploi_id if b.commune_id else None
        kwargs["lots"] = (
            Lot.objects.filter(bassins=bassin).select_related("prestataire", "marche") if bassin else Lot.objects.none()
        )
        self.lots_en_vigueur = en_vigueur
        return kwargs

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if len(self.lots_en_vigueur) == 1:
            form.fields["lot"].initial = self.lots_en_vigueur[0].pk
        return form

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
                "lots_en_vigueur": self.lots_en_vigueur,
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
        return ResultatPaye.objects.visibles_par(self.request.user).select_related(
            "orientation__beneficiaire", "lot__prestataire"
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        qs = self.object_list
        context["synthese"] = list(qs.synthese())
        context["total"] = qs.total()
        nature = dict(ResultatPaye.Nature.choices)
        for ligne in context["synthese"]:
            ligne["nature_libelle"] = nature.get(ligne["nature"], ligne["nature"])
        return context

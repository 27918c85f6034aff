from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from commun.admin import LectureSeuleMixin

from . import services
from .models import Entretien, Exposant, Forum, OffreEmploi, Participation


class ExposantInline(LectureSeuleMixin, admin.TabularInline):
    model = Exposant
    extra = 0
    fields = ["structure", "stand", "contact_nom"]
    show_change_link = True


class ForumAdminForm(forms.ModelForm):
    class Meta:
        model = Forum
        fields = list(services.CHAMPS_FORUM)

    def clean(self):
        donnees = super().clean()
        try:
            services.forum_verifier_capacite(forum=self.instance, capacite=donnees.get("capacite"))
        except ValidationError as erreur:
            for champ, messages_ in erreur.message_dict.items():
                self.add_error(champ, messages_)
        return donnees


@admin.register(Forum)
class ForumAdmin(SimpleHistoryAdmin):
    form = ForumAdminForm
    list_display = ["titre", "date", "commune", "secteur", "statut", "capacite"]
    list_filter = ["statut", "secteur", "commune__bassin_emploi"]
    search_fields = ["titre", "commune__nom"]
    date_hierarchy = "date"
    autocomplete_fields = ["commune"]
    readonly_fields = ["statut", "cree_par", "date_creation"]
    inlines = [ExposantInline]
    actions = ["ouvrir_inscriptions", "declarer_tenu", "clore"]

    def save_model(self, request, obj, form, change):
        # Les règles (capacité, forum clos) sont celles du service.
        champs = {nom: form.cleaned_data[nom] for nom in services.CHAMPS_FORUM if nom in form.cleaned_data}
        if change:
            services.forum_modifier(forum=obj, par=request.user, **champs)
        else:
            obj.pk = services.forum_creer(par=request.user, **champs).pk

    def has_delete_permission(self, request, obj=None):
        # Un forum qui a des participants garde leur trace (invitations, présences, embauches).
        return obj is None or not obj.participations.exists()

    def _changer(self, request, queryset, statut):
        for forum in queryset:
            try:
                services.forum_changer_statut(forum=forum, statut=statut, par=request.user)
            except ValidationError as e:
                self.message_user(request, f"{forum} : {' '.join(e.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{forum} : statut changé.", messages.SUCCESS)

    @admin.action(description="Ouvrir les inscriptions")
    def ouvrir_inscriptions(self, request, queryset):
        self._changer(request, queryset, Forum.Statut.INSCRIPTIONS_OUVERTES)

    @admin.action(description="Déclarer tenu")
    def declarer_tenu(self, request, queryset):
        self._changer(request, queryset, Forum.Statut.TENU)

    @admin.action(description="Clore (les inscrits non pointés deviennent absents)")
    def clore(self, request, queryset):
        self._changer(request, queryset, Forum.Statut.CLOS)


class OffreInline(LectureSeuleMixin, admin.TabularInline):
    model = OffreEmploi
    extra = 0


@admin.register(Exposant)
class ExposantAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ["structure", "forum", "stand", "contact_nom"]
    list_filter = ["forum"]
    search_fields = ["structure__nom", "forum__titre"]
    autocomplete_fields = ["structure", "forum"]
    inlines = [OffreInline]


@admin.register(OffreEmploi)
class OffreEmploiAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ["intitule", "exposant", "type_contrat", "nombre_postes"]
    list_filter = ["type_contrat", "exposant__forum"]
    search_fields = ["intitule", "exposant__structure__nom"]
    list_select_related = ["exposant__structure", "exposant__forum"]


@admin.register(Participation)
class ParticipationAdmin(SimpleHistoryAdmin):
    """Consultation : les changements de statut passent par les pages du forum (services, places, attente)."""

    list_display = ["beneficiaire", "forum", "statut", "rang_attente", "sur_place", "embauche_par"]
    list_filter = ["statut", "sur_place", "forum"]
    search_fields = ["beneficiaire__recherche", "forum__titre"]
    list_select_related = ["beneficiaire", "forum", "embauche_par__structure"]
    readonly_fields = [f.name for f in Participation._meta.concrete_fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Entretien)
class EntretienAdmin(SimpleHistoryAdmin):
    list_display = ["participation", "exposant", "saisi_par", "date_saisie"]
    list_filter = ["exposant__forum"]
    list_select_related = ["participation__beneficiaire", "participation__forum", "exposant__structure", "saisi_par"]
    readonly_fields = ["participation", "exposant", "saisi_par", "date_saisie"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from commun.admin import LectureSeuleMixin

from .models import JournalConsultation, JournalExport, User


class AppareilsConsultesOuSupprimesMixin:
    """Les appareils du second facteur dans l'administration : consultés (sans clé ni code de secours, réglage
    OTP_ADMIN_HIDE_SENSITIVE_DATA) et supprimés (appareil perdu : la personne en enrôle un autre à sa prochaine
    connexion), jamais créés ni modifiés. Un appareil ne s'enrôle que par sa personne, par le premier code de son
    application (`services.totp_enrolement_confirmer`) : créé ou confirmé ici, sa clé serait connue d'un autre."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ApplicationsAdmin(AppareilsConsultesOuSupprimesMixin, TOTPDeviceAdmin):
    pass


class CodesDeSecoursAdmin(AppareilsConsultesOuSupprimesMixin, StaticDeviceAdmin):
    pass


for _modele, _classe in ((TOTPDevice, ApplicationsAdmin), (StaticDevice, CodesDeSecoursAdmin)):
    if admin.site.is_registered(_modele):  # par django-otp, à l'import de ses modules d'administration
        admin.site.unregister(_modele)
    admin.site.register(_modele, _classe)


@admin.register(User)
class UtilisateurAdmin(UserAdmin):
    list_display = ("username", "last_name", "first_name", "role", "structure", "is_active")
    list_filter = ("role", "is_active", "bassins")
    search_fields = ("username", "last_name", "first_name", "email")
    filter_horizontal = ("bassins", "groups", "user_permissions")
    fieldsets = UserAdmin.fieldsets + (("Rôle dans le plan", {"fields": ("role", "bassins", "structure")}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("Rôle dans le plan", {"fields": ("role", "structure")}),)


class JournalLectureSeuleAdmin(LectureSeuleMixin, admin.ModelAdmin):
    """Journal en lecture seule, visible des seuls administrateurs (ni ajout, ni modification, ni suppression)."""

    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.is_active and user.is_staff and user.est_administrateur

    def has_module_permission(self, request):
        return self.has_view_permission(request)


@admin.register(JournalExport)
class JournalExportAdmin(JournalLectureSeuleAdmin):
    list_display = ("date", "utilisateur", "vue", "format", "lignes")
    list_filter = ("format", "vue")
    search_fields = ("utilisateur__username", "vue", "filtres")
    date_hierarchy = "date"
    list_select_related = ("utilisateur",)


@admin.register(JournalConsultation)
class JournalConsultationAdmin(JournalLectureSeuleAdmin):
    list_display = ("date", "utilisateur", "libelle", "type_objet", "id_objet")
    list_filter = ("type_objet", "utilisateur__role")
    search_fields = ("utilisateur__username", "utilisateur__last_name", "=id_objet")
    date_hierarchy = "date"
    list_select_related = ("utilisateur", "type_objet")
    fields = ("date", "utilisateur", "type_objet", "id_objet", "libelle")
    readonly_fields = fields

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import JournalExport, User


@admin.register(User)
class UtilisateurAdmin(UserAdmin):
    list_display = ("username", "last_name", "first_name", "role", "structure", "is_active")
    list_filter = ("role", "is_active", "bassins")
    search_fields = ("username", "last_name", "first_name", "email")
    filter_horizontal = ("bassins", "groups", "user_permissions")
    fieldsets = UserAdmin.fieldsets + (("Rôle dans le plan", {"fields": ("role", "bassins", "structure")}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("Rôle dans le plan", {"fields": ("role", "structure")}),)


@admin.register(JournalExport)
class JournalExportAdmin(admin.ModelAdmin):
    list_display = ("date", "utilisateur", "vue", "format", "lignes")
    list_filter = ("format", "vue")
    search_fields = ("utilisateur__username", "vue", "filtres")
    date_hierarchy = "date"
    list_select_related = ("utilisateur",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

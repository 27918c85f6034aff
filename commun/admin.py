from django.conf import settings
from django.contrib import admin

from .francais import euros
from .models import Message, ModeleMessage, Progression


def colonne_euros(modele, champ):
    """Colonne de liste de l'administration pour un montant (`champ` de `modele`) : « 1 234,50 € », le format des
    montants de toute l'application, au lieu du nombre nu de l'administration (« 1234,50 ») ; triée par le champ,
    titrée par son libellé sans l'unité qu'il porte entre parenthèses."""
    libelle = str(modele._meta.get_field(champ).verbose_name).removesuffix(" (€)")

    @admin.display(description=libelle, ordering=champ)
    def colonne(obj):
        return euros(getattr(obj, champ))

    colonne.__name__ = f"{champ}_en_euros"
    return colonne


class LectureSeuleMixin:
    """Consultation seulement dans l'administration : ni ajout, ni modification, ni suppression. Ces
    enregistrements changent par les pages de l'application, dont les services portent les règles et l'historique
    (pour un formulaire en ligne, `obj` est l'objet parent)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ModeleMessage)
class ModeleMessageAdmin(admin.ModelAdmin):
    list_display = ["objet", "sujet", "date_modification"]
    readonly_fields = ["objet", "date_modification"]
    fields = ["objet", "sujet", "corps", "corps_sms", "date_modification"]

    def has_add_permission(self, request):
        # Un modèle par motif, créé par la migration : on modifie les textes, on n'ajoute pas de motif.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(LectureSeuleMixin, admin.ModelAdmin):
    """Journal des envois (lecture seule) : un message se suit, il ne se modifie pas à la main."""

    list_display = ["date_creation", "objet", "canal", "statut", "tentatives", "date_envoi"]
    list_filter = ["statut", "canal", "objet"]
    date_hierarchy = "date_creation"


@admin.register(Progression)
class ProgressionAdmin(admin.ModelAdmin):
    list_display = ["date_creation", "libelle", "utilisateur", "etat", "fait", "total"]
    list_filter = ["etat"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


if not settings.BASE_POSTGRESQL:
    # Sur SQLite, les tables de Procrastinate n'existent pas (pas de file) : ses pages d'administration non plus.
    from procrastinate.contrib.django.models import ProcrastinateJob

    if admin.site.is_registered(ProcrastinateJob):
        admin.site.unregister(ProcrastinateJob)

from django import forms
from django.contrib import admin

from .models import ChiffreCle, Objectif
from .selecteurs import codes_connus


class ObjectifForm(forms.ModelForm):
    """Le code se choisit parmi les indicateurs déclarés (liste calculée à l'ouverture du formulaire)."""

    class Meta:
        model = Objectif
        fields = ("annee", "code", "bassin", "valeur", "commentaire")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = codes_connus()
        choix = sorted(((c, f"{lib} ({c})") for c, lib in codes.items()), key=lambda x: x[1].lower())
        actuel = self.instance.code if self.instance and self.instance.pk else None
        if actuel and actuel not in codes:
            choix.insert(0, (actuel, f"{actuel} (indicateur qui n'est plus déclaré)"))
        if choix:
            aide = Objectif._meta.get_field("code").help_text
            choix = [("", "---------"), *choix]
            self.fields["code"] = forms.ChoiceField(label="Indicateur", choices=choix, help_text=aide)


@admin.register(Objectif)
class ObjectifAdmin(admin.ModelAdmin):
    form = ObjectifForm
    list_display = ("annee", "code", "libelle", "bassin", "valeur", "commentaire")
    list_filter = ("annee", "bassin", "code")
    search_fields = ("code", "commentaire")
    list_select_related = ("bassin",)

    @admin.display(description="libellé")
    def libelle(self, obj):
        return codes_connus().get(obj.code, "— indicateur inconnu —")


@admin.register(ChiffreCle)
class ChiffreCleAdmin(admin.ModelAdmin):
    list_display = ("nature", "date", "valeur", "source")
    list_filter = ("nature",)
    date_hierarchy = "date"

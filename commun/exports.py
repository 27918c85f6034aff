"""Exports CSV/XLSX des tableaux (django-tables2) : réservés aux rôles autorisés, journalisés, et protégés
contre l'injection de formules dans les tableurs. Le journal est tenu par comptes, abonné à `export_realise`."""

from django.core.exceptions import PermissionDenied
from django_tables2.export import ExportMixin as _ExportMixin
from django_tables2.export import TableExport
from tablib import Dataset

from .routage import lectures_differees
from .signaux import export_realise

CARACTERES_FORMULE = ("=", "+", "-", "@", "\t", "\r")


def neutraliser_cellule(valeur):
    """Une cellule texte qui commencerait une formule est préfixée d'une apostrophe."""
    if isinstance(valeur, str) and valeur.startswith(CARACTERES_FORMULE):
        return "'" + valeur
    return valeur


class ExportSur(TableExport):
    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        brut = super().table_to_dataset(table, exclude_columns, dataset_kwargs)
        propre = Dataset(headers=brut.headers, title=brut.title)
        for ligne in brut:
            propre.append([neutraliser_cellule(v) for v in ligne])
        return propre


class ExportMixin(_ExportMixin):
    """À placer avant SingleTableMixin. `donnees_personnelles` : l'export nomme des personnes."""

    export_class = ExportSur
    export_formats = (TableExport.CSV, TableExport.XLSX)
    donnees_personnelles = True

    def peut_exporter(self):
        user = self.request.user
        return user.peut_exporter_donnees_personnelles if self.donnees_personnelles else user.is_authenticated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["peut_exporter"] = self.peut_exporter()
        context["export_formats"] = self.export_formats
        return context

    def create_export(self, export_format):
        if not self.peut_exporter():
            raise PermissionDenied("Votre rôle ne permet pas d'exporter ces données personnelles.")
        # Un export peut attendre : lu sur la réplique quand il y en a une, à jour (commun/routage.py).
        with lectures_differees():
            reponse = super().create_export(export_format)
            donnees = self.get_table_data()
            lignes = donnees.count() if hasattr(donnees, "count") and not isinstance(donnees, list) else len(donnees)
        export_realise.send(
            sender=type(self),
            par=self.request.user,
            vue=getattr(self.request.resolver_match, "view_name", "") or self.request.path,
            filtres=self.request.GET.urlencode(),
            format=export_format,
            lignes=lignes,
        )
        return reponse

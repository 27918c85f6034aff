"""Exports CSV/XLSX des tableaux (django-tables2) : réservés aux rôles autorisés, journalisés, et protégés
contre l'injection de formules dans les tableurs. Le journal est tenu par comptes, abonné à `export_realise`."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils import timezone
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


def cellule_csv(valeur):
    """Une cellule telle qu'Excel réglé en français la relit : dates jj/mm/aaaa (heure locale hh:mm pour un
    horodatage), virgule décimale sans séparateur de milliers, Oui/Non, vide pour rien."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "Oui" if valeur else "Non"
    if isinstance(valeur, datetime.datetime):
        if timezone.is_aware(valeur):
            valeur = timezone.localtime(valeur)
        return valeur.strftime("%d/%m/%Y %H:%M")
    if isinstance(valeur, datetime.date):
        return valeur.strftime("%d/%m/%Y")
    if isinstance(valeur, Decimal):
        return format(valeur, "f").replace(".", ",")
    if isinstance(valeur, float):
        return repr(valeur).replace(".", ",")
    return valeur


def cellule_xlsx(valeur):
    """Le classeur garde de vrais nombres et de vraies dates (un horodatage en heure locale, sans fuseau)."""
    if isinstance(valeur, datetime.datetime) and timezone.is_aware(valeur):
        return timezone.make_naive(valeur)
    return valeur


def exporter(donnees: Dataset, format_: str):
    """Le contenu du fichier : CSV pour Excel en français (point-virgule, UTF-8 avec BOM, virgule décimale,
    dates jj/mm/aaaa) ou XLSX (nombres et dates natifs). Les cellules texte sont neutralisées (formules)."""
    if format_ == "csv":
        propre = Dataset(headers=donnees.headers, title=donnees.title)
        for ligne in donnees:
            propre.append([neutraliser_cellule(cellule_csv(v)) for v in ligne])
        return "\ufeff" + propre.export("csv", delimiter=";")
    propre = Dataset(headers=donnees.headers, title=donnees.title)
    for ligne in donnees:
        propre.append([neutraliser_cellule(cellule_xlsx(v)) for v in ligne])
    return propre.export(format_)


class ExportSur(TableExport):
    def export(self):
        return exporter(self.dataset, self.format)


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

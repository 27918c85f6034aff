import django_tables2 as tables
from django.utils.html import format_html

from commun.francais import euros
from commun.tableaux import ColonneDate, ColonneEuros, Tableau

from .models import Lot, Orientation, ResultatPaye


class OrientationTable(Tableau):
    beneficiaire = tables.Column(
        verbose_name="Personne",
        linkify=lambda record: record.get_absolute_url(),
        order_by=("beneficiaire__nom", "beneficiaire__prenoms"),
    )
    bassin = tables.Column(verbose_name="Bassin", accessor="beneficiaire__commune__bassin_emploi__nom")
    prestataire = tables.Column(verbose_name="Prestataire", accessor="lot__prestataire__nom")
    lot = tables.Column(verbose_name="Lot", accessor="lot__numero")
    statut = tables.Column(verbose_name="Statut")
    date_proposition = ColonneDate(verbose_name="Proposée le")
    date_reponse = ColonneDate(verbose_name="Réponse le")
    date_entree = ColonneDate(verbose_name="Entrée le")
    sortie = tables.Column(verbose_name="Sortie", accessor="sortie__type", orderable=False)

    class Meta:
        model = Orientation
        fields = ()
        sequence = (
            "beneficiaire",
            "bassin",
            "prestataire",
            "lot",
            "statut",
            "date_proposition",
            "date_reponse",
            "date_entree",
            "sortie",
        )
        empty_text = "Aucune orientation ne correspond à ces critères."
        order_by = ("-date_proposition",)

    def render_statut(self, record, value):
        if getattr(record, "attente_longue", False):
            return format_html(
                '{} <span class="badge text-bg-warning">Sans réponse depuis {} jours</span>',
                value,
                record.attente_jours(),
            )
        return value

    def value_statut(self, record, value):
        if getattr(record, "attente_longue", False):
            return f"{value} (sans réponse depuis plus de 15 jours)"
        return value

    def render_sortie(self, record):
        s = getattr(record, "sortie", None)
        if s is None:
            return "—"
        return f"{s.get_type_display()} ({'positive' if s.positive else 'non positive'})"

    def value_sortie(self, record):
        s = getattr(record, "sortie", None)
        return "" if s is None else s.get_type_display()


class LotTable(Tableau):
    marche = tables.Column(verbose_name="Marché", accessor="marche__reference")
    numero = tables.Column(verbose_name="Lot")
    prestataire = tables.Column(verbose_name="Prestataire", accessor="prestataire__nom")
    bassins = tables.Column(verbose_name="Bassins", orderable=False, empty_values=())
    periode = tables.Column(verbose_name="Période", orderable=False, empty_values=())
    capacite = tables.Column(verbose_name="Capacité")
    places_occupees = tables.Column(verbose_name="Places occupées")
    places_restantes = tables.Column(verbose_name="Places restantes")
    prix_entree = ColonneEuros(verbose_name="Prix entrée")
    prix_sortie_positive = ColonneEuros(verbose_name="Prix sortie positive")
    prix_maintien_6_mois = ColonneEuros(verbose_name="Prix maintien 6 mois")
    orientations = tables.Column(verbose_name="Orientations", orderable=False, empty_values=())

    class Meta:
        model = Lot
        fields = ()
        sequence = (
            "marche",
            "numero",
            "prestataire",
            "bassins",
            "periode",
            "capacite",
            "places_occupees",
            "places_restantes",
            "prix_entree",
            "prix_sortie_positive",
            "prix_maintien_6_mois",
            "orientations",
        )
        empty_text = "Aucun lot."

    def render_bassins(self, record):
        return ", ".join(b.nom for b in record.bassins.all())

    def render_periode(self, record):
        return f"du {record.date_debut:%d/%m/%Y} au {record.date_fin:%d/%m/%Y}"

    def render_orientations(self, record):
        from django.urls import reverse

        return format_html('<a href="{}?lot={}">Voir les orientations</a>', reverse("placement:liste"), record.pk)


class ResultatTable(Tableau):
    """Une ligne par résultat : date, nature, personne, lot, statut (déclaré, validé, rejeté, payé), prix unitaire ;
    le montant n'est compté que pour le service fait (validé ou payé)."""

    date = ColonneDate(verbose_name="Date")
    nature = tables.Column(verbose_name="Résultat", linkify=lambda record: record.get_absolute_url())
    personne = tables.Column(
        verbose_name="Personne",
        accessor="orientation__beneficiaire",
        linkify=lambda record: record.orientation.get_absolute_url(),
        order_by=("orientation__beneficiaire__nom", "orientation__beneficiaire__prenoms"),
    )
    lot = tables.Column(verbose_name="Lot", accessor="lot", order_by=("lot__marche__date_debut", "lot__numero"))
    statut = tables.Column(verbose_name="Statut")
    prix_unitaire = ColonneEuros(verbose_name="Prix unitaire")
    montant = tables.Column(verbose_name="Montant (service fait)", accessor="prix_unitaire", orderable=False)

    class Meta:
        model = ResultatPaye
        fields = ()
        sequence = ("date", "nature", "personne", "lot", "statut", "prix_unitaire", "montant")
        empty_text = "Aucun résultat sur cette période."
        order_by = ("date",)

    def render_lot(self, record):
        return record.lot.libelle

    def value_lot(self, record):
        return record.lot.libelle

    def render_statut(self, record, value):
        if record.statut == ResultatPaye.Statut.REJETE:
            return format_html('{} <span class="small text-body-secondary">({})</span>', value, record.motif_rejet)
        return value

    def value_statut(self, record, value):
        return value

    def render_montant(self, record, value):
        return euros(value) if record.service_fait else "—"

    def value_montant(self, record, value):
        return value if record.service_fait else 0

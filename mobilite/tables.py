import django_tables2 as tables
from django.utils.safestring import mark_safe

from commun.tableaux import ColonneDate, ColonneEuros, Tableau

from .models import ConventionCession, Location, Vehicule


class LocationTable(Tableau):
    numero = tables.Column(verbose_name="N°", accessor="pk", linkify=lambda record: record.get_absolute_url())
    beneficiaire = tables.Column(verbose_name="Personne", order_by=("beneficiaire__nom", "beneficiaire__prenoms"))
    telephone = tables.Column(verbose_name="Téléphone", accessor="beneficiaire__telephone", orderable=False)
    vehicule = tables.Column(verbose_name="Véhicule", order_by=("vehicule__immatriculation",))
    debut = ColonneDate(verbose_name="Du")
    fin = ColonneDate(verbose_name="Au")
    jours = tables.Column(verbose_name="Jours", accessor="pk", orderable=False)
    motif = tables.Column(verbose_name="Motif")
    statut = tables.Column(verbose_name="Statut")
    retard = tables.Column(verbose_name="Retard", accessor="pk", orderable=False, empty_values=())

    class Meta:
        model = Location
        fields = ("numero", "beneficiaire", "telephone", "vehicule", "debut", "fin", "jours", "motif", "statut")
        sequence = (
            "numero",
            "beneficiaire",
            "telephone",
            "vehicule",
            "debut",
            "fin",
            "jours",
            "motif",
            "statut",
            "retard",
        )
        order_by = ("-debut",)
        empty_text = "Aucune location ne correspond à ces critères."

    def render_numero(self, record):
        return record.numero

    def value_numero(self, record):
        return record.numero

    def render_vehicule(self, record):
        v = record.vehicule
        return f"{v.immatriculation} — {v.marque} {v.modele} ({v.get_type_display()})"

    def render_jours(self, record):
        return record.jours

    def value_jours(self, record):
        return record.jours

    def render_retard(self, record):
        if record.est_en_retard():
            return mark_safe('<span class="badge text-bg-warning">En retard</span>')
        return "—"

    def value_retard(self, record):
        return "oui" if record.est_en_retard() else "non"


class VehiculeTable(Tableau):
    immatriculation = tables.Column(verbose_name="Immatriculation", linkify=lambda record: record.get_absolute_url())
    vehicule = tables.Column(verbose_name="Véhicule", accessor="marque", order_by=("marque", "modele"))
    commune = tables.Column(verbose_name="Site", accessor="commune__nom")
    bassin = tables.Column(verbose_name="Bassin", accessor="commune__bassin_emploi__nom")
    partenaire = tables.Column(verbose_name="Partenaire", accessor="partenaire__nom")
    prix_journalier = ColonneEuros(verbose_name="Prix / jour")
    depot_garantie = ColonneEuros(verbose_name="Dépôt")

    class Meta:
        model = Vehicule
        fields = (
            "immatriculation",
            "type",
            "vehicule",
            "commune",
            "bassin",
            "partenaire",
            "kilometrage",
            "prix_journalier",
            "depot_garantie",
            "statut",
        )
        order_by = ("immatriculation",)
        empty_text = "Aucun véhicule ne correspond à ces critères."

    def render_vehicule(self, record):
        return f"{record.marque} {record.modele}"

    def render_kilometrage(self, value):
        return f"{value:,} km".replace(",", "\u202f")


class ConventionTable(Tableau):
    numero = tables.Column(verbose_name="N°", accessor="pk", linkify=lambda record: record.get_absolute_url())
    partenaire = tables.Column(verbose_name="Partenaire", accessor="partenaire__nom")
    debut = ColonneDate(verbose_name="Du")
    fin = ColonneDate(verbose_name="Au")
    date_signature = ColonneDate(verbose_name="Signée le", default="non signée")
    nb_cessions = tables.Column(verbose_name="Véhicules cédés", orderable=False)

    class Meta:
        model = ConventionCession
        fields = ("numero", "partenaire", "objet", "debut", "fin", "date_signature", "nb_cessions")
        order_by = ("-debut",)
        empty_text = "Aucune convention."

    def render_numero(self, record):
        return record.numero

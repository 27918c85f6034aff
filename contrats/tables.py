import django_tables2 as tables

from commun.tableaux import ColonneDate, departager

from .models import ContratAide


@departager("pk")
class ContratTable(tables.Table):
    numero_convention = tables.Column(
        verbose_name="Convention", linkify=True, empty_values=(), order_by=("numero_convention",)
    )
    beneficiaire = tables.Column(verbose_name="Bénéficiaire", order_by=("beneficiaire__nom", "beneficiaire__prenoms"))
    bassin = tables.Column(verbose_name="Bassin", accessor="beneficiaire__commune__bassin_emploi__nom", orderable=False)
    employeur = tables.Column(
        verbose_name="Employeur", linkify=("contrats:employeur", {"pk": tables.A("employeur_id")})
    )
    type_employeur = tables.Column(verbose_name="Type d'employeur", accessor="employeur__type", orderable=False)
    type = tables.Column(verbose_name="Type")
    statut = tables.Column(verbose_name="Statut")
    date_signature = ColonneDate(verbose_name="Signé le")
    date_debut = ColonneDate(verbose_name="Début")
    date_fin = ColonneDate(verbose_name="Fin")
    heures_hebdomadaires = tables.Column(verbose_name="Heures / sem.")
    motif_rupture = tables.Column(verbose_name="Motif de rupture", visible=False)  # dans les exports seulement
    referent = tables.Column(verbose_name="Référent", order_by=("referent__last_name",))

    class Meta:
        model = ContratAide
        fields = ()
        sequence = (
            "numero_convention",
            "beneficiaire",
            "bassin",
            "employeur",
            "type_employeur",
            "type",
            "statut",
            "date_signature",
            "date_debut",
            "date_fin",
            "heures_hebdomadaires",
            "motif_rupture",
            "referent",
        )
        empty_text = "Aucun contrat ne correspond à ces critères."

    def render_numero_convention(self, value, record):
        return value or f"Brouillon n° {record.pk}"

    def value_numero_convention(self, value, record):
        return value or ""

    def render_type_employeur(self, record):
        return record.employeur.get_type_display()

    def render_type(self, record):
        return record.get_type_display().split(" ")[0]

    def value_heures_hebdomadaires(self, value):
        return value

    def render_heures_hebdomadaires(self, value):
        return f"{value.normalize():f}".replace(".", ",") if value is not None else "—"

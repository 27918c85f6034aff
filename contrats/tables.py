import django_tables2 as tables

from commun.echappement import echapper, sur
from commun.liens import adresse_par_cle
from commun.tableaux import ColonneDate, Tableau, departager
from referentiel.models import Structure

from .models import ContratAide, TypeContrat

TYPES_EMPLOYEUR = dict(Structure.Type.choices)
# Le sigle du type (« PEC », « CUI-CAE »), premier mot de son libellé : lu dans un dictionnaire fait une fois.
SIGLES_TYPE = {valeur: str(libelle).split(" ")[0] for valeur, libelle in TypeContrat.choices}


@departager("pk")
class ContratTable(Tableau):
    """Les lignes viennent de `selecteurs.contrats_visibles` : le contrat, et en annotations ce que la liste montre
    de la personne, de l'employeur et du référent ; les colonnes annotées se trient par la relation qu'elles
    lisent."""

    numero_convention = tables.Column(
        verbose_name="Convention", linkify=True, empty_values=(), order_by=("numero_convention",)
    )
    beneficiaire = tables.Column(
        verbose_name="Bénéficiaire", accessor="liste_nom", order_by=("beneficiaire__nom", "beneficiaire__prenoms")
    )
    bassin = tables.Column(verbose_name="Bassin", accessor="liste_bassin", orderable=False)
    employeur = tables.Column(verbose_name="Employeur", accessor="liste_employeur", order_by=("employeur__nom",))
    type_employeur = tables.Column(verbose_name="Type d'employeur", accessor="liste_type_employeur", orderable=False)
    type = tables.Column(verbose_name="Type")
    statut = tables.Column(verbose_name="Statut")
    date_signature = ColonneDate(verbose_name="Signé le")
    date_debut = ColonneDate(verbose_name="Début")
    date_fin = ColonneDate(verbose_name="Fin")
    heures_hebdomadaires = tables.Column(verbose_name="Heures / sem.")
    motif_rupture = tables.Column(verbose_name="Motif de rupture", visible=False)  # dans les exports seulement
    referent = tables.Column(
        verbose_name="Référent", accessor="liste_referent", order_by=("referent__last_name", "referent__first_name")
    )

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

    def render_beneficiaire(self, value, record):
        return f"{value.upper()} {record.liste_prenoms}"  # comme Beneficiaire.__str__

    def render_employeur(self, value, record):
        # Ce qu'écrirait format_html('<a href="{}">{}</a>', …), d'un trait (50 par page).
        adresse = adresse_par_cle("contrats:employeur", record.employeur_id)
        return sur(f'<a href="{echapper(adresse)}">{echapper(value)}</a>')  # valeurs échappées

    def value_employeur(self, value):
        return value  # à l'export : le nom, sans le lien

    def render_type_employeur(self, value):
        return TYPES_EMPLOYEUR.get(value, value)

    def render_type(self, record):
        return SIGLES_TYPE.get(record.type) or record.get_type_display().split(" ")[0]

    def value_heures_hebdomadaires(self, value):
        return value

    def render_heures_hebdomadaires(self, value):
        return f"{value.normalize():f}".replace(".", ",") if value is not None else "—"

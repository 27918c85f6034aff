from html import escape

import django_tables2 as tables
from django.db.models import F
from django.utils.html import format_html

from commun.echappement import sur
from commun.tableaux import ColonneDate, Tableau, departager

from .models import Beneficiaire, EtatDroit

# Le formulaire « Réaffecter à » est hors du tableau (hors du corps mis en cache, car il porte le jeton CSRF) :
# les cases le rejoignent par l'attribut HTML `form`.
FORMULAIRE_REAFFECTATION = "form-reaffecter"


class ColonneChoix(tables.CheckBoxColumn):
    """Une case par personne, nommée pour les lecteurs d'écran (« Choisir DUPONT Marie ») ; en en-tête, un nom de
    colonne et la case « tout cocher », cachée tant que le script qui la fait fonctionner n'est pas chargé."""

    def __init__(self, **kwargs):
        attrs = {
            "th": {"class": "colonne-choix"},
            "td": {"class": "colonne-choix"},
            "th__input": {
                "form": FORMULAIRE_REAFFECTATION,
                "aria-label": "Cocher toutes les personnes de la page",
                "data-tout-cocher": "beneficiaires",
                "class": "form-check-input",
                "hidden": "hidden",
            },
        }
        super().__init__(accessor="pk", attrs=attrs, exclude_from_export=True, **kwargs)

    # Le rendu ne dépend que de la valeur et de la personne : le corps des tableaux (commun/templatetags/
    # rendu_tableaux.py) l'appelle directement, sans le calcul générique de la cellule.
    rendu_simple = True

    @property
    def header(self):
        return format_html('<span class="visually-hidden">Choisir</span>{}', super().header)

    def render(self, value, record):
        """La case de `CheckBoxColumn.render` (mêmes attributs, même ordre), écrite d'un trait : 50 par page."""
        return sur(  # valeur et nom échappés
            f'<input type="checkbox" name="beneficiaires" value="{escape(str(value))}" '
            f'form="{FORMULAIRE_REAFFECTATION}" class="form-check-input" aria-label="{escape(f"Choisir {record}")}" />'
        )


@departager("nom", "prenoms", "pk")
class BeneficiaireTable(Tableau):
    """`exclude=("choix",)` pour qui ne peut pas réaffecter : pas de cases à cocher.

    Les lignes viennent de `selecteurs.beneficiaires_visibles` : la personne, et en annotations ce que la liste
    montre de son foyer, de sa commune, de son référent et de son évaluation (une instance par ligne au lieu de
    six) ; les colonnes annotées se trient par la relation qu'elles lisent."""

    choix = ColonneChoix()
    nom = tables.Column(verbose_name="Nom", linkify=True, attrs={"td": {"class": "text-uppercase"}})
    prenoms = tables.Column(verbose_name="Prénoms")
    date_naissance = ColonneDate(verbose_name="Naissance")
    numero = tables.Column(
        verbose_name="N° allocataire", accessor="liste_numero", order_by=("foyer__numero_allocataire",)
    )
    role = tables.Column(verbose_name="Rôle")
    commune = tables.Column(verbose_name="Commune", accessor="liste_commune", order_by=("commune__nom",))
    bassin = tables.Column(verbose_name="Bassin", accessor="liste_bassin", order_by=("commune__bassin_emploi__nom",))
    etat_droit = tables.Column(
        verbose_name="État du droit", accessor="liste_etat_droit", order_by=("foyer__etat_droit",)
    )
    sdd = tables.BooleanColumn(verbose_name="SDD", accessor="soumis_droits_devoirs", yesno="Oui,Non")
    orientation = tables.Column(verbose_name="Orientation")
    statut_parcours = tables.Column(verbose_name="Statut")
    referent = tables.Column(
        verbose_name="Référent",
        accessor="liste_referent",
        order_by=("referent__last_name", "referent__first_name"),
    )
    evaluation = ColonneDate(verbose_name="Évaluée le", accessor="date_evaluation_courante", default="—")

    def render_etat_droit(self, value):
        return EtatDroit(value).label

    def order_evaluation(self, queryset, is_descending):
        """La plus récente d'abord (ou la plus ancienne), les personnes jamais évaluées toujours à la fin."""
        date = F("date_evaluation_courante")  # tenue sur la personne : index benef_tri_evaluation(_desc)_idx
        cle = date.desc(nulls_last=True) if is_descending else date.asc(nulls_last=True)
        departage = (f"-{c}" for c in self.departage) if is_descending else self.departage  # comme les autres
        return queryset.order_by(cle, *departage), True

    class Meta:
        model = Beneficiaire
        fields = ()
        sequence = (
            "choix",
            "nom",
            "prenoms",
            "date_naissance",
            "numero",
            "role",
            "commune",
            "bassin",
            "etat_droit",
            "sdd",
            "orientation",
            "statut_parcours",
            "referent",
            "evaluation",
        )
        empty_text = "Aucune personne ne correspond à ces critères."
        order_by = ("nom",)
        # 13 colonnes : la table resserrée tient dans un écran de 1366 px (test e2e de mise en page).
        attrs = {"class": "table table-striped table-hover align-middle table-compacte"}


def _date(d):
    return d.strftime("%d/%m/%Y") if d else ""


# Valeurs exportées, calculées directement (sans le rendu cellule par cellule de django-tables2, trop lent
# pour les dizaines de milliers de lignes d'un export départemental).
VALEURS_EXPORT = {
    "nom": lambda b: b.nom.upper(),
    "prenoms": lambda b: b.prenoms,
    "date_naissance": lambda b: _date(b.date_naissance),
    "numero": lambda b: b.liste_numero,
    "role": lambda b: b.get_role_display(),
    "commune": lambda b: b.liste_commune if b.commune_id else f"à rattacher ({b.adresse_brute})",
    "bassin": lambda b: b.liste_bassin or "",
    "etat_droit": lambda b: EtatDroit(b.liste_etat_droit).label,
    "sdd": lambda b: "Oui" if b.soumis_droits_devoirs else "Non",
    "orientation": lambda b: b.get_orientation_display(),
    "statut_parcours": lambda b: b.get_statut_parcours_display(),
    "referent": lambda b: b.liste_referent or "",
    "evaluation": lambda b: _date(b.date_evaluation_courante),
}


def _as_values(self, exclude_columns=None):
    colonnes = [c for c in self.columns if c.name not in (exclude_columns or ()) and c.name in VALEURS_EXPORT]
    yield [str(c.header) for c in colonnes]
    fonctions = [VALEURS_EXPORT[c.name] for c in colonnes]
    for b in self.data.data.iterator(chunk_size=2000):
        yield [f(b) for f in fonctions]


BeneficiaireTable.as_values = _as_values

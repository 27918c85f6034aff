import django_tables2 as tables
from django.utils.html import format_html

from commun.tableaux import ColonneDate

from .models import Beneficiaire

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
            "td__input": {
                "form": FORMULAIRE_REAFFECTATION,
                "name": "beneficiaires",
                "class": "form-check-input",
                "aria-label": lambda record: f"Choisir {record}",
            },
        }
        super().__init__(accessor="pk", attrs=attrs, exclude_from_export=True, **kwargs)

    @property
    def header(self):
        return format_html('<span class="visually-hidden">Choisir</span>{}', super().header)


class BeneficiaireTable(tables.Table):
    """`exclude=("choix",)` pour qui ne peut pas réaffecter : pas de cases à cocher."""

    choix = ColonneChoix()
    nom = tables.Column(
        verbose_name="Nom", linkify=True, order_by=("nom", "prenoms"), attrs={"td": {"class": "text-uppercase"}}
    )
    prenoms = tables.Column(verbose_name="Prénoms")
    date_naissance = ColonneDate(verbose_name="Naissance")
    numero = tables.Column(verbose_name="N° allocataire", accessor="foyer__numero_allocataire")
    role = tables.Column(verbose_name="Rôle")
    commune = tables.Column(verbose_name="Commune", accessor="commune__nom", order_by="commune__nom")
    bassin = tables.Column(
        verbose_name="Bassin", accessor="commune__bassin_emploi__nom", order_by="commune__bassin_emploi__nom"
    )
    etat_droit = tables.Column(verbose_name="État du droit", accessor="foyer__etat_droit")
    sdd = tables.BooleanColumn(verbose_name="SDD", accessor="soumis_droits_devoirs", yesno="Oui,Non")
    orientation = tables.Column(verbose_name="Orientation")
    statut_parcours = tables.Column(verbose_name="Statut")
    referent = tables.Column(verbose_name="Référent", order_by=("referent__last_name", "referent__first_name"))
    evaluation = ColonneDate(verbose_name="Évaluée le", accessor="evaluation_courante__date", default="—")

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
        order_by = ("nom", "prenoms")
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
    "numero": lambda b: b.foyer.numero_allocataire,
    "role": lambda b: b.get_role_display(),
    "commune": lambda b: b.commune.nom if b.commune_id else f"à rattacher ({b.adresse_brute})",
    "bassin": lambda b: b.commune.bassin_emploi.nom if b.commune_id else "",
    "etat_droit": lambda b: b.foyer.get_etat_droit_display(),
    "sdd": lambda b: "Oui" if b.soumis_droits_devoirs else "Non",
    "orientation": lambda b: b.get_orientation_display(),
    "statut_parcours": lambda b: b.get_statut_parcours_display(),
    "referent": lambda b: str(b.referent) if b.referent_id else "",
    "evaluation": lambda b: _date(b.evaluation_courante.date) if b.evaluation_courante_id else "",
}


def _as_values(self, exclude_columns=None):
    colonnes = [c for c in self.columns if c.name not in (exclude_columns or ()) and c.name in VALEURS_EXPORT]
    yield [str(c.header) for c in colonnes]
    fonctions = [VALEURS_EXPORT[c.name] for c in colonnes]
    for b in self.data.data.iterator(chunk_size=2000):
        yield [f(b) for f in fonctions]


BeneficiaireTable.as_values = _as_values

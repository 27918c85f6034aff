"""Le contrat entre les applications et le tableau de bord.

Chaque application déclare ses indicateurs dans son module `indicateurs.py`, découvert au démarrage
(comme admin.site.register). Le tableau de bord n'importe aucun modèle d'une autre application :

    from tableau_de_bord.registre import Contexte, indicateur

    @indicateur(axe="contrats", ordre=10, modeles=("contrats.ContratAide",))
    def contrats_signes(ctx: Contexte):
        qs = ContratAide.objects.filter(date_signature__isnull=False)
        return ctx.compter(
            qs, code="contrats_signes", libelle="Contrats signés", unite="contrats",
            champ_date="date_signature", champ_bassin="beneficiaire__commune__bassin_emploi",
            lien=ctx.lien("contrats:liste", param_bassin="bassin",
                          params_periode=("signature_apres", "signature_avant")),
        )

Une fonction reçoit un `Contexte` (période, bassins visibles) et rend un `Indicateur` ou une liste.
Elle agrège en SQL (une requête groupée par bassin et par mois : `ctx.ventiler`), jamais en boucle
Python sur les lignes. `modeles` nomme les modèles dont une écriture invalide le cache du tableau.

Un indicateur que `ctx.compter` ne sait pas faire (taux, moyenne, plusieurs chiffres d'une même requête) se
construit avec les mêmes pièces : `Indicateur.avec_lien(ctx.lien(...), ...)` pour ses liens,
`Ventilation` pour cumuler des lignes groupées (bassin, mois), `taux_par_cle` pour un taux par bassin ou par mois.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.apps import apps
from django.db import connections
from django.db.models import Count, DateField, DateTimeField, F, Func
from django.db.models.functions import TruncMonth
from django.urls import reverse

AXES = {
    "contexte": "Chiffres clés",
    "evaluation": "Axe 1 — Connaître le public : évaluation",
    "contrats": "Axe 2 — Retour progressif à l'emploi : contrats aidés",
    "placement": "Axe 3 — Placement vers l'emploi",
    "mobilite": "Axe 4 — Mobilité",
    "forums": "Forums de l'emploi",
}


SUFFIXE_BASSIN_COMMUNE = "commune__bassin_emploi"


@dataclass
class Indicateur:
    code: str
    libelle: str
    valeur: int | Decimal | float | None
    unite: str = ""
    axe: str = ""
    par_bassin: dict = field(default_factory=dict)  # {bassin_id: valeur}
    par_mois: dict = field(default_factory=dict)  # {date(1er du mois): valeur}
    lien: str | None = None  # liste filtrée des enregistrements derrière le chiffre (total)
    liens_bassin: dict = field(default_factory=dict)  # {bassin_id: url}
    description: str = ""
    cible: int | Decimal | None = None  # rempli par le tableau de bord à partir des Objectif
    precedent: int | Decimal | float | None = None  # valeur sur la période précédente (rempli par le tableau)
    # Croisement (bassin_id, mois) -> valeur, rempli par ctx.compter (export ligne par bassin et par mois).
    par_bassin_mois: dict = field(default_factory=dict)
    # Rempli par le tableau de bord : cibles par bassin, progression (%), évolution (écart et %).
    cibles_bassin: dict = field(default_factory=dict)
    progression: Decimal | None = None
    evolution: int | Decimal | float | None = None
    evolution_pct: Decimal | None = None
    # Vrai quand l'indicateur vient de ctx.compter : ventilé par bassin et par mois, un absent vaut 0.
    ventile: bool = False
    # La déclaration qui l'a produit (rempli par calculer) : le tableau ne recalcule sur la période précédente
    # que les déclarations dont un indicateur n'a pas déjà sa valeur précédente.
    source: str = ""
    # Ce que le lecteur doit savoir pour lire le chiffre : une valeur de référence peut-être périmée, par exemple.
    avertissements: list = field(default_factory=list)

    @property
    def sans_donnee(self):
        """Vrai quand rien n'a été enregistré derrière ce chiffre sur la période (un zéro, ou pas de valeur)."""
        return self.valeur is None or self.valeur == 0

    @property
    def additif(self):
        """Un compte ou une somme : un bassin absent vaut 0. Faux pour un taux ou une moyenne faits à la main."""
        return self.ventile or isinstance(self.valeur, int)

    def valeur_bassin(self, bassin_id):
        return self.par_bassin.get(bassin_id, 0 if self.additif else None)

    def valeur_mois(self, mois):
        """Un mois absent vaut 0 pour un indicateur ventilé par mois ; rien pour un stock, un taux, une moyenne."""
        return self.par_mois.get(mois, 0 if self.ventile else None)

    def valeur_bassin_mois(self, bassin_id, mois):
        return self.par_bassin_mois.get((bassin_id, mois), 0 if self.ventile else None)

    @classmethod
    def avec_lien(cls, lien, **champs):
        """L'indicateur dont `lien` est la paire (url du total, {bassin_id: url}) que rend `ctx.lien` (ou None)."""
        total, par_bassin = lien if lien else (None, {})
        return cls(lien=total, liens_bassin=par_bassin, **champs)


class Ventilation:
    """Un chiffre cumulé au total, par bassin, par mois et par (bassin, mois), à partir de lignes déjà groupées."""

    def __init__(self):
        self.total = 0
        self.par_bassin, self.par_mois, self.croise = defaultdict(int), defaultdict(int), defaultdict(int)

    def ajouter(self, bassin, mois, valeur):
        self.total += valeur
        self.par_bassin[bassin] += valeur
        self.par_mois[mois] += valeur
        self.croise[(bassin, mois)] += valeur

    def mois_tries(self):
        return dict(sorted(self.par_mois.items()))

    def indicateur(self, *, lien=None, **champs):
        """L'indicateur « comme ctx.compter » : ventilé par bassin et par mois, un absent vaut 0."""
        return Indicateur.avec_lien(
            lien,
            valeur=self.total,
            par_bassin=dict(self.par_bassin),
            par_mois=self.mois_tries(),
            par_bassin_mois=dict(self.croise),
            ventile=True,
            **champs,
        )


@dataclass(frozen=True)
class Contexte:
    debut: date
    fin: date
    bassins: tuple = ()  # BassinEmploi visibles, dans l'ordre d'affichage
    restreint: bool = False  # vrai si l'utilisateur ne voit qu'une partie des bassins
    # {commune_id: bassin_id}, lu au premier besoin (une requête) et partageable entre deux contextes.
    communes: dict = field(default_factory=dict, compare=False, repr=False)
    # Début de la période précédente, quand elle précède immédiatement celle-ci et que les deux sont en mois
    # entiers : ctx.compter compte alors les deux périodes dans la même requête (Indicateur.precedent).
    debut_precedent: date | None = None
    # Vrai quand seule la valeur totale sera lue (période précédente, pour l'évolution) : un indicateur peut
    # alors se passer de ses ventilations par mois, et les liens ne sont pas construits.
    total_seul: bool = False
    # Résultats partagés entre déclarations du même contexte (ctx.partage) ; hors __init__ : jamais copié d'un
    # contexte à un autre.
    memo: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def bassin_ids(self):
        return [b.pk for b in self.bassins]

    def filtrer_bassin(self, qs, champ_bassin):
        if self.restreint:
            return qs.filter(**{f"{champ_bassin}__in": self.bassin_ids})
        return qs

    def filtrer_periode(self, qs, champ_date):
        return qs.filter(**{f"{champ_date}__gte": self.debut, f"{champ_date}__lte": self.fin})

    def bassin_des_communes(self):
        """{commune_id: bassin_id} du référentiel (325 lignes pour le Loiret), lu une fois par contexte."""
        if not self.communes:
            Commune = apps.get_model("referentiel", "Commune")
            self.communes.update(Commune.objects.values_list("pk", "bassin_emploi_id"))
        return self.communes

    def stock(self, qs, champ_bassin):
        """Un stock (sans période) ventilé par bassin, en une requête groupée. Rend (total, par_bassin).

        Quand le bassin est celui d'une commune (`…commune__bassin_emploi`), la requête groupe par commune,
        sans joindre le référentiel, et les communes sont ramenées à leur bassin ici : sur les grandes tables
        (les personnes), la jointure aux communes coûtait autant que le comptage. Les lignes sont comptées par
        COUNT(*) (la clé n'est jamais vide) : un index qui couvre le filtre et la commune suffit alors, sans lire
        la table (les personnes non archivées par commune : 52 ms au lieu de 137 à 500 000 personnes)."""
        qs = self.filtrer_bassin(qs, champ_bassin)
        if not champ_bassin.endswith(SUFFIXE_BASSIN_COMMUNE):
            lignes = qs.values_list(champ_bassin).annotate(_n=Count("*")).order_by()
            par_bassin = dict(lignes)
        else:
            carte = self.bassin_des_communes()
            lignes = qs.values_list(champ_bassin.removesuffix("__bassin_emploi")).annotate(_n=Count("*")).order_by()
            par_bassin = defaultdict(int)
            for commune, n in lignes:
                par_bassin[carte.get(commune)] += n
            par_bassin = dict(par_bassin)
        return sum(par_bassin.values()), par_bassin

    def ventilations(self, qs, *, champ_date, champ_bassin, mesures, avec_precedent=False):
        """Une seule requête groupée (mois, bassin) pour plusieurs mesures de mêmes lignes (`mesures` :
        {nom: agrégat}, par exemple des `Count("pk", filter=Q(...))`). Rend {nom: (Ventilation de la période,
        précédent)}. Avec `avec_precedent` et `debut_precedent`, elle couvre aussi la période précédente : ses mois
        (tous avant `debut`) ne font que son total, « précédent » (None sinon).

        Le mois est tronqué en SQL (`_mois_sql`)."""
        fusion = avec_precedent and self.debut_precedent is not None
        debut = self.debut_precedent if fusion else self.debut
        qs = qs.filter(**{f"{champ_date}__gte": debut, f"{champ_date}__lte": self.fin})
        qs = self.filtrer_bassin(qs, champ_bassin)
        lignes = (
            qs.annotate(_mois=_mois_sql(qs, champ_date), _bassin=F(champ_bassin))
            .values("_mois", "_bassin")
            .annotate(**mesures)
            .order_by()
        )
        cumuls = {nom: Ventilation() for nom in mesures}
        precedents = dict.fromkeys(mesures, 0 if fusion else None)
        for ligne in lignes:
            mois = premier_du_mois(ligne["_mois"])
            for nom, cumul in cumuls.items():
                v = ligne[nom] or 0
                if fusion and mois < self.debut:
                    precedents[nom] += v
                else:
                    cumul.ajouter(ligne["_bassin"], mois, v)
        return {nom: (cumul, precedents[nom]) for nom, cumul in cumuls.items()}

    def _ventiler(self, qs, *, champ_date, champ_bassin, mesure=None, avec_precedent=False):
        """La requête groupée (bassin, mois) d'une mesure. Rend (Ventilation de la période, précédent)."""
        mesure = mesure if mesure is not None else Count("pk")
        return self.ventilations(
            qs, champ_date=champ_date, champ_bassin=champ_bassin, mesures={"_v": mesure}, avec_precedent=avec_precedent
        )["_v"]

    def partage(self, cle, calcul):
        """Le résultat de `calcul()` gardé pour ce contexte : deux déclarations qui lisent les mêmes lignes (les
        personnes évaluées et leurs freins) partagent une requête. Propre à un contexte (une période), jamais
        gardé au-delà du calcul."""
        if cle not in self.memo:
            self.memo[cle] = calcul()
        return self.memo[cle]

    def ventiler(self, qs, *, champ_date, champ_bassin, mesure=None):
        """Une requête groupée (bassin, mois) sur la période. Rend (total, par_bassin, par_mois)."""
        cumul, _ = self._ventiler(qs, champ_date=champ_date, champ_bassin=champ_bassin, mesure=mesure)
        return cumul.total, dict(cumul.par_bassin), cumul.mois_tries()

    def compter(self, qs, *, code, libelle, champ_date, champ_bassin, unite="", mesure=None, lien=None, description=""):
        cumul, precedent = self._ventiler(
            qs, champ_date=champ_date, champ_bassin=champ_bassin, mesure=mesure, avec_precedent=True
        )
        return cumul.indicateur(
            code=code, libelle=libelle, unite=unite, lien=lien, description=description, precedent=precedent
        )

    def lien(self, nom_url, *, param_bassin="bassin", params_periode=None, **params):
        """Rend (url_total, {bassin_id: url}) vers la liste filtrée ; les dates au format AAAA-MM-JJ."""
        if self.total_seul:
            return None, {}
        base = dict(params)
        if params_periode:
            base[params_periode[0]] = self.debut.isoformat()
            base[params_periode[1]] = self.fin.isoformat()
        url = reverse(nom_url)
        total = f"{url}?{urlencode(base, doseq=True)}" if base else url
        if self.restreint and len(self.bassins) == 1:
            total = f"{url}?{urlencode({**base, param_bassin: self.bassins[0].pk}, doseq=True)}"
        par_bassin = {b.pk: f"{url}?{urlencode({**base, param_bassin: b.pk}, doseq=True)}" for b in self.bassins}
        return total, par_bassin


def premier_du_mois(valeur):
    """Le 1er du mois, en date, d'un jour ou du mois rendu par TruncMonth (PostgreSQL et SQLite le rendent en
    datetime sur un champ date-heure)."""
    if valeur is None:
        return None
    valeur = valeur.date() if hasattr(valeur, "date") else valeur
    return valeur.replace(day=1)


def _mois_sql(qs, champ_date):
    """L'expression de regroupement par mois. Sur PostgreSQL, le mois d'une date (pas date-heure) est tronqué sur
    un horodatage sans fuseau : DATE_TRUNC d'une date la convertit sinon en horodatage avec fuseau, ce qui coûtait
    un tiers du temps des grandes requêtes (les personnes). TruncMonth ailleurs, et pour une date-heure (le mois
    dépend alors du fuseau)."""
    champ = qs.query.clone().resolve_ref(champ_date, allow_joins=True)  # sans toucher aux jointures de qs
    date_seule = isinstance(champ.output_field, DateField) and not isinstance(champ.output_field, DateTimeField)
    if date_seule and connections[qs.db].vendor == "postgresql":
        return Func(
            F(champ_date), template="DATE_TRUNC('month', %(expressions)s::timestamp)::date", output_field=DateField()
        )
    return TruncMonth(champ_date)


def taux(numerateur, denominateur):
    """Pourcentage arrondi à une décimale, None si le dénominateur est nul."""
    if not denominateur:
        return None
    return round(Decimal(numerateur) * 100 / Decimal(denominateur), 1)


def taux_par_cle(numerateurs, denominateurs):
    """{clé: taux} pour chaque clé (bassin, mois) des dénominateurs ; un numérateur absent vaut 0."""
    return {cle: taux(numerateurs.get(cle, 0), d) for cle, d in denominateurs.items()}


@dataclass(frozen=True)
class Declaration:
    fonction: Callable
    axe: str
    ordre: int
    modeles: tuple
    # Faux pour un stock « à ce jour » qui ne dépend pas de la période : le tableau le garde en cache pour
    # toutes les périodes (jusqu'à la prochaine écriture sur ses modèles) au lieu de le recompter à chacune.
    periode: bool = True


_declarations: dict[str, Declaration] = {}


def indicateur(*, axe, ordre=50, modeles=(), periode=True):
    if axe not in AXES:
        raise ValueError(f"Axe inconnu : {axe} (attendu : {', '.join(AXES)})")

    def enregistrer(fonction):
        cle = f"{fonction.__module__}.{fonction.__qualname__}"
        _declarations[cle] = Declaration(
            fonction=fonction, axe=axe, ordre=ordre, modeles=tuple(modeles), periode=periode
        )
        return fonction

    return enregistrer


def _par_ordre():
    """[(clé, Declaration)] dans l'ordre d'affichage : axe, puis ordre dans l'axe."""
    return sorted(_declarations.items(), key=lambda item: (list(AXES).index(item[1].axe), item[1].ordre))


def declarations():
    return [d for _, d in _par_ordre()]


def sources(*, axes=None, periode=None):
    """Les clés des déclarations (des `axes` donnés ; dépendant de la période ou non), dans l'ordre d'affichage."""
    return [
        cle for cle, d in _par_ordre() if (axes is None or d.axe in axes) and (periode is None or d.periode == periode)
    ]


def modeles_surveilles():
    """Les modèles (« app.Modele ») dont une écriture invalide le cache du tableau de bord."""
    return {m for d in _declarations.values() for m in d.modeles}


def signature():
    """Empreinte de l'ensemble des déclarations : une nouvelle déclaration change la clé du cache."""
    return "|".join(sorted(_declarations))


def calculer(ctx: Contexte, *, axes=None, sources=None):
    """Calcule les indicateurs déclarés (tous, ceux des `axes` donnés, ou ceux des déclarations `sources`)
    pour un contexte ; rend la liste à plat."""
    resultat = []
    for cle, d in _par_ordre():
        if (axes is not None and d.axe not in axes) or (sources is not None and cle not in sources):
            continue
        valeurs = d.fonction(ctx)
        for ind in valeurs if isinstance(valeurs, list | tuple) else [valeurs]:
            ind.axe = ind.axe or d.axe
            ind.source = cle
            resultat.append(ind)
    return resultat


__all__ = [
    "AXES",
    "Contexte",
    "Indicateur",
    "Ventilation",
    "calculer",
    "declarations",
    "indicateur",
    "modeles_surveilles",
    "premier_du_mois",
    "signature",
    "sources",
    "taux",
    "taux_par_cle",
]

"""Part mensuelle du Département dans l'aide d'un contrat aidé : calculée, jamais saisie.

Règles (voir docs/decisions.md) :

- Pour chaque mois civil couvert par le contrat (du début à la fin de l'aide : date de rupture ou date de fin),
  la part du Département vaut 88 % du montant forfaitaire du RSA pour une personne seule en vigueur ce mois-là
  (45 % pour une « convention de 7 heures », c'est-à-dire une durée hebdomadaire de 7 heures exactement).
- La valeur « en vigueur ce mois-là » est celle en vigueur le premier jour du mois (les revalorisations
  prennent effet le 1er du mois : 545,48 € à partir du 01/09/2017).
- Un mois partiel est proratisé : jours couverts par le contrat / jours du mois civil.
- La part est plafonnée par l'aide effectivement due : taux de l'État x SMIC horaire brut en vigueur ce mois-là
  x heures hebdomadaires x 52 / 12, proratisée de la même façon.
- Calcul en Decimal, arrondi au centime (ROUND_HALF_UP) une seule fois par mois, sur le résultat.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DateField, F, Func, IntegerField, Value
from django.db.models.functions import Greatest, Least

from .models import STATUTS_SIGNES, ContratAide, ParametreFinancier

CENTIME = Decimal("0.01")
TAUX_RSA = Decimal("0.88")
TAUX_RSA_7_HEURES = Decimal("0.45")
HEURES_CONVENTION_7H = Decimal("7")
SEMAINES_PAR_MOIS = Decimal(52) / Decimal(12)


def arrondir(montant: Decimal) -> Decimal:
    return montant.quantize(CENTIME, rounding=ROUND_HALF_UP)


class Bareme:
    """Les valeurs de référence datées, lues en une requête ; `valeur(type, jour)` : celle en vigueur ce jour."""

    def __init__(self, lignes=None):
        if lignes is None:
            lignes = ParametreFinancier.objects.order_by("date_effet").values_list("type", "date_effet", "montant")
        self._valeurs = {}
        for type_, date_effet, montant in lignes:
            self._valeurs.setdefault(type_, []).append((date_effet, Decimal(montant)))
        for liste in self._valeurs.values():
            liste.sort()

    def valeur(self, type_, jour):
        resultat = None
        for date_effet, montant in self._valeurs.get(type_, []):
            if date_effet <= jour:
                resultat = montant
            else:
                break
        return resultat

    def smic(self, jour):
        return self.valeur(ParametreFinancier.Type.SMIC_HORAIRE, jour)

    def rsa(self, jour):
        return self.valeur(ParametreFinancier.Type.RSA_PERSONNE_SEULE, jour)


@dataclass(frozen=True)
class LigneEcheancier:
    mois: date  # premier jour du mois
    jours: int  # jours couverts par le contrat
    jours_mois: int
    rsa: Decimal | None
    smic: Decimal | None
    part_rsa: Decimal  # 88 % (ou 45 %) du RSA, proratisé
    aide_due: Decimal  # taux x SMIC x heures x 52/12, proratisé
    part_departement: Decimal  # min(part_rsa, aide_due)

    @property
    def partiel(self):
        return self.jours < self.jours_mois

    @property
    def plafonnee(self):
        return self.aide_due < self.part_rsa

    @property
    def parametre_manquant(self):
        return self.rsa is None or self.smic is None


def taux_departement(heures):
    return TAUX_RSA_7_HEURES if Decimal(heures) == HEURES_CONVENTION_7H else TAUX_RSA


def mois_couverts(debut: date, fin: date):
    """[(premier jour du mois, jours couverts, jours du mois)] de debut à fin inclus."""
    resultat = []
    annee, mois = debut.year, debut.month
    while (annee, mois) <= (fin.year, fin.month):
        jours_mois = calendar.monthrange(annee, mois)[1]
        premier, dernier = date(annee, mois, 1), date(annee, mois, jours_mois)
        jours = (min(dernier, fin) - max(premier, debut)).days + 1
        resultat.append((premier, jours, jours_mois))
        annee, mois = (annee + 1, 1) if mois == 12 else (annee, mois + 1)
    return resultat


def ligne_du_mois(*, mois, jours, jours_mois, heures, taux_etat, bareme: Bareme):
    """La ligne d'échéancier d'un mois : `jours` couverts sur `jours_mois`, aux valeurs du barème de ce mois."""
    heures, taux_etat = Decimal(heures), Decimal(taux_etat)
    prorata = Decimal(jours) / Decimal(jours_mois)
    rsa, smic = bareme.rsa(mois), bareme.smic(mois)
    part_rsa = arrondir(taux_departement(heures) * rsa * prorata) if rsa is not None else Decimal("0.00")
    aide_due = (
        arrondir(taux_etat / 100 * smic * heures * SEMAINES_PAR_MOIS * prorata) if smic is not None else Decimal("0.00")
    )
    return LigneEcheancier(
        mois=mois,
        jours=jours,
        jours_mois=jours_mois,
        rsa=rsa,
        smic=smic,
        part_rsa=part_rsa,
        aide_due=aide_due,
        part_departement=min(part_rsa, aide_due),
    )


def echeancier_valeurs(*, debut, fin, heures, taux_etat, bareme: Bareme):
    """L'échéancier d'un contrat décrit par ses valeurs."""
    if not (debut and fin and heures is not None and taux_etat is not None) or fin < debut:
        return []
    return [
        ligne_du_mois(mois=mois, jours=jours, jours_mois=jours_mois, heures=heures, taux_etat=taux_etat, bareme=bareme)
        for mois, jours, jours_mois in mois_couverts(debut, fin)
    ]


def echeancier(contrat: ContratAide, bareme: Bareme | None = None):
    """Le tableau mois par mois d'un contrat (jusqu'à la date de rupture s'il a été rompu)."""
    return echeancier_valeurs(
        debut=contrat.date_debut,
        fin=contrat.fin_aide,
        heures=contrat.heures_hebdomadaires,
        taux_etat=contrat.taux_aide_etat,
        bareme=bareme or Bareme(),
    )


def total_echeancier(lignes):
    return sum((ligne.part_departement for ligne in lignes), Decimal("0.00"))


class EcartJours(Func):
    """Nombre entier de jours de la première date à la seconde (PostgreSQL : différence de dates ; SQLite :
    différence de jours juliens)."""

    arity = 2
    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        debut, fin = (compiler.compile(e) for e in self.get_source_expressions())
        if connection.vendor == "sqlite":
            sql = f"CAST(julianday({fin[0]}) - julianday({debut[0]}) AS INTEGER)"
        else:
            sql = f"({fin[0]} - {debut[0]})"
        return sql, (*fin[1], *debut[1])


def engagements(qs, debut: date, fin: date, *, champ_bassin=None):
    """Cofinancement engagé par mois sur [debut, fin] pour les conventions signées du QuerySet.

    Agrégé en SQL, en une requête : pour chaque mois de la période, les contrats qui le couvrent sont comptés
    par (bassin, heures, taux de l'État, jours couverts ce mois-là) ; la part d'un mois ne dépend que de ces
    valeurs et du barème du mois, calculée ici en Decimal (mêmes règles et même arrondi que l'échéancier d'un
    contrat) puis multipliée par le nombre de contrats. Le nombre de groupes est borné (bassins x durées x taux
    x 31 jours par mois), quel que soit le nombre de contrats. Plus une requête pour le barème.
    Rend (total, {bassin_id: montant}, {mois: montant}, {(bassin_id, mois): montant}).
    """
    bareme = Bareme()
    base = (
        qs.filter(statut__in=STATUTS_SIGNES, date_debut__lte=fin)
        .avec_fin_effective()
        .filter(fin_effective__gte=debut, heures_hebdomadaires__isnull=False, taux_aide_etat__isnull=False)
        .order_by()
    )
    parties = []
    for mois, _jours, jours_mois in mois_couverts(date(debut.year, debut.month, 1), fin):
        dernier = mois.replace(day=jours_mois)
        premier_v, dernier_v = Value(mois, output_field=DateField()), Value(dernier, output_field=DateField())
        parties.append(
            base.filter(date_debut__lte=dernier, fin_effective__gte=mois)
            .annotate(
                _mois=premier_v,
                _bassin=F(champ_bassin) if champ_bassin else Value(None, output_field=IntegerField()),
                _jours=EcartJours(
                    Greatest("date_debut", premier_v, output_field=DateField()),
                    Least("fin_effective", dernier_v, output_field=DateField()),
                ),
            )
            .values("_mois", "_bassin", "heures_hebdomadaires", "taux_aide_etat", "_jours")
            .annotate(_n=Count("pk"))
        )
    total, par_bassin, par_mois, croise = Decimal("0.00"), {}, {}, {}
    if not parties:
        return total, par_bassin, par_mois, croise
    for ligne in parties[0].union(*parties[1:], all=True):
        mois = ligne["_mois"]
        if isinstance(mois, str):  # SQLite rend la date littérale d'une union en texte
            mois = date.fromisoformat(mois)
        jours_mois = calendar.monthrange(mois.year, mois.month)[1]
        montant = (
            ligne_du_mois(
                mois=mois,
                jours=ligne["_jours"] + 1,
                jours_mois=jours_mois,
                heures=ligne["heures_hebdomadaires"],
                taux_etat=ligne["taux_aide_etat"],
                bareme=bareme,
            ).part_departement
            * ligne["_n"]
        )
        total += montant
        par_mois[mois] = par_mois.get(mois, Decimal("0.00")) + montant
        if champ_bassin:
            bassin = ligne["_bassin"]
            par_bassin[bassin] = par_bassin.get(bassin, Decimal("0.00")) + montant
            croise[(bassin, mois)] = croise.get((bassin, mois), Decimal("0.00")) + montant
    return total, par_bassin, dict(sorted(par_mois.items())), croise


def total_engage_annee(annee: int, qs=None):
    """Total du cofinancement engagé sur une année civile (conventions signées, en cours, terminées, rompues)."""
    qs = qs if qs is not None else ContratAide.objects.all()
    return engagements(qs, date(annee, 1, 1), date(annee, 12, 31))[0]

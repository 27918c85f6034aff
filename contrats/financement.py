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

from django.db.models import Count, DateField, F, IntegerField, Value
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


def engagements(qs, debut: date, fin: date, *, champ_bassin=None):
    """Cofinancement engagé par mois sur [debut, fin] pour les conventions signées du QuerySet.

    Les mois comptés sont ceux de la période (du mois de `debut` à celui de `fin`), chacun pour les jours que
    le contrat y couvre. Une requête groupée rend, par (bassin, heures, taux de l'État, début et fin de l'aide
    ramenés à ces mois), le nombre de contrats : des contrats aux mêmes valeurs ont le même échéancier. Pour
    chaque groupe, seuls le premier et le dernier mois (peut-être partiels) sont calculés ; les mois pleins
    entre les deux sont comptés par différences cumulées, puis valorisés une fois par (mois, heures, taux).
    Mêmes règles et même arrondi que l'échéancier d'un contrat (`ligne_du_mois`). Plus une requête pour le
    barème. Rend (total, {bassin_id: montant}, {mois: montant}, {(bassin_id, mois): montant}).
    """
    bareme = Bareme()
    mois = [m for m, _j, _jm in mois_couverts(date(debut.year, debut.month, 1), fin)]
    total, par_bassin, par_mois, croise = Decimal("0.00"), {}, {}, {}
    if not mois:
        return total, par_bassin, par_mois, croise
    rang = {m: i for i, m in enumerate(mois)}
    jours_mois = [calendar.monthrange(m.year, m.month)[1] for m in mois]
    premier, dernier = mois[0], mois[-1].replace(day=jours_mois[-1])
    groupes = (
        qs.filter(statut__in=STATUTS_SIGNES, date_debut__lte=fin)
        .avec_fin_effective()
        .filter(fin_effective__gte=debut, heures_hebdomadaires__isnull=False, taux_aide_etat__isnull=False)
        .annotate(
            _bassin=F(champ_bassin) if champ_bassin else Value(None, output_field=IntegerField()),
            _debut=Greatest("date_debut", Value(premier, output_field=DateField()), output_field=DateField()),
            _fin=Least("fin_effective", Value(dernier, output_field=DateField()), output_field=DateField()),
        )
        .order_by()
        .values("_bassin", "heures_hebdomadaires", "taux_aide_etat", "_debut", "_fin")
        .annotate(_n=Count("pk"))
    )
    montants = {}  # (rang du mois, jours, heures, taux) -> part du Département d'un contrat

    def part(i, jours, heures, taux):
        cle = (i, jours, heures, taux)
        if cle not in montants:
            ligne = ligne_du_mois(
                mois=mois[i], jours=jours, jours_mois=jours_mois[i], heures=heures, taux_etat=taux, bareme=bareme
            )
            montants[cle] = ligne.part_departement
        return montants[cle]

    def ajouter(bassin, i, montant):
        nonlocal total
        total += montant
        par_mois[mois[i]] = par_mois.get(mois[i], Decimal("0.00")) + montant
        if champ_bassin:
            par_bassin[bassin] = par_bassin.get(bassin, Decimal("0.00")) + montant
            croise[(bassin, mois[i])] = croise.get((bassin, mois[i]), Decimal("0.00")) + montant

    pleins = {}  # (bassin, heures, taux) -> différences cumulées du nombre de contrats couvrant un mois entier
    for g in groupes:
        d, f, n = _en_date(g["_debut"]), _en_date(g["_fin"]), g["_n"]
        if f < d:
            continue
        heures, taux, bassin = g["heures_hebdomadaires"], g["taux_aide_etat"], g["_bassin"]
        i, j = rang[d.replace(day=1)], rang[f.replace(day=1)]
        if i == j:
            ajouter(bassin, i, part(i, (f - d).days + 1, heures, taux) * n)
            continue
        ajouter(bassin, i, part(i, jours_mois[i] - d.day + 1, heures, taux) * n)
        ajouter(bassin, j, part(j, f.day, heures, taux) * n)
        if j > i + 1:
            diff = pleins.setdefault((bassin, heures, taux), [0] * (len(mois) + 1))
            diff[i + 1] += n
            diff[j] -= n
    for (bassin, heures, taux), diff in pleins.items():
        couvrants = 0
        for i in range(len(mois)):
            couvrants += diff[i]
            if couvrants:
                ajouter(bassin, i, part(i, jours_mois[i], heures, taux) * couvrants)
    return total, par_bassin, dict(sorted(par_mois.items())), croise


def _en_date(valeur):
    """SQLite rend le résultat de MAX/MIN sur des dates en texte ISO."""
    return date.fromisoformat(valeur) if isinstance(valeur, str) else valeur


def total_engage_annee(annee: int, qs=None):
    """Total du cofinancement engagé sur une année civile (conventions signées, en cours, terminées, rompues)."""
    qs = qs if qs is not None else ContratAide.objects.all()
    return engagements(qs, date(annee, 1, 1), date(annee, 12, 31))[0]

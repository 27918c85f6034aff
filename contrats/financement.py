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
- Chaque ligne dit la valeur utilisée et si elle peut être périmée (`bareme.py`).
- Bornes : un échéancier couvre au plus 61 mois civils (60 mois, la durée légale maximale avec dérogation,
  commencés en cours de mois) et une période d'engagement au plus dix ans ; au-delà, `PeriodeTropLongue`
  (jamais des milliers de lignes calculées).
"""

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DateField, F, IntegerField, Value
from django.db.models.functions import Greatest, Least

from .bareme import Bareme, Usage, ValeurUtilisee, usages
from .models import STATUTS_SIGNES, ContratAide, ParametreFinancier

__all__ = ["Bareme", "Engagements", "LigneEcheancier", "PeriodeTropLongue", "echeancier", "engagements"]

CENTIME = Decimal("0.01")
TAUX_RSA = Decimal("0.88")
TAUX_RSA_7_HEURES = Decimal("0.45")
HEURES_CONVENTION_7H = Decimal("7")
SEMAINES_PAR_MOIS = Decimal(52) / Decimal(12)
# 60 mois (durée maximale d'une convention, dérogations comprises) commencés en cours de mois : 61 mois civils.
MOIS_MAX_ECHEANCIER = 61
# Une période d'engagement (tableau de bord, liste des contrats) : dix ans au plus, comme le filtre du tableau.
MOIS_MAX_PERIODE = 121


class PeriodeTropLongue(ValueError):
    """Une période qui ferait calculer plus de mois que la borne : le message est lisible par une personne."""


def arrondir(montant: Decimal) -> Decimal:
    return montant.quantize(CENTIME, rounding=ROUND_HALF_UP)


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
    valeurs: tuple[ValeurUtilisee, ...] = ()  # les lignes du barème utilisées (RSA, SMIC)

    @property
    def partiel(self):
        return self.jours < self.jours_mois

    @property
    def plafonnee(self):
        return self.aide_due < self.part_rsa

    @property
    def parametre_manquant(self):
        return self.rsa is None or self.smic is None

    @property
    def perimee(self):
        """Vrai si une valeur utilisée ce mois-là peut être périmée (revalorisation attendue non enregistrée)."""
        return any(v.perimee for v in self.valeurs)


def taux_departement(heures):
    return TAUX_RSA_7_HEURES if Decimal(heures) == HEURES_CONVENTION_7H else TAUX_RSA


def nombre_de_mois(debut: date, fin: date) -> int:
    """Mois civils touchés par [debut, fin] (0 si fin précède le mois de debut)."""
    return max(0, (fin.year - debut.year) * 12 + fin.month - debut.month + 1)


def mois_couverts(debut: date, fin: date, *, limite=MOIS_MAX_PERIODE):
    """[(premier jour du mois, jours couverts, jours du mois)] de debut à fin inclus ; au plus `limite` mois."""
    if nombre_de_mois(debut, fin) > limite:
        raise PeriodeTropLongue(
            f"La période du {debut.day:02d}/{debut.month:02d}/{debut.year:04d} au "
            f"{fin.day:02d}/{fin.month:02d}/{fin.year:04d} couvre plus de {limite} mois : elle n'est pas calculée."
        )
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
    v_rsa = bareme.utilisee(ParametreFinancier.Type.RSA_PERSONNE_SEULE, mois)
    v_smic = bareme.utilisee(ParametreFinancier.Type.SMIC_HORAIRE, mois)
    rsa, smic = v_rsa.montant, v_smic.montant
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
        valeurs=(v_rsa, v_smic),
    )


def echeancier_valeurs(*, debut, fin, heures, taux_etat, bareme: Bareme):
    """L'échéancier d'un contrat décrit par ses valeurs ; `PeriodeTropLongue` au-delà de 61 mois civils."""
    if not (debut and fin and heures is not None and taux_etat is not None) or fin < debut:
        return []
    return [
        ligne_du_mois(mois=mois, jours=jours, jours_mois=jours_mois, heures=heures, taux_etat=taux_etat, bareme=bareme)
        for mois, jours, jours_mois in mois_couverts(debut, fin, limite=MOIS_MAX_ECHEANCIER)
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


def usages_echeancier(lignes, bareme: Bareme) -> list[Usage]:
    """Les valeurs du barème utilisées par un échéancier, regroupées (ce que la page du contrat affiche)."""
    return usages([ligne.mois for ligne in lignes], bareme)


# --- Engagements d'une période (tableau de bord, liste des contrats) --------------------------------------


@dataclass
class Engagements:
    """Le cofinancement engagé sur une période : total, par bassin, par mois, par (bassin, mois), et les valeurs
    du barème utilisées pour les mois où un montant est engagé."""

    total: Decimal = Decimal("0.00")
    par_bassin: dict = field(default_factory=dict)
    par_mois: dict = field(default_factory=dict)
    croise: dict = field(default_factory=dict)
    valeurs: list = field(default_factory=list)  # [Usage]

    def __iter__(self):
        # Compatibilité : total, par_bassin, par_mois, croise = engagements(...)
        return iter((self.total, self.par_bassin, self.par_mois, self.croise))

    def ajouter(self, bassin, mois, montant, *, par_bassin):
        self.total += montant
        self.par_mois[mois] = self.par_mois.get(mois, Decimal("0.00")) + montant
        if par_bassin:
            self.par_bassin[bassin] = self.par_bassin.get(bassin, Decimal("0.00")) + montant
            self.croise[(bassin, mois)] = self.croise.get((bassin, mois), Decimal("0.00")) + montant

    @property
    def perimees(self):
        return [u for u in self.valeurs if u.perimee]


class _Periode:
    """Les mois d'une période d'engagement (bornée) et la part d'un contrat pour un mois, calculée une fois par
    (mois, jours, heures, taux) : des contrats aux mêmes valeurs ont la même part."""

    def __init__(self, debut, fin, bareme):
        self.bareme = bareme
        self.mois = [m for m, _j, _jm in mois_couverts(date(debut.year, debut.month, 1), fin)]
        self.rang = {m: i for i, m in enumerate(self.mois)}
        self.jours_mois = [calendar.monthrange(m.year, m.month)[1] for m in self.mois]
        self._parts = {}

    @property
    def premier(self):
        return self.mois[0]

    @property
    def dernier(self):
        return self.mois[-1].replace(day=self.jours_mois[-1])

    def part(self, i, jours, heures, taux):
        cle = (i, jours, heures, taux)
        if cle not in self._parts:
            ligne = ligne_du_mois(
                mois=self.mois[i],
                jours=jours,
                jours_mois=self.jours_mois[i],
                heures=heures,
                taux_etat=taux,
                bareme=self.bareme,
            )
            self._parts[cle] = ligne.part_departement
        return self._parts[cle]


def _groupes(qs, periode: _Periode, *, debut, fin, champ_bassin):
    """Une requête groupée : par (bassin, heures, taux, début et fin de l'aide ramenés à la période), le nombre
    de conventions signées qui chevauchent la période."""
    return (
        qs.filter(statut__in=STATUTS_SIGNES, date_debut__lte=fin)
        .avec_fin_effective()
        .filter(fin_effective__gte=debut, heures_hebdomadaires__isnull=False, taux_aide_etat__isnull=False)
        .annotate(
            _bassin=F(champ_bassin) if champ_bassin else Value(None, output_field=IntegerField()),
            _debut=Greatest("date_debut", Value(periode.premier, output_field=DateField()), output_field=DateField()),
            _fin=Least("fin_effective", Value(periode.dernier, output_field=DateField()), output_field=DateField()),
        )
        .order_by()
        .values("_bassin", "heures_hebdomadaires", "taux_aide_etat", "_debut", "_fin")
        .annotate(_n=Count("pk"))
    )


def _valoriser_bords(groupes, periode: _Periode, resultat: Engagements, *, par_bassin):
    """Premier et dernier mois (peut-être partiels) de chaque groupe ; rend les différences cumulées des mois
    pleins entre les deux : {(bassin, heures, taux): [+n au premier mois plein, -n après le dernier]}."""
    pleins = {}
    for g in groupes:
        d, f, n = _en_date(g["_debut"]), _en_date(g["_fin"]), g["_n"]
        if f < d:
            continue
        heures, taux, bassin = g["heures_hebdomadaires"], g["taux_aide_etat"], g["_bassin"]
        i, j = periode.rang[d.replace(day=1)], periode.rang[f.replace(day=1)]
        if i == j:
            resultat.ajouter(
                bassin, periode.mois[i], periode.part(i, (f - d).days + 1, heures, taux) * n, par_bassin=par_bassin
            )
            continue
        premier_jours = periode.jours_mois[i] - d.day + 1
        resultat.ajouter(
            bassin, periode.mois[i], periode.part(i, premier_jours, heures, taux) * n, par_bassin=par_bassin
        )
        resultat.ajouter(bassin, periode.mois[j], periode.part(j, f.day, heures, taux) * n, par_bassin=par_bassin)
        if j > i + 1:
            diff = pleins.setdefault((bassin, heures, taux), [0] * (len(periode.mois) + 1))
            diff[i + 1] += n
            diff[j] -= n
    return pleins


def _valoriser_mois_pleins(pleins, periode: _Periode, resultat: Engagements, *, par_bassin):
    """Les mois pleins : le nombre de contrats qui couvrent chaque mois (cumul des différences) x la part."""
    for (bassin, heures, taux), diff in pleins.items():
        couvrants = 0
        for i, mois in enumerate(periode.mois):
            couvrants += diff[i]
            if couvrants:
                montant = periode.part(i, periode.jours_mois[i], heures, taux) * couvrants
                resultat.ajouter(bassin, mois, montant, par_bassin=par_bassin)


def engagements(qs, debut: date, fin: date, *, champ_bassin=None) -> Engagements:
    """Cofinancement engagé par mois sur [debut, fin] pour les conventions signées du QuerySet.

    Les mois comptés sont ceux de la période (du mois de `debut` à celui de `fin`, dix ans au plus), chacun pour
    les jours que le contrat y couvre. Une requête groupée (`_groupes`) rend le nombre de contrats par valeurs
    communes ; pour chaque groupe, seuls le premier et le dernier mois (peut-être partiels) sont calculés, les
    mois pleins entre les deux sont comptés par différences cumulées, puis valorisés une fois par (mois, heures,
    taux). Mêmes règles et même arrondi que l'échéancier d'un contrat (`ligne_du_mois`). Plus une requête pour
    le barème. Le résultat se décompose aussi en (total, par_bassin, par_mois, croise).
    """
    resultat = Engagements()
    if fin < date(debut.year, debut.month, 1):
        return resultat
    periode = _Periode(debut, fin, Bareme())
    groupes = _groupes(qs, periode, debut=debut, fin=fin, champ_bassin=champ_bassin)
    pleins = _valoriser_bords(groupes, periode, resultat, par_bassin=bool(champ_bassin))
    _valoriser_mois_pleins(pleins, periode, resultat, par_bassin=bool(champ_bassin))
    resultat.par_mois = dict(sorted(resultat.par_mois.items()))
    resultat.valeurs = usages(list(resultat.par_mois), periode.bareme)
    return resultat


def _en_date(valeur):
    """SQLite rend le résultat de MAX/MIN sur des dates en texte ISO."""
    return date.fromisoformat(valeur) if isinstance(valeur, str) else valeur


def total_engage_annee(annee: int, qs=None):
    """Total du cofinancement engagé sur une année civile (conventions signées, en cours, terminées, rompues)."""
    qs = qs if qs is not None else ContratAide.objects.all()
    return engagements(qs, date(annee, 1, 1), date(annee, 12, 31)).total

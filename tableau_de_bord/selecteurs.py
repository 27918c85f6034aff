"""Lectures composées du tableau de bord : calcul de tous les indicateurs d'une période, cibles, évolution.

Nombre de requêtes constant quelle que soit la taille des données : une requête groupée par indicateur
(et par période : la période courante et la précédente), une pour les objectifs, une pour les chiffres clés.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from commun.dates import ajouter_mois
from commun.routage import lectures_differees

from . import cache as cache_tableau
from . import registre
from .models import ChiffreCle, Objectif
from .registre import AXES, Contexte, calculer, declarations, signature, taux

logger = logging.getLogger(__name__)


# --- Périodes -----------------------------------------------------------------------------------------


def est_mois_entiers(debut, fin):
    return debut.day == 1 and (fin + timedelta(days=1)).day == 1


def periode_precedente(debut, fin):
    """La période de même longueur qui précède : en mois entiers si la période l'est, sinon en jours."""
    if est_mois_entiers(debut, fin):
        n = (fin.year - debut.year) * 12 + fin.month - debut.month + 1
        return ajouter_mois(debut, -n), debut - timedelta(days=1)
    longueur = (fin - debut).days + 1
    fin_prec = debut - timedelta(days=1)
    return fin_prec - timedelta(days=longueur - 1), fin_prec


def mois_de(debut, fin):
    """Le 1er de chaque mois touché par la période, dans l'ordre."""
    resultat, jour = [], debut.replace(day=1)
    while jour <= fin:
        resultat.append(jour)
        jour = ajouter_mois(jour, 1)
    return resultat


# --- Cibles et évolution (arithmétique propre au tableau) -----------------------------------------------


def cibles(objectifs, *, annees, bassin_ids, restreint):
    """{code: (cible_totale, {bassin_id: cible})} à partir des lignes d'Objectif (dicts annee/code/bassin_id/valeur).

    Pour chaque année : la cible départementale si elle existe, sinon la somme des cibles des bassins.
    Sur plusieurs années, les cibles s'additionnent. Vue restreinte à des bassins : la cible totale est la
    somme des cibles de ces bassins (la cible départementale ne s'applique pas à une partie du territoire).
    """
    par_code = {}
    for o in objectifs:
        if o["annee"] not in annees:
            continue
        annee = par_code.setdefault(o["code"], {}).setdefault(o["annee"], {"dep": None, "bassins": {}})
        if o["bassin_id"] is None:
            annee["dep"] = Decimal(o["valeur"])
        else:
            annee["bassins"][o["bassin_id"]] = Decimal(o["valeur"])
    resultat = {}
    for code, par_annee in par_code.items():
        total, par_bassin = None, {}
        for a in par_annee.values():
            for bid, v in a["bassins"].items():
                if bid in bassin_ids:
                    par_bassin[bid] = par_bassin.get(bid, Decimal(0)) + v
            visibles = [v for b, v in a["bassins"].items() if b in bassin_ids]
            if restreint:
                valeur_annee = sum(visibles, Decimal(0)) if visibles else None
            elif a["dep"] is not None:
                valeur_annee = a["dep"]
            else:
                valeur_annee = sum(a["bassins"].values(), Decimal(0)) if a["bassins"] else None
            if valeur_annee is not None:
                total = (total or Decimal(0)) + valeur_annee
        resultat[code] = (total, par_bassin)
    return resultat


def normaliser(valeur):
    """Une cible entière s'affiche sans décimales."""
    if isinstance(valeur, Decimal) and valeur == valeur.to_integral_value():
        return int(valeur)
    return valeur


def completer(indicateur, *, cible, cibles_bassin, precedent):
    """Renseigne cible, progression (%) et évolution par rapport à la période précédente."""
    indicateur.cible = normaliser(cible)
    indicateur.cibles_bassin = {b: normaliser(v) for b, v in cibles_bassin.items()}
    indicateur.progression = taux(indicateur.valeur or 0, cible) if cible else None
    indicateur.precedent = precedent
    if indicateur.valeur is not None and precedent is not None:
        indicateur.evolution = indicateur.valeur - precedent
        indicateur.evolution_pct = taux(indicateur.evolution, precedent) if precedent else None
    else:
        indicateur.evolution = indicateur.evolution_pct = None
    return indicateur


# --- Le tableau calculé --------------------------------------------------------------------------------


@dataclass
class Tableau:
    debut: date
    fin: date
    precedent_debut: date
    precedent_fin: date
    bassins: list  # [(id, nom)] dans l'ordre d'affichage
    restreint: bool
    mois: list
    indicateurs: list
    budget: dict | None = None  # {"valeur": Decimal, "date": date, "source": str}
    reperes: list = field(default_factory=list)  # [{"libelle", "valeur", "date", "source"}]
    calcule_le: object = None

    def axe(self, code):
        return [i for i in self.indicateurs if i.axe == code]

    @property
    def contexte(self):
        return self.axe("contexte")

    def sections(self):
        """[(code_axe, libellé, [indicateurs])] des axes du plan (hors chiffres clés), dans l'ordre d'AXES."""
        return [(code, libelle, self.axe(code)) for code, libelle in AXES.items() if code != "contexte"]

    def indicateur(self, code):
        return next((i for i in self.indicateurs if i.code == code), None)

    def cellules(self, ind):
        """Par bassin affiché : valeur, lien vers la liste filtrée, cible."""
        return [
            {
                "bassin_id": bid,
                "bassin": nom,
                "valeur": ind.valeur_bassin(bid),
                "lien": ind.liens_bassin.get(bid),
                "cible": ind.cibles_bassin.get(bid),
            }
            for bid, nom in self.bassins
        ]

    def serie(self, ind):
        """[(mois, valeur)] pour chaque mois de la période (0 pour un mois sans enregistrement d'un compte)."""
        return [(m, ind.valeur_mois(m)) for m in self.mois]

    def lignes_par_bassin(self):
        return [(ind, self.cellules(ind)) for ind in self.indicateurs]


def _chiffres_cles(fin):
    """Le budget RSA de l'année de fin de période (sinon le dernier connu avant) et les derniers repères."""
    budget, reperes = None, {}
    for c in ChiffreCle.objects.filter(date__lte=date(fin.year, 12, 31)).order_by("nature", "-date"):
        if c.nature == ChiffreCle.Nature.BUDGET_RSA:
            if budget is None:
                budget = {"valeur": c.valeur, "date": c.date, "source": c.source, "annee": c.date.year}
        elif c.nature not in reperes:
            reperes[c.nature] = {
                "libelle": c.get_nature_display(),
                "valeur": normaliser(c.valeur),
                "date": c.date,
                "source": c.source,
            }
    ordre = [ChiffreCle.Nature.FOYERS_RSA, ChiffreCle.Nature.PERSONNES_RSA]
    return budget, [reperes[n] for n in ordre if n in reperes]


# Les chiffres clés (stocks à ce jour) ne se comparent pas à la période précédente : pas de calcul inutile.
AXES_COMPARES = tuple(a for a in AXES if a != "contexte")


def _bruts(ctx, utiliser_cache, axes=None, sources=None):
    """Les indicateurs d'une période (des `axes` ou des déclarations `sources` donnés), en cache à part."""
    if sources is not None and not sources:
        return []
    if not utiliser_cache:
        return calculer(ctx, axes=axes, sources=sources)
    nature = "bruts-" + "-".join(axes or AXES)
    if sources is not None:
        nature += "-" + hashlib.sha256("|".join(sorted(sources)).encode()).hexdigest()[:16]
    if ctx.debut_precedent is not None:
        nature += "-avec-precedent"
    cle = cache_tableau.cle(
        debut=ctx.debut, fin=ctx.fin, bassin_ids=ctx.bassin_ids, restreint=ctx.restreint, nature=nature
    )
    indicateurs = cache_tableau.cache.get(cle)
    if indicateurs is None:
        indicateurs = calculer(ctx, axes=axes, sources=sources)
        cache_tableau.cache.set(cle, indicateurs, cache_tableau.duree())
    return indicateurs


def _calculer(*, debut, fin, bassins, restreint, utiliser_cache=False):
    precedent_debut, precedent_fin = periode_precedente(debut, fin)
    communes = {}  # {commune_id: bassin_id}, lu une fois pour les deux périodes
    commun = {"bassins": tuple(bassins), "restreint": restreint, "communes": communes}
    ctx = Contexte(debut=debut, fin=fin, **commun)
    # En mois entiers, la période précédente les précède immédiatement : les comptages (ctx.compter) couvrent
    # les deux périodes en une requête. Les autres déclarations sont recalculées sur la période précédente.
    ctx_compare = Contexte(
        debut=debut, fin=fin, debut_precedent=precedent_debut if est_mois_entiers(debut, fin) else None, **commun
    )
    # Chiffres clés : les stocks « à ce jour » (periode=False) sont gardés en cache pour toutes les périodes.
    aujourdhui = timezone.localdate()
    ctx_stocks = Contexte(debut=aujourdhui, fin=aujourdhui, **commun)
    stocks = _bruts(ctx_stocks, utiliser_cache, sources=registre.sources(axes=("contexte",), periode=False))
    dates = _bruts(ctx, utiliser_cache, sources=registre.sources(axes=("contexte",), periode=True))
    ordre = {cle: i for i, cle in enumerate(registre.sources(axes=("contexte",)))}
    contexte = sorted(stocks + dates, key=lambda i: ordre.get(i.source, len(ordre)))
    indicateurs = contexte + _bruts(ctx_compare, utiliser_cache, axes=AXES_COMPARES)
    precedents = {i.code: i.precedent for i in indicateurs if i.precedent is not None}
    a_recalculer = {i.source for i in indicateurs if i.axe != "contexte" and i.precedent is None}
    if a_recalculer:
        ctx_prec = Contexte(debut=precedent_debut, fin=precedent_fin, total_seul=True, **commun)
        for i in _bruts(ctx_prec, utiliser_cache, axes=AXES_COMPARES, sources=a_recalculer):
            precedents[i.code] = i.valeur
    annees = set(range(debut.year, fin.year + 1))
    bassin_ids = {b.pk for b in bassins}
    objectifs = Objectif.objects.filter(annee__in=annees).order_by().values("annee", "code", "bassin_id", "valeur")
    toutes_cibles = cibles(list(objectifs), annees=annees, bassin_ids=bassin_ids, restreint=restreint)
    for ind in indicateurs:
        cible, par_bassin = toutes_cibles.get(ind.code, (None, {}))
        completer(ind, cible=cible, cibles_bassin=par_bassin, precedent=precedents.get(ind.code))
    budget, reperes = _chiffres_cles(fin)
    return Tableau(
        debut=debut,
        fin=fin,
        precedent_debut=precedent_debut,
        precedent_fin=precedent_fin,
        bassins=[(b.pk, b.nom) for b in bassins],
        restreint=restreint,
        mois=mois_de(debut, fin),
        indicateurs=indicateurs,
        budget=budget,
        reperes=reperes,
        calcule_le=timezone.now(),
    )


def tableau_calculer(*, debut, fin, bassins, restreint, utiliser_cache=True):
    """Tout ce que montre la page du tableau de bord, pour une période et des bassins.

    `bassins` : les BassinEmploi affichés (colonnes), dans l'ordre ; `restreint` : ne compter que ces
    bassins (référent, ou filtre sur un bassin). Le résultat est mis en cache par (période, bassins),
    sous une clé qui change à chaque écriture sur un modèle surveillé (voir cache.py). Calculé sur la réplique
    quand il y en a une, à jour, et que l'utilisateur n'a pas écrit récemment (commun/routage.py).
    """
    bassins = list(bassins)
    if not utiliser_cache:
        with lectures_differees():
            return _calculer(debut=debut, fin=fin, bassins=bassins, restreint=restreint)
    cle = cache_tableau.cle(debut=debut, fin=fin, bassin_ids=[b.pk for b in bassins], restreint=restreint)
    tableau = cache_tableau.cache.get(cle)
    if tableau is None:
        # Après la lecture de la version (dans la clé) : la réplique n'est lue que si elle a rejoué au moins
        # tout ce qui était validé à ce moment.
        with lectures_differees():
            tableau = _calculer(debut=debut, fin=fin, bassins=bassins, restreint=restreint, utiliser_cache=True)
        cache_tableau.cache.set(cle, tableau, cache_tableau.duree())
    return tableau


# --- Codes connus (validation des objectifs) ------------------------------------------------------------

_codes_memo: dict = {}


def codes_connus():
    """{code: libellé} de tous les indicateurs déclarés (calculés une fois par ensemble de déclarations)."""
    sig = signature()
    if sig in _codes_memo:
        return _codes_memo[sig]
    from referentiel.models import BassinEmploi

    aujourdhui = timezone.localdate()
    ctx = Contexte(debut=aujourdhui, fin=aujourdhui, bassins=tuple(BassinEmploi.objects.all()), restreint=False)
    codes, echec = {}, False
    for d in declarations():
        try:
            with transaction.atomic():
                valeurs = d.fonction(ctx)
        except Exception:  # noqa: BLE001 - un indicateur en échec ne doit pas empêcher de saisir les autres cibles
            logger.exception("Indicateur %s en échec lors du relevé des codes", d.fonction.__qualname__)
            echec = True
            continue
        for ind in valeurs if isinstance(valeurs, list | tuple) else [valeurs]:
            codes[ind.code] = ind.libelle
    if not echec:
        _codes_memo.clear()
        _codes_memo[sig] = codes
    return codes

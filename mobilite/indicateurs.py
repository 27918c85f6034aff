"""Indicateurs de l'axe 4 (mobilité) pour le tableau de bord.

Les locations sont rattachées au bassin d'emploi de la personne (le périmètre des référents et des autres
axes) ; le taux d'occupation et les cessions, au bassin du site de rattachement du véhicule.
Toutes les agrégations sont faites en SQL.
"""

import datetime
from collections import defaultdict

from django.db.models import Count, DateField, DurationField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least, TruncMonth
from django.utils import timezone

from tableau_de_bord.registre import Contexte, Indicateur, indicateur, premier_du_mois, taux, taux_par_cle

from .models import (
    MOTIFS_EMPLOI,
    STATUTS_DEMARREES,
    Cession,
    Location,
    PeriodeMaintenance,
    Vehicule,
    condition_retard,
)

MODELES = ("mobilite.Location", "mobilite.Vehicule", "mobilite.PeriodeMaintenance", "mobilite.Cession")
BASSIN_PERSONNE = "beneficiaire__commune__bassin_emploi"
BASSIN_VEHICULE = "commune__bassin_emploi"
UN_JOUR = datetime.timedelta(days=1)


def _valeur_date(d):
    return Value(d, output_field=DateField())


def mois_de(debut, fin):
    jour = debut.replace(day=1)
    while jour <= fin:
        yield jour
        jour = (jour + datetime.timedelta(days=32)).replace(day=1)


def _borner_mois(mois, debut, fin):
    suivant = (mois + datetime.timedelta(days=32)).replace(day=1)
    return max(mois, debut), min(suivant - UN_JOUR, fin)


def tranches(debut, fin, *, total_seul=False):
    """[(clé, début, fin)] : la période entière (clé None) puis chacun de ses mois, bornés à la période
    (sans les mois quand seul le total sera lu)."""
    if total_seul:
        return [(None, debut, fin)]
    return [(None, debut, fin)] + [(m, *_borner_mois(m, debut, fin)) for m in mois_de(debut, fin)]


def jours_par_tranche(qs, *, tranches, champ_debut, champ_fin, groupe, fin_exclusive=False):
    """{clé de tranche: {groupe: jours}} : par `groupe`, les jours de [champ_debut, champ_fin] compris dans
    chaque tranche [début, fin] — en UNE requête groupée, un agrégat conditionnel par tranche, quel que soit
    le nombre de tranches (la période et ses mois) et de lignes.

    `fin_exclusive` : champ_fin est le premier jour hors de l'intervalle (expression acceptée).
    Le nombre de jours d'une ligne dans [d, f] est Least(fin, f) - Greatest(début, d) (+ 1 si la fin est
    incluse) : une différence de dates (DurationField), portable SQLite et PostgreSQL, sommée par tranche."""
    bas = min(d for _, d, _ in tranches)
    haut = max(f for _, _, f in tranches)
    fin_expr = F(champ_fin) if isinstance(champ_fin, str) else champ_fin
    qs = qs.filter(**{f"{champ_debut}__lte": haut}).annotate(_fin_ligne=fin_expr)
    qs = qs.filter(_fin_ligne__gt=bas) if fin_exclusive else qs.filter(_fin_ligne__gte=bas)
    agregats = {}
    for i, (_, d, f) in enumerate(tranches):
        if fin_exclusive:
            chevauche = Q(**{f"{champ_debut}__lte": f, "_fin_ligne__gt": d})
            borne_fin = Least(F("_fin_ligne"), _valeur_date(f + UN_JOUR), output_field=DateField())
        else:
            chevauche = Q(**{f"{champ_debut}__lte": f, "_fin_ligne__gte": d})
            borne_fin = Least(F("_fin_ligne"), _valeur_date(f), output_field=DateField())
        borne_debut = Greatest(F(champ_debut), _valeur_date(d), output_field=DateField())
        ecart = ExpressionWrapper(borne_fin - borne_debut, output_field=DurationField())
        agregats[f"_s{i}"] = Sum(ecart, filter=chevauche)
        agregats[f"_n{i}"] = Count("pk", filter=chevauche)
    lignes = qs.values(_g=F(groupe)).annotate(**agregats).order_by()
    resultat = {cle: defaultdict(int) for cle, _, _ in tranches}
    for ligne in lignes:
        for i, (cle, _, _) in enumerate(tranches):
            n = ligne[f"_n{i}"]
            if not n:
                continue
            somme = ligne[f"_s{i}"]
            jours = somme.days if somme is not None else 0
            resultat[cle][ligne["_g"]] += jours + (0 if fin_exclusive else n)
    return {cle: dict(v) for cle, v in resultat.items()}


def occupation_par_tranche(ctx: Contexte, tranches):
    """{clé de tranche: (jours loués, jours disponibles) par bassin du véhicule} — trois requêtes en tout
    (présence, maintenance, locations), quel que soit le nombre de tranches.

    Jours disponibles : jours de présence en flotte (de l'entrée jusqu'à la veille du déclassement) moins
    les jours de maintenance planifiée. Jours loués : locations remises (en cours ou restituées)."""
    haut = max(f for _, _, f in tranches)
    vehicules = ctx.filtrer_bassin(Vehicule.objects.all(), BASSIN_VEHICULE)
    presence = jours_par_tranche(
        vehicules,
        tranches=tranches,
        champ_debut="date_entree_flotte",
        champ_fin=Coalesce(F("date_declassement"), _valeur_date(haut + UN_JOUR), output_field=DateField()),
        groupe=BASSIN_VEHICULE,
        fin_exclusive=True,
    )
    maintenance = jours_par_tranche(
        ctx.filtrer_bassin(PeriodeMaintenance.objects.all(), f"vehicule__{BASSIN_VEHICULE}"),
        tranches=tranches,
        champ_debut="debut",
        champ_fin="fin",
        groupe=f"vehicule__{BASSIN_VEHICULE}",
    )
    loues = jours_par_tranche(
        ctx.filtrer_bassin(Location.objects.filter(statut__in=STATUTS_DEMARREES), f"vehicule__{BASSIN_VEHICULE}"),
        tranches=tranches,
        champ_debut="debut",
        champ_fin="fin",
        groupe=f"vehicule__{BASSIN_VEHICULE}",
    )
    resultat = {}
    for cle, _, _ in tranches:
        p, m, lo = presence[cle], maintenance[cle], loues[cle]
        bassins = set(p) | set(lo)
        disponibles = {b: max(p.get(b, 0) - m.get(b, 0), 0) for b in bassins}
        resultat[cle] = ({b: lo.get(b, 0) for b in bassins}, disponibles)
    return resultat


def occupation(ctx: Contexte, debut, fin):
    """(jours loués, jours disponibles) par bassin du véhicule sur [debut, fin] (trois requêtes)."""
    return occupation_par_tranche(ctx, [(None, debut, fin)])[None]


def _demarrees():
    return Location.objects.filter(statut__in=STATUTS_DEMARREES)


@indicateur(axe="mobilite", ordre=10, modeles=MODELES)
def locations_demarrees(ctx: Contexte):
    return ctx.compter(
        _demarrees(),
        code="mobilite_locations",
        libelle="Locations démarrées",
        unite="locations",
        champ_date="debut",
        champ_bassin=BASSIN_PERSONNE,
        lien=ctx.lien(
            "mobilite:locations", param_bassin="bassin", params_periode=("debut_apres", "debut_avant"), demarrees="1"
        ),
        description="Locations dont le véhicule a été remis (en cours ou restituées), par date de début.",
    )


@indicateur(axe="mobilite", ordre=20, modeles=MODELES)
def jours_loues(ctx: Contexte):
    """Jours de location compris dans la période (une location à cheval n'y compte que pour sa part)."""
    qs = ctx.filtrer_bassin(_demarrees(), BASSIN_PERSONNE)
    jours = jours_par_tranche(
        qs,
        tranches=tranches(ctx.debut, ctx.fin, total_seul=ctx.total_seul),
        champ_debut="debut",
        champ_fin="fin",
        groupe=BASSIN_PERSONNE,
    )
    par_bassin = jours.pop(None)
    par_mois = {mois: sum(v.values()) for mois, v in jours.items() if sum(v.values())}
    return Indicateur(
        code="mobilite_jours_loues",
        libelle="Jours de location",
        valeur=sum(par_bassin.values()),
        unite="jours",
        par_bassin=par_bassin,
        par_mois=par_mois,
        description="Jours de location (remises) compris dans la période.",
    )


@indicateur(axe="mobilite", ordre=30, modeles=MODELES)
def taux_occupation(ctx: Contexte):
    par_tranche = occupation_par_tranche(ctx, tranches(ctx.debut, ctx.fin, total_seul=ctx.total_seul))
    loues, disponibles = par_tranche.pop(None)
    par_mois = {}
    for mois, (l_mois, d_mois) in par_tranche.items():
        valeur = taux(sum(l_mois.values()), sum(d_mois.values()))
        if valeur is not None:
            par_mois[mois] = valeur
    return Indicateur(
        code="mobilite_taux_occupation",
        libelle="Taux d'occupation de la flotte",
        valeur=taux(sum(loues.values()), sum(disponibles.values())),
        unite="%",
        par_bassin=taux_par_cle(loues, disponibles),
        par_mois=par_mois,
        description="Jours loués / jours disponibles (présence en flotte moins maintenance), par bassin du véhicule.",
    )


@indicateur(axe="mobilite", ordre=40, modeles=MODELES)
def personnes_aidees(ctx: Contexte):
    """Personnes distinctes : une personne qui loue deux fois ne compte qu'une fois (trois requêtes, une
    quand seul le total sera lu)."""
    qs = ctx.filtrer_bassin(ctx.filtrer_periode(_demarrees(), "debut"), BASSIN_PERSONNE)
    compte = Count("beneficiaire", distinct=True)
    total = qs.aggregate(_n=compte)["_n"]
    par_bassin, par_mois = {}, {}
    if not ctx.total_seul:
        lignes = qs.values(_b=F(BASSIN_PERSONNE)).annotate(_n=compte).order_by()
        par_bassin = {ligne["_b"]: ligne["_n"] for ligne in lignes}
        for ligne in qs.annotate(_m=TruncMonth("debut")).values("_m").annotate(_n=compte).order_by("_m"):
            mois = premier_du_mois(ligne["_m"])
            par_mois[mois] = ligne["_n"]
    return Indicateur(
        code="mobilite_personnes",
        libelle="Personnes aidées par une location",
        valeur=total,
        unite="personnes",
        par_bassin=par_bassin,
        par_mois=par_mois,
        description="Personnes distinctes ayant pris un véhicule sur la période.",
    )


@indicateur(axe="mobilite", ordre=50, modeles=MODELES)
def locations_emploi(ctx: Contexte):
    return ctx.compter(
        _demarrees().filter(motif__in=MOTIFS_EMPLOI),
        code="mobilite_locations_emploi",
        libelle="Locations pour un emploi ou un contrat aidé",
        unite="locations",
        champ_date="debut",
        champ_bassin=BASSIN_PERSONNE,
        lien=ctx.lien(
            "mobilite:locations",
            param_bassin="bassin",
            params_periode=("debut_apres", "debut_avant"),
            demarrees="1",
            motif=list(MOTIFS_EMPLOI),
        ),
    )


@indicateur(axe="mobilite", ordre=60, modeles=MODELES)
def retours_en_retard(ctx: Contexte):
    return ctx.compter(
        Location.objects.filter(condition_retard(timezone.localdate())),
        code="mobilite_retards",
        libelle="Retours en retard",
        unite="locations",
        champ_date="fin",
        champ_bassin=BASSIN_PERSONNE,
        lien=ctx.lien(
            "mobilite:locations", param_bassin="bassin", params_periode=("fin_apres", "fin_avant"), en_retard="1"
        ),
        description="Locations rendues après la date prévue, ou toujours dehors après cette date.",
    )


@indicateur(axe="mobilite", ordre=70, modeles=MODELES)
def vehicules_cedes(ctx: Contexte):
    return ctx.compter(
        Cession.objects.all(),
        code="mobilite_cessions",
        libelle="Véhicules cédés à des partenaires",
        unite="véhicules",
        champ_date="date",
        champ_bassin=f"vehicule__{BASSIN_VEHICULE}",
        lien=ctx.lien(
            "mobilite:vehicules", param_bassin="bassin", params_periode=("cede_apres", "cede_avant"), statut="cede"
        ),
    )

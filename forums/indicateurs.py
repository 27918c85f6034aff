"""Indicateurs des forums pour le tableau de bord (axe « forums »).

Bassin : celui du forum pour les forums et les offres, celui de la personne pour les participations (ce qui
garde le chiffre égal au nombre de lignes de la liste filtrée, que le référent voit dans son périmètre).
Mois : celui de la date du forum.
"""

from collections import defaultdict

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from tableau_de_bord.registre import Contexte, Indicateur, indicateur, premier_du_mois, taux

from .models import (
    Q_EMBAUCHEE,
    Q_INSCRITE,
    Q_INVITEE,
    Q_PRESENTE,
    Q_PRESENTE_INSCRITE,
    Entretien,
    Forum,
    OffreEmploi,
    Participation,
    Secteur,
)

MODELES = ("forums.Forum", "forums.Exposant", "forums.OffreEmploi", "forums.Participation", "forums.Entretien")
BASSIN_PERSONNE = "beneficiaire__commune__bassin_emploi"
PERIODE = ("date_apres", "date_avant")
TENUS = Q(statut__in=(Forum.Statut.TENU, Forum.Statut.CLOS))


def _par_secteur(ctx, qs, *, champ_date, champ_bassin, champ_secteur, mesure=None):
    """« Dont : secteur n » (une requête groupée par secteur), pour la description."""
    qs = ctx.filtrer_bassin(ctx.filtrer_periode(qs, champ_date), champ_bassin)
    lignes = qs.values(champ_secteur).annotate(_v=mesure if mesure is not None else Count("pk")).order_by(champ_secteur)
    libelles = dict(Secteur.choices)
    morceaux = [
        f"{libelles.get(ligne[champ_secteur], ligne[champ_secteur])} : {ligne['_v']}" for ligne in lignes if ligne["_v"]
    ]
    return "Par secteur — " + " ; ".join(morceaux) + "." if morceaux else ""


def _participations(ctx: Contexte, *, code, libelle, condition, etape, unite="personnes", description=""):
    qs = Participation.objects.filter(condition)
    ind = ctx.compter(
        qs,
        code=code,
        libelle=libelle,
        unite=unite,
        champ_date="forum__date",
        champ_bassin=BASSIN_PERSONNE,
        lien=ctx.lien("forums:participations", params_periode=PERIODE, etape=etape),
        description=description,
    )
    secteurs = _par_secteur(
        ctx, qs, champ_date="forum__date", champ_bassin=BASSIN_PERSONNE, champ_secteur="forum__secteur"
    )
    ind.description = " ".join(t for t in (description, secteurs) if t)
    return ind


def _rapport(ctx: Contexte, qs, *, numerateur, denominateur, champ_date, champ_bassin):
    """Rapport numerateur/denominateur x 100 : une requête groupée (bassin, mois) à deux comptes."""
    qs = ctx.filtrer_bassin(ctx.filtrer_periode(qs, champ_date), champ_bassin)
    lignes = (
        qs.annotate(_mois=TruncMonth(champ_date), _bassin=F(champ_bassin))
        .values("_mois", "_bassin")
        .annotate(_n=Count("pk", filter=numerateur), _d=Count("pk", filter=denominateur))
        .order_by()
    )
    total = [0, 0]
    par_bassin, par_mois = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for ligne in lignes:
        mois = premier_du_mois(ligne["_mois"])
        for cumul in (total, par_bassin[ligne["_bassin"]], par_mois[mois]):
            cumul[0] += ligne["_n"]
            cumul[1] += ligne["_d"]
    return (
        taux(*total),
        {b: taux(*v) for b, v in par_bassin.items()},
        {m: taux(*v) for m, v in sorted(par_mois.items())},
    )


@indicateur(axe="forums", ordre=10, modeles=MODELES)
def forums_tenus(ctx: Contexte):
    qs = Forum.objects.filter(TENUS)
    ind = ctx.compter(
        qs,
        code="forums_tenus",
        libelle="Forums tenus",
        unite="forums",
        champ_date="date",
        champ_bassin="commune__bassin_emploi",
        lien=ctx.lien("forums:liste", params_periode=PERIODE, tenu="true"),
    )
    ind.description = _par_secteur(
        ctx, qs, champ_date="date", champ_bassin="commune__bassin_emploi", champ_secteur="secteur"
    )
    return ind


@indicateur(axe="forums", ordre=20, modeles=MODELES)
def personnes_invitees(ctx: Contexte):
    return _participations(
        ctx,
        code="forums_invites",
        libelle="Personnes invitées à un forum",
        condition=Q_INVITEE,
        etape="invitee",
        description="Invitations envoyées (une par personne et par forum).",
    )


@indicateur(axe="forums", ordre=30, modeles=MODELES)
def personnes_inscrites(ctx: Contexte):
    return _participations(
        ctx,
        code="forums_inscrits",
        libelle="Personnes inscrites à un forum",
        condition=Q_INSCRITE,
        etape="inscrite",
        description=(
            "Inscrits ayant gardé leur place (présents ou non), hors liste d'attente et venues sans inscription."
        ),
    )


@indicateur(axe="forums", ordre=40, modeles=MODELES)
def personnes_presentes(ctx: Contexte):
    return _participations(
        ctx,
        code="forums_presents",
        libelle="Personnes présentes à un forum",
        condition=Q_PRESENTE,
        etape="presente",
        description="Pointées présentes le jour du forum, venues sans inscription comprises.",
    )


@indicateur(axe="forums", ordre=50, modeles=MODELES)
def taux_presence(ctx: Contexte):
    valeur, par_bassin, par_mois = _rapport(
        ctx,
        Participation.objects.all(),
        numerateur=Q_PRESENTE_INSCRITE,
        denominateur=Q_INSCRITE,
        champ_date="forum__date",
        champ_bassin=BASSIN_PERSONNE,
    )
    return Indicateur.avec_lien(
        ctx.lien("forums:participations", params_periode=PERIODE, etape="inscrite"),
        code="forums_taux_presence",
        libelle="Taux de présence des inscrits",
        valeur=valeur,
        unite="%",
        par_bassin=par_bassin,
        par_mois=par_mois,
        description="Inscrits pointés présents / inscrits (la liste montre les inscrits).",
    )


@indicateur(axe="forums", ordre=60, modeles=MODELES)
def entretiens(ctx: Contexte):
    return ctx.compter(
        Entretien.objects.all(),
        code="forums_entretiens",
        libelle="Entretiens avec un employeur lors d'un forum",
        unite="entretiens",
        champ_date="participation__forum__date",
        champ_bassin="participation__beneficiaire__commune__bassin_emploi",
        lien=ctx.lien("forums:entretiens", params_periode=PERIODE),
    )


@indicateur(axe="forums", ordre=70, modeles=MODELES)
def embauches(ctx: Contexte):
    return _participations(
        ctx,
        code="forums_embauches",
        libelle="Embauches à la suite d'un forum",
        condition=Q_EMBAUCHEE,
        etape="embauchee",
        unite="embauches",
    )


@indicateur(axe="forums", ordre=80, modeles=MODELES)
def embauches_pour_100_presents(ctx: Contexte):
    valeur, par_bassin, par_mois = _rapport(
        ctx,
        Participation.objects.all(),
        numerateur=Q_EMBAUCHEE,
        denominateur=Q_PRESENTE,
        champ_date="forum__date",
        champ_bassin=BASSIN_PERSONNE,
    )
    return Indicateur.avec_lien(
        ctx.lien("forums:participations", params_periode=PERIODE, etape="embauchee"),
        code="forums_embauches_pour_100",
        libelle="Embauches pour 100 présents",
        valeur=valeur,
        unite="pour 100 présents",
        par_bassin=par_bassin,
        par_mois=par_mois,
        description="Embauches / personnes présentes x 100 (la liste montre les embauches).",
    )


@indicateur(axe="forums", ordre=90, modeles=MODELES)
def offres(ctx: Contexte):
    return [
        ctx.compter(
            OffreEmploi.objects.all(),
            code="forums_offres",
            libelle="Offres d'emploi présentées en forum",
            unite="offres",
            champ_date="exposant__forum__date",
            champ_bassin="exposant__forum__commune__bassin_emploi",
            lien=ctx.lien("forums:offres", params_periode=PERIODE),
        ),
        ctx.compter(
            OffreEmploi.objects.all(),
            code="forums_postes",
            libelle="Postes proposés en forum",
            unite="postes",
            mesure=Sum("nombre_postes"),
            champ_date="exposant__forum__date",
            champ_bassin="exposant__forum__commune__bassin_emploi",
            lien=ctx.lien("forums:offres", params_periode=PERIODE),
            description="Somme des postes des offres (total affiché en tête de la liste des offres).",
        ),
    ]

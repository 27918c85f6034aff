"""Indicateurs de l'axe 2 (contrats aidés), ventilés par bassin (celui de la personne) et par mois.

Chaque lien mène à la liste des contrats filtrée de sorte que son nombre de lignes soit le chiffre affiché.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from commun.francais import compte, nombre
from referentiel.models import Structure
from tableau_de_bord.registre import Contexte, Indicateur, Ventilation, indicateur, premier_du_mois, taux

from .financement import engagements
from .models import ContratAide, Enveloppe, MotifRupture, Statut

BASSIN = "beneficiaire__commune__bassin_emploi"
MODELES = ("contrats.ContratAide", "contrats.Enveloppe", "contrats.ParametreFinancier")
LISTE = "contrats:liste"
PERIODE_SIGNATURE = ("signature_apres", "signature_avant")
PERIODE_RUPTURE = ("rupture_apres", "rupture_avant")


def _signes():
    return ContratAide.objects.signes()


def _signatures(ctx: Contexte):
    """Contrats signés par jour de signature et bassin : leur nombre, ceux signés avec une commune et la somme de
    leurs heures hebdomadaires. Une requête (avec la période précédente quand elle la précède) pour « contrats
    signés », « dont avec des communes » et la durée moyenne, au lieu de cinq. Rend {nom: (Ventilation, précédent)}."""
    return ctx.partage(
        "contrats.signatures",
        lambda: ctx.ventilations(
            _signes(),
            champ_date="date_signature",
            champ_bassin=BASSIN,
            mesures={
                "signes": Count("pk"),
                "communes": Count("pk", filter=Q(employeur__type=Structure.Type.COMMUNE)),
                "heures": Sum("heures_hebdomadaires"),
            },
            avec_precedent=True,
        ),
    )


@indicateur(axe="contrats", ordre=10, modeles=MODELES)
def contrats_signes(ctx: Contexte):
    cumul, precedent = _signatures(ctx)["signes"]
    return cumul.indicateur(
        code="contrats_signes",
        libelle="Contrats aidés signés",
        unite="contrats",
        lien=ctx.lien(LISTE, params_periode=PERIODE_SIGNATURE),
        description="Conventions CUI-CAE / PEC signées sur la période (le lancement : 52 en décembre 2017).",
        precedent=precedent,
    )


@indicateur(axe="contrats", ordre=20, modeles=MODELES)
def contrats_signes_communes(ctx: Contexte):
    cumul, precedent = _signatures(ctx)["communes"]
    # Comme une requête filtrée : un bassin ou un mois sans contrat signé avec une commune n'a pas de ligne.
    ventilation = Ventilation()
    for (bassin, mois), v in cumul.croise.items():
        if v:
            ventilation.ajouter(bassin, mois, v)
    return ventilation.indicateur(
        code="contrats_signes_communes",
        libelle="dont avec des communes",
        unite="contrats",
        lien=ctx.lien(LISTE, params_periode=PERIODE_SIGNATURE, communes="true"),
        precedent=precedent,
    )


@indicateur(axe="contrats", ordre=30, modeles=MODELES)
def contrats_en_cours(ctx: Contexte):
    """Contrats qui couvrent le dernier jour de la période (ou aujourd'hui si la période n'est pas finie)."""
    jour = min(ctx.fin, timezone.localdate())
    lignes = (
        ctx.filtrer_bassin(ContratAide.objects.actifs_le(jour), BASSIN)
        .annotate(_bassin=F(BASSIN))
        .values("_bassin")
        .annotate(_n=Count("pk"))
        .order_by()
    )
    par_bassin = {ligne["_bassin"]: ligne["_n"] for ligne in lignes}
    return Indicateur.avec_lien(
        ctx.lien(LISTE, actif_le=jour.isoformat()),
        code="contrats_en_cours",
        libelle=f"Contrats en cours au {jour:%d/%m/%Y}",
        valeur=sum(par_bassin.values()),
        unite="contrats",
        par_bassin=par_bassin,
    )


@indicateur(axe="contrats", ordre=40, modeles=MODELES)
def ruptures(ctx: Contexte):
    """Ruptures anticipées sur la période, puis une ligne par motif (une seule requête groupée)."""
    qs = ctx.filtrer_bassin(
        ctx.filtrer_periode(ContratAide.objects.filter(statut=Statut.ROMPU), "date_rupture"), BASSIN
    )
    lignes = (
        qs.annotate(_mois=TruncMonth("date_rupture"), _bassin=F(BASSIN))
        .values("_mois", "_bassin", "motif_rupture")
        .annotate(_n=Count("pk"))
        .order_by()
    )
    cumul = defaultdict(Ventilation)
    for ligne in lignes:
        mois = premier_du_mois(ligne["_mois"])
        for cle in ("__tous__", ligne["motif_rupture"]):
            cumul[cle].ajouter(ligne["_bassin"], mois, ligne["_n"])

    def construire(cle, code, libelle, **params):
        return cumul[cle].indicateur(
            code=code,
            libelle=libelle,
            unite="contrats",
            lien=ctx.lien(LISTE, params_periode=PERIODE_RUPTURE, **params),
        )

    resultat = [construire("__tous__", "contrats_ruptures", "Contrats rompus avant leur terme")]
    for motif in MotifRupture:
        resultat.append(
            construire(
                motif.value, f"contrats_ruptures_{motif.value}", f"dont : {motif.label}", motif_rupture=motif.value
            )
        )
    return resultat


@indicateur(axe="contrats", ordre=50, modeles=MODELES)
def heures_moyennes(ctx: Contexte):
    """Durée hebdomadaire moyenne des contrats signés sur la période (somme et nombre groupés en SQL, lus dans la
    requête des signatures)."""
    signatures = _signatures(ctx)
    (nombre, n_precedent), (heures, h_precedent) = signatures["signes"], signatures["heures"]

    def moyenne(h, n):
        return (Decimal(h) / n).quantize(Decimal("0.1")) if n else None

    return Indicateur.avec_lien(
        ctx.lien(LISTE, params_periode=PERIODE_SIGNATURE),
        code="contrats_heures_moyennes",
        libelle="Durée hebdomadaire moyenne des contrats signés",
        valeur=moyenne(heures.total, nombre.total),
        unite="heures",
        par_bassin={b: moyenne(heures.par_bassin[b], n) for b, n in nombre.par_bassin.items()},
        par_mois={m: moyenne(heures.par_mois[m], n) for m, n in nombre.mois_tries().items()},
        precedent=moyenne(h_precedent, n_precedent) if n_precedent is not None else None,
    )


@indicateur(axe="contrats", ordre=60, modeles=MODELES)
def sorties_positives(ctx: Contexte):
    return ctx.compter(
        ContratAide.objects.filter(statut=Statut.ROMPU, sortie_positive=True),
        code="contrats_sorties_positives",
        libelle="Sorties positives (CDI, CDD de 6 mois et plus, formation qualifiante)",
        unite="personnes",
        champ_date="date_rupture",
        champ_bassin=BASSIN,
        lien=ctx.lien(LISTE, params_periode=PERIODE_RUPTURE, sortie_positive="true"),
    )


@indicateur(axe="contrats", ordre=70, modeles=MODELES)
def enveloppe(ctx: Contexte):
    """Enveloppe (CAOM) des années de la période : contrats prévus, contrats signés ces années-là."""
    annees = list(range(ctx.debut.year, ctx.fin.year + 1))
    prevus = sum(Enveloppe.objects.filter(annee__in=annees).values_list("nombre_contrats", flat=True))
    debut, fin = date(annees[0], 1, 1), date(annees[-1], 12, 31)
    lignes = (
        ctx.filtrer_bassin(_signes().filter(date_signature__gte=debut, date_signature__lte=fin), BASSIN)
        .annotate(_bassin=F(BASSIN))
        .values("_bassin")
        .annotate(_n=Count("pk"))
        .order_by()
    )
    par_bassin = {ligne["_bassin"]: ligne["_n"] for ligne in lignes}
    utilises = sum(par_bassin.values())
    libelle_annees = "–".join(str(a) for a in (annees[0], annees[-1])) if len(annees) > 1 else str(annees[0])
    return [
        Indicateur(
            code="contrats_enveloppe_prevue",
            libelle=f"Enveloppe {libelle_annees} : contrats prévus (CAOM)",
            valeur=prevus,
            unite="contrats",
        ),
        Indicateur.avec_lien(
            ctx.lien(LISTE, signature_apres=debut.isoformat(), signature_avant=fin.isoformat()),
            code="contrats_enveloppe_utilisee",
            libelle=f"Enveloppe {libelle_annees} : contrats signés",
            valeur=utilises,
            unite="contrats",
            par_bassin=par_bassin,
            description=f"{nombre(utilises)} sur {compte(prevus, 'prévu')}"
            + (f" ({taux(utilises, prevus)} %)." if prevus else " (aucune enveloppe saisie)."),
        ),
    ]


@indicateur(axe="contrats", ordre=80, modeles=MODELES)
def cofinancement_engage(ctx: Contexte):
    """Part du Département engagée sur les mois de la période (conventions signées, en cours, terminées,
    rompues) : une requête pour les contrats qui chevauchent la période, une pour le barème."""
    qs = ctx.filtrer_bassin(ContratAide.objects.all(), BASSIN)
    engage = engagements(qs, ctx.debut, ctx.fin, champ_bassin=BASSIN)
    description = (
        "88 % du RSA personne seule par mois de contrat (45 % à 7 heures), au prorata, dans la limite de l'aide "
        "due (taux de l'État x SMIC horaire x heures x 52 / 12)."
    )
    if engage.valeurs:
        description += (
            " Valeurs utilisées : "
            + " ; ".join(f"{u.valeur.description()}, {u.periode()}" for u in engage.valeurs)
            + "."
        )
    return Indicateur.avec_lien(
        ctx.lien(LISTE, couvre_du=ctx.debut.isoformat(), couvre_au=ctx.fin.isoformat()),
        code="contrats_cofinancement_engage",
        libelle="Cofinancement du Département engagé",
        valeur=engage.total,
        unite="€",
        par_bassin=engage.par_bassin,
        par_mois=engage.par_mois,
        par_bassin_mois=engage.croise,
        ventile=True,
        description=description,
        avertissements=[f"{u.valeur.avertissement()} Mois concernés : {u.periode()}." for u in engage.perimees],
    )

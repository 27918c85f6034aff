import functools
import hashlib

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView, View
from tablib import Dataset

from commun.exports import neutraliser_cellule
from comptes.acces import RoleRequisMixin
from comptes.models import Role
from comptes.services import export_journaliser
from referentiel.models import BassinEmploi

from . import cache as cache_tableau
from .forms import FiltreForm
from .registre import AXES
from .selecteurs import tableau_calculer
from .svg import histogramme, libelle_mois

ROLES_TABLEAU = (Role.ADMINISTRATEUR, Role.PILOTAGE, Role.REFERENT)


class PerimetreMixin:
    """Période et bassins demandés, dans le périmètre de l'utilisateur (un référent : ses bassins seulement)."""

    formulaire_url = FiltreForm

    def bassins_visibles(self):
        user = self.request.user
        if user.voit_tout:
            return BassinEmploi.objects.order_by("nom")
        return user.bassins.order_by("nom")

    def tableau(self):
        visibles = self.bassins_visibles()
        self.form = FiltreForm(self.request.GET or None, bassins_visibles=visibles)
        debut, fin = self.form.periode()
        bassin = self.form.cleaned_data.get("bassin") if self.form.is_bound and self.form.is_valid() else None
        if bassin is not None:
            bassins, restreint = [bassin], True
        else:
            bassins, restreint = list(visibles), not self.request.user.voit_tout
        return tableau_calculer(debut=debut, fin=fin, bassins=bassins, restreint=restreint)


class TableauView(PerimetreMixin, RoleRequisMixin, TemplateView):
    """La page du tableau de bord. Son corps (chiffres, axes, graphiques, tableau par bassin) ne dépend que du
    tableau calculé : il est rendu une fois et gardé dans le cache du tableau, sous la même clé (période,
    bassins, version des données) ; une écriture sur un modèle surveillé le périme avec les chiffres."""

    roles = ROLES_TABLEAU
    template_name = "tableau_de_bord/tableau.html"
    gabarit_contenu = "tableau_de_bord/_contenu.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tableau = self.tableau()
        cle = cache_tableau.cle(
            debut=tableau.debut,
            fin=tableau.fin,
            bassin_ids=[bid for bid, _ in tableau.bassins],
            restreint=tableau.restreint,
            nature="html-" + empreinte_gabarit(self.gabarit_contenu),
        )
        contenu = cache_tableau.cache.get(cle)
        if contenu is None:
            contenu = render_to_string(self.gabarit_contenu, contexte_contenu(tableau))
            cache_tableau.cache.set(cle, contenu, cache_tableau.duree())
        context.update(
            tableau=tableau, form=self.form, contenu=mark_safe(contenu), parametres=self.request.GET.urlencode()
        )
        return context


@functools.cache
def empreinte_gabarit(nom):
    """Empreinte du gabarit (une fois par processus) : un gabarit modifié ne sert pas un rendu d'avant."""
    source = get_template(nom).template.source
    return hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()[:12]


def contexte_contenu(tableau):
    """Le contexte du corps de la page : les sections par axe (avec le graphique mensuel de leur premier
    compte et ses données en tableau) et les lignes du tableau par bassin."""
    sections = []
    for code, libelle, indicateurs in tableau.sections():
        graphique = None
        # Le graphique de l'axe : son premier compte (un taux ou une moyenne ne s'empile pas par mois).
        principal = next((i for i in indicateurs if i.ventile), indicateurs[0] if indicateurs else None)
        if principal is not None:
            serie = tableau.serie(principal)
            graphique = {
                "indicateur": principal,
                "svg": histogramme(
                    ident=f"graphique-{code}",
                    titre=f"{principal.libelle} par mois, du {tableau.debut:%d/%m/%Y} au {tableau.fin:%d/%m/%Y}",
                    serie=serie,
                    unite=principal.unite,
                ),
                "serie": [(libelle_mois(m), v) for m, v in serie],
            }
        sections.append(
            {
                "code": code,
                "libelle": libelle,
                "indicateurs": [(i, tableau.cellules(i)) for i in indicateurs],
                "graphique": graphique,
                # Aucun enregistrement derrière aucun chiffre de l'axe : la page le dit au lieu d'aligner des zéros.
                "sans_donnee": bool(indicateurs) and all(i.sans_donnee for i in indicateurs),
            }
        )
    return {
        "tableau": tableau,
        "sections": sections,
        "axes_sans_donnee": {s["libelle"] for s in sections if s["sans_donnee"]},
        "lignes": [
            (i, AXES.get(i.axe, i.axe), tableau.cellules(i)) for i in tableau.indicateurs if i.axe != "contexte"
        ],
    }


FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ENTETES = ["code", "libellé", "axe", "bassin", "mois", "valeur", "cible", "unité"]


def lignes_export(tableau):
    """Une ligne par indicateur x bassin (et total) x mois (et toute la période). Cellules texte neutralisées."""
    total_nom = "Total des bassins affichés" if tableau.restreint else "Tout le Département"
    periode = f"{tableau.debut.isoformat()}/{tableau.fin.isoformat()}"
    for ind in tableau.indicateurs:
        axe = AXES.get(ind.axe, ind.axe)
        colonnes = [(bid, nom) for bid, nom in tableau.bassins] + [(None, total_nom)]
        for bid, nom in colonnes:
            if bid is None:
                valeur_periode, cible = ind.valeur, ind.cible
            else:
                valeur_periode, cible = ind.valeur_bassin(bid), ind.cibles_bassin.get(bid)
            yield [ind.code, ind.libelle, axe, nom, periode, valeur_periode, cible, ind.unite]
            for mois in tableau.mois:
                if bid is None:
                    valeur = ind.valeur_mois(mois)
                else:
                    valeur = ind.valeur_bassin_mois(bid, mois)
                yield [ind.code, ind.libelle, axe, nom, mois.strftime("%Y-%m"), valeur, None, ind.unite]


class ExportTableauView(PerimetreMixin, RoleRequisMixin, View):
    roles = ROLES_TABLEAU

    def get(self, request, format):
        if format not in FORMATS:
            raise Http404("Format d'export inconnu.")
        tableau = self.tableau()
        if self.form.is_bound and not self.form.is_valid():
            # Pas d'export d'une autre période que celle demandée : l'erreur du formulaire, en texte.
            erreurs = [" ".join(messages) for messages in self.form.errors.values()]
            return HttpResponseBadRequest("\n".join(erreurs), content_type="text/plain; charset=utf-8")
        donnees = Dataset(headers=ENTETES, title="Tableau de bord")
        for ligne in lignes_export(tableau):
            donnees.append([neutraliser_cellule(v) for v in ligne])
        contenu = donnees.export(format)
        export_journaliser(
            par=request.user,
            vue="tableau_de_bord:export",
            filtres=request.GET.urlencode(),
            format=format,
            lignes=len(donnees),
        )
        reponse = HttpResponse(contenu, content_type=FORMATS[format])
        nom = f"tableau-de-bord_{tableau.debut.isoformat()}_{tableau.fin.isoformat()}.{format}"
        reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
        return reponse

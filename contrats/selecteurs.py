"""Lectures composées des contrats aidés : liste et fiche, employeur, files d'activité, tâches."""

from django.db.models import Count, Q

from beneficiaires.models import Beneficiaire, normaliser
from commun.tableaux import lue_par_cle, perimetre_fait_une_fois, selection_faite_une_fois
from comptes.models import User, nom_affiche
from referentiel.models import Structure

from .models import ContratAide, Statut

# La recherche d'une personne à qui prescrire un contrat montre au plus ce nombre de résultats.
RECHERCHE_PERSONNES_MAX = 30


# Ce que lisent la liste, ses exports et ses tris (tables.py) : les colonnes affichées du contrat, et en
# annotations, chacune par une sous-requête sur sa clé (commun.tableaux.lue_par_cle : le compte n'en hérite pas de
# jointure), celles de la personne, de son bassin, de l'employeur et du référent. Une instance par ligne au lieu
# de cinq (select_related), et une trentaine de colonnes lues de moins.
COLONNES_LISTE = (
    "numero_convention",
    "type",
    "statut",
    "date_signature",
    "date_debut",
    "date_fin",
    "heures_hebdomadaires",
    "motif_rupture",
    "beneficiaire_id",
    "employeur_id",
    "referent_id",
)
ANNOTATIONS_LISTE = {
    "liste_nom": lue_par_cle(Beneficiaire, "beneficiaire_id", "nom"),
    "liste_prenoms": lue_par_cle(Beneficiaire, "beneficiaire_id", "prenoms"),
    "liste_bassin": lue_par_cle(Beneficiaire, "beneficiaire_id", "commune__bassin_emploi__nom"),
    "liste_employeur": lue_par_cle(Structure, "employeur_id", "nom"),
    "liste_type_employeur": lue_par_cle(Structure, "employeur_id", "type"),
    "liste_referent": lue_par_cle(User, "referent_id", nom_affiche()),
}


def pour_la_liste(contrats):
    """Ces contrats avec ce que la liste affiche (personne et bassin, employeur, référent)."""
    return contrats.only(*COLONNES_LISTE).annotate(**ANNOTATIONS_LISTE)


_lignes_de_la_liste = selection_faite_une_fois(lambda: pour_la_liste(ContratAide.objects.all()))
_lignes_du_perimetre = perimetre_fait_une_fois("contrats", lambda user: _lignes_de_la_liste().visibles_par(user))


def contrats_visibles(user):
    """Les contrats du périmètre, tels que la liste les lit (le même SQL que
    `pour_la_liste(ContratAide.objects.visibles_par(user))`, les sous-requêtes résolues une fois par processus)."""
    return _lignes_du_perimetre(user)


def chiffres_employeur(user, employeur):
    """Contrats de l'employeur dans le périmètre : total, signés (signés, en cours, terminés ou rompus), en cours,
    rompus, en une requête."""
    return (
        ContratAide.objects.visibles_par(user)
        .filter(employeur=employeur)
        .aggregate(
            total=Count("pk"),
            signes=Count("pk", filter=Q(statut__in=(Statut.SIGNE, Statut.EN_COURS, Statut.TERMINE, Statut.ROMPU))),
            en_cours=Count("pk", filter=Q(statut=Statut.EN_COURS)),
            rompus=Count("pk", filter=Q(statut=Statut.ROMPU)),
        )
    )


def historique(contrat):
    """Les versions du contrat, chacune avec les champs changés (comparés en mémoire, sans requête par ligne)."""
    versions = list(contrat.history.select_related("history_user").order_by("-history_date", "-history_id")[:100])
    noms = {f.name: f.verbose_name for f in ContratAide._meta.fields}
    resultat = []
    for i, v in enumerate(versions):
        precedente = versions[i + 1] if i + 1 < len(versions) else None
        changes = []
        if precedente is not None:
            for champ in noms:
                if champ in ("id",):
                    continue
                attname = ContratAide._meta.get_field(champ).attname
                if getattr(v, attname, None) != getattr(precedente, attname, None):
                    changes.append(noms[champ])
        resultat.append({"version": v, "changes": changes})
    return resultat


def totaux_par_annee(lignes):
    """[(année, part du Département)] des lignes d'un échéancier, par année croissante."""
    totaux = {}
    for ligne in lignes:
        totaux[ligne.mois.year] = totaux.get(ligne.mois.year, 0) + ligne.part_departement
    return sorted(totaux.items())


def personnes_a_prescrire(user, recherche):
    """Les personnes du périmètre dont le nom ou le numéro contient `recherche` (sans accent ni casse), par nom."""
    return list(
        Beneficiaire.objects.visibles_par(user)
        .filter(recherche__contains=normaliser(recherche))
        .select_related("commune")
        .order_by("nom", "prenoms", "pk")[:RECHERCHE_PERSONNES_MAX]
    )


def contrats_finissant(*, debut, fin, queryset=None):
    """Contrats signés ou en cours, non rompus, dont la date de fin tombe entre `debut` et `fin` inclus."""
    qs = ContratAide.objects.all() if queryset is None else queryset
    return qs.filter(
        statut__in=(Statut.SIGNE, Statut.EN_COURS), date_rupture__isnull=True, date_fin__range=(debut, fin)
    ).select_related("beneficiaire__commune", "employeur")


def contrats_a_renouveler(user, jour, jours=60):
    """Contrats du périmètre qui se terminent dans les `jours` jours : décision de renouvellement à prendre."""
    import datetime

    return contrats_finissant(
        debut=jour, fin=jour + datetime.timedelta(days=jours), queryset=ContratAide.objects.visibles_par(user)
    )


def enveloppe_consommee(jour):
    """(enveloppe de l'année, contrats signés cette année) si 90 % au moins des contrats prévus sont signés."""
    from .models import Enveloppe

    enveloppe = Enveloppe.objects.filter(annee=jour.year).first()
    if enveloppe is None or not enveloppe.nombre_contrats:
        return None
    signes = ContratAide.objects.signes().filter(date_signature__year=jour.year).count()
    return (enveloppe, signes) if signes * 10 >= enveloppe.nombre_contrats * 9 else None

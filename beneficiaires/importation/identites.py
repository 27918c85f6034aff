"""Recherche des personnes déjà connues avant d'en créer une : même foyer (numéro allocataire et organisme) et
même identité (nom, prénoms, date de naissance normalisés) -> mise à jour ; même identité dans un autre foyer,
ou même NIR -> doublon probable, signalé et non créé. Lectures par paquets, aucune requête par ligne."""

from ..models import Beneficiaire, normaliser

TAILLE_PAQUET = 1000


def par_paquets(valeurs, taille=TAILLE_PAQUET):
    valeurs = list(valeurs)
    for i in range(0, len(valeurs), taille):
        yield valeurs[i : i + taille]


def connus_dans_les_foyers(foyer_par_id):
    """{(foyer_id, nom, prénoms, naissance normalisés): Beneficiaire} des foyers donnés (le rôle peut changer)."""
    connus = {}
    for paquet in par_paquets(foyer_par_id):
        for b in Beneficiaire.objects.filter(foyer_id__in=paquet).order_by("pk"):
            b.foyer = foyer_par_id[b.foyer_id]  # déjà lu : pas de requête pour la clé de recherche
            connus.setdefault((b.foyer_id, normaliser(b.nom), normaliser(b.prenoms), b.date_naissance), b)
    return connus


def doublons_probables(lignes):
    """{numéro de ligne: (Beneficiaire connu, motif)} pour les lignes à créer qui ressemblent à une personne
    connue ailleurs."""
    par_nir = _par_nir({ligne.valeurs_personne["nir"] for ligne in lignes if ligne.valeurs_personne.get("nir")})
    par_identite = _par_identite({ligne.valeurs_personne["date_naissance"] for ligne in lignes})
    trouves = {}
    for ligne in lignes:
        nir = ligne.valeurs_personne.get("nir")
        if nir and nir in par_nir:
            trouves[ligne.numero] = (par_nir[nir], "même NIR")
        elif ligne.identite in par_identite:
            trouves[ligne.numero] = (par_identite[ligne.identite], "mêmes nom, prénoms et date de naissance")
    ids = {pk for pk, _motif in trouves.values()}
    personnes = Beneficiaire.objects.select_related("foyer").in_bulk(ids)
    return {numero: (personnes[pk], motif) for numero, (pk, motif) in trouves.items() if pk in personnes}


def _par_nir(nirs):
    resultat = {}
    for paquet in par_paquets(nirs):
        for pk, nir in Beneficiaire.objects.actifs().filter(nir__in=paquet).values_list("pk", "nir"):
            resultat.setdefault(nir, pk)
    return resultat


def _par_identite(dates):
    resultat = {}
    for paquet in par_paquets(dates):
        qs = Beneficiaire.objects.actifs().filter(date_naissance__in=paquet).order_by("pk")
        for pk, nom, prenoms, naissance in qs.values_list("pk", "nom", "prenoms", "date_naissance"):
            resultat.setdefault((normaliser(nom), normaliser(prenoms), naissance), pk)
    return resultat

"""Application d'une préparation au registre, en opérations groupées : foyers, personnes connues mises à jour,
nouvelles personnes créées, doublons probables signalés (non créés). Historique (django-simple-history) de
chaque création et de chaque modification ; aucune requête par ligne."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from commun.versions import ecritures_en_masse

from ..models import Beneficiaire, DoublonProbable, Foyer, Role
from .bilan import MAX_EXEMPLES, Bilan
from .identites import TAILLE_PAQUET, connus_dans_les_foyers, doublons_probables, par_paquets
from .preparation import ligne_en_json

TAILLE_PAQUET_MAJ = 250  # bulk_update écrit un CASE par champ : des paquets plus petits vont plus vite
CHAMPS_RECHERCHE = {"nom", "nom_naissance", "prenoms"}
# Relations résolues par l'import ; e-mail et téléphone déjà normalisés par les mêmes validateurs (valeurs.py).
EXCLUS_VALIDATION = ["foyer", "commune", "referent", "evaluation_courante", "recherche", "email", "telephone"]


def appliquer(preparation, *, source="", par=None, essai=False, avancement=None):
    """Applique (ou, en essai, simule puis annule) une préparation ; rend le Bilan. `avancement(fait, total)` :
    appelé au fil des écritures, en lignes du fichier traitées (une tâche d'import le montre à qui l'a lancée)."""
    debut = timezone.now()
    bilan = Bilan(essai=essai, lignes=preparation.lignes, colonnes_ignorees=list(preparation.colonnes_ignorees))
    bilan.rejets = list(preparation.rejets)
    for ligne in preparation.lues:
        for champ, message in ligne.avertissements:
            bilan.avertir(ligne.numero, champ, message)
    with transaction.atomic():
        Application(bilan, source=source, par=par, essai=essai, avancement=avancement).executer(preparation.lues)
        if essai:
            transaction.set_rollback(True)
    bilan.rejets.sort()
    bilan.duree = round((timezone.now() - debut).total_seconds(), 2)
    return bilan


class Application:
    def __init__(self, bilan, *, source, par, essai, avancement=None):
        self.bilan, self.source, self.par, self.essai = bilan, source, par, essai
        self.raison = f"Import de la liste « {source or 'sans source'} »"[:100]
        self.avancement = avancement

    def avancer(self, fait):
        if self.avancement is not None:
            total = self.bilan.lignes
            self.avancement(min(fait, total), total)

    def executer(self, lues):
        foyers, foyers_crees = self.foyers(lues)
        connus = connus_dans_les_foyers({f.pk: f for f in foyers.values() if f is not None and f.pk})
        a_creer, a_modifier, champs = self.classer(lues, foyers, connus)
        a_creer, doublons = self.ecarter_doublons(a_creer)
        if not self.essai:  # l'aperçu compte sans construire les personnes (ses valeurs sont déjà contrôlées)
            a_creer = self.nouvelles(a_creer)
        self.compter(a_creer, a_modifier, doublons)
        if not self.essai:
            self.ecrire(foyers_crees, a_creer, a_modifier, champs, doublons)

    # --- Foyers ------------------------------------------------------------------------------------------

    def foyers(self, lues):
        """Une ligne de référence par foyer (le demandeur s'il figure dans la liste, sinon la première)."""
        reference = {}
        for ligne in lues:
            cle = (ligne.numero_allocataire, ligne.organisme)
            if cle not in reference or (ligne.role == Role.DEM and reference[cle].role != Role.DEM):
                reference[cle] = ligne
        foyers = {}
        for paquet in par_paquets({num for num, _ in reference}):
            for foyer in Foyer.objects.filter(numero_allocataire__in=paquet):
                foyers[(foyer.numero_allocataire, foyer.organisme)] = foyer
        crees, modifies, champs = [], [], set()
        for cle, ligne in reference.items():
            foyer = foyers.get(cle)
            if foyer is None:
                # L'aperçu compte les foyers à créer sans les construire.
                foyer = (
                    None if self.essai else Foyer(numero_allocataire=cle[0], organisme=cle[1], **ligne.valeurs_foyer)
                )
                if foyer is not None:
                    foyer.date_creation = timezone.now()
                foyers[cle] = foyer
                crees.append(foyer)
                continue
            changes = [c for c, v in ligne.valeurs_foyer.items() if valeur(foyer, c) != cle_valeur(v)]
            for c in changes:
                setattr(foyer, c, ligne.valeurs_foyer[c])
            if changes:
                champs.update(changes)
                modifies.append(foyer)
        self.bilan.foyers_crees, self.bilan.foyers_modifies = len(crees), len(modifies)
        if not self.essai:
            bulk_create_with_history(
                crees, Foyer, batch_size=TAILLE_PAQUET, default_user=self.par, default_change_reason=self.raison
            )
            if modifies:
                mettre_a_jour(modifies, Foyer, sorted(champs), par=self.par, raison=self.raison)
        return foyers, crees

    # --- Personnes ---------------------------------------------------------------------------------------

    def classer(self, lues, foyers, connus):
        a_creer, a_modifier, champs = [], [], set()
        for ligne in lues:
            foyer = foyers[(ligne.numero_allocataire, ligne.organisme)]
            existant = connus.get((foyer.pk, *ligne.identite)) if foyer is not None and foyer.pk else None
            if existant is None:
                a_creer.append((ligne, foyer))
                continue
            changes = self.modifier(ligne, existant)
            if changes is None:
                continue
            if not changes:
                self.bilan.inchanges += 1
                continue
            champs.update(changes)
            a_modifier.append(existant)
        return a_creer, a_modifier, champs

    def nouvelles(self, a_creer):
        """Les personnes à créer, contrôlées champ par champ (une ligne invalide ici est rejetée)."""
        resultat = []
        for ligne, foyer in a_creer:
            beneficiaire = self.nouvelle(ligne, foyer)
            if beneficiaire is not None:
                resultat.append((ligne, beneficiaire))
        return resultat

    def nouvelle(self, ligne, foyer):
        beneficiaire = Beneficiaire(foyer=foyer, role=ligne.role, **ligne.valeurs_personne)
        beneficiaire.statut_parcours = beneficiaire.statut_initial(timezone.localdate())
        beneficiaire.date_creation = timezone.now()
        try:
            beneficiaire.clean_fields(exclude=EXCLUS_VALIDATION)
        except ValidationError as exc:
            self.bilan.rejets.append((ligne.numero, message(exc)))
            return None
        return beneficiaire

    def modifier(self, ligne, existant):
        """Rend les champs changés (liste vide : rien à faire ; None : ligne rejetée)."""
        valeurs = {"role": ligne.role, **ligne.valeurs_personne}
        if existant.commune_id is not None and "commune" not in valeurs:
            valeurs.pop("adresse_brute", None)  # adresse illisible : la commune connue reste
        elif "commune" in valeurs:
            valeurs["adresse_brute"] = ""
        changes = [c for c, v in valeurs.items() if valeur(existant, c) != cle_valeur(v)]
        avant = {c: getattr(existant, c) for c in changes}
        for c in changes:
            setattr(existant, c, valeurs[c])
        try:
            existant.clean_fields(exclude=EXCLUS_VALIDATION)
        except ValidationError as exc:
            for c, v in avant.items():
                setattr(existant, c, v)
            self.bilan.rejets.append((ligne.numero, message(exc)))
            return None
        statut = existant.statut_parcours
        existant.recalculer_statut_initial(timezone.localdate())
        if changes and existant.statut_parcours != statut:  # devenu (ou plus) soumis aux droits et devoirs
            changes.append("statut_parcours")
            avant["statut_parcours"], valeurs["statut_parcours"] = statut, existant.statut_parcours
        if changes and len(self.bilan.exemples) < MAX_EXEMPLES * 2:
            detail = " ; ".join(libelle_changement(c, avant[c], valeurs[c]) for c in changes)
            self.bilan.exemples.append((ligne.numero, "mise à jour", str(existant), detail))
        return changes

    def ecarter_doublons(self, a_creer):
        trouves = doublons_probables([ligne for ligne, _f in a_creer])
        gardes, doublons = [], []
        for ligne, foyer in a_creer:
            if ligne.numero in trouves:
                existant, motif = trouves[ligne.numero]
                doublons.append((ligne, existant, motif))
            else:
                gardes.append((ligne, foyer))
        return gardes, doublons

    def compter(self, a_creer, a_modifier, doublons):
        bilan = self.bilan
        for ligne, _objet in a_creer[:MAX_EXEMPLES]:
            p = ligne.valeurs_personne
            personne = f"{p['nom'].upper()} {p['prenoms']}"
            bilan.exemples.append((ligne.numero, "création", personne, f"foyer {ligne.numero_allocataire}"))
        bilan.exemples.sort()
        bilan.crees, bilan.modifies = len(a_creer), len(a_modifier)
        bilan.a_rattacher = sum(1 for ligne, _objet in a_creer if ligne.valeurs_personne.get("commune") is None)
        bilan.doublons = [
            (ligne.numero, f"{ligne.valeurs_personne['nom'].upper()} {ligne.valeurs_personne['prenoms']}", str(e), m)
            for ligne, e, m in doublons
        ]

    # --- Écriture ----------------------------------------------------------------------------------------

    def ecrire(self, foyers_crees, a_creer, a_modifier, champs, doublons):
        nouveaux = []
        for _ligne, beneficiaire in a_creer:
            beneficiaire.foyer = beneficiaire.foyer  # rattache l'identifiant du foyer créé juste avant
            beneficiaire.calculer_recherche()
            nouveaux.append(beneficiaire)
        # Avancement en lignes : celles qui n'écrivent rien (rejetées, inchangées, doublons) sont traitées dès
        # maintenant ; les autres au fil des paquets écrits.
        fait = max(self.bilan.lignes - len(nouveaux) - len(a_modifier), 0)
        self.avancer(fait)
        for paquet in par_paquets(nouveaux):
            bulk_create_with_history(
                paquet, Beneficiaire, batch_size=TAILLE_PAQUET, default_user=self.par, default_change_reason=self.raison
            )
            fait += len(paquet)
            self.avancer(fait)
        if a_modifier:
            if champs & CHAMPS_RECHERCHE:
                for b in a_modifier:
                    b.calculer_recherche()
                champs.add("recherche")
            mettre_a_jour(a_modifier, Beneficiaire, sorted(champs), par=self.par, raison=self.raison)
            fait += len(a_modifier)
            self.avancer(fait)
        signales = [
            DoublonProbable(
                existant=existant, motif=motif, source=self.source, ligne=ligne.numero, donnees=ligne_en_json(ligne)
            )
            for ligne, existant, motif in doublons
        ]
        bulk_create_with_history(signales, DoublonProbable, batch_size=TAILLE_PAQUET, default_user=self.par)
        ecritures_en_masse("beneficiaires")  # écritures sans signal : les versions des personnes et foyers changent


def mettre_a_jour(objets, modele, champs, *, par, raison):
    """Met à jour `champs` des objets, historique compris. Sur PostgreSQL, un UPDATE ... FROM (VALUES ...) par
    paquet : le bulk_update de Django (un CASE par champ et par ligne) coûte plusieurs fois plus cher."""
    if connection.vendor != "postgresql":
        bulk_update_with_history(
            objets, modele, champs, batch_size=TAILLE_PAQUET_MAJ, default_user=par, default_change_reason=raison
        )
        return
    meta = modele._meta
    colonnes = [meta.get_field(c) for c in champs]
    qn = connection.ops.quote_name
    affectations = ", ".join(
        f"{qn(f.column)} = v.{qn(f.column)}::{f.cast_db_type(connection) or f.db_type(connection)}" for f in colonnes
    )
    noms = ", ".join(["id", *(qn(f.column) for f in colonnes)])
    with transaction.atomic(savepoint=False), connection.cursor() as curseur:
        for paquet in par_paquets(objets):
            ligne = "(" + ", ".join(["%s::bigint", *(["%s"] * len(colonnes))]) + ")"
            parametres = []
            for objet in paquet:
                parametres.append(objet.pk)
                parametres.extend(f.get_db_prep_save(getattr(objet, f.attname), connection) for f in colonnes)
            curseur.execute(
                f"UPDATE {qn(meta.db_table)} SET {affectations} FROM (VALUES {', '.join([ligne] * len(paquet))}) "
                f"AS v({noms}) WHERE {qn(meta.db_table)}.{qn(meta.pk.column)} = v.id",
                parametres,
            )
        # Seulement l'historique (aucun champ à réécrire) : une ligne « ~ » par objet, attribuée.
        bulk_update_with_history(
            objets, modele, [], batch_size=TAILLE_PAQUET, default_user=par, default_change_reason=raison
        )


def valeur(objet, champ):
    """Valeur comparable d'un champ (l'identifiant pour une clé étrangère : pas de requête)."""
    f = objet._meta.get_field(champ)
    return getattr(objet, f.attname) if f.is_relation else getattr(objet, champ)


def cle_valeur(v):
    return v.pk if hasattr(v, "pk") else v


def libelle_changement(champ, avant, apres):
    def texte(v):
        if isinstance(v, date):
            return f"{v:%d/%m/%Y}"
        if isinstance(v, bool):
            return "oui" if v else "non"
        return str(v) if v not in (None, "") else "(vide)"

    noms = {f.name: f.verbose_name for f in Beneficiaire._meta.fields}
    return f"{noms.get(champ, champ)} : {texte(avant)} → {texte(apres)}"


def message(exc):
    if hasattr(exc, "message_dict"):
        return " ; ".join(f"{champ} : {' '.join(m)}" for champ, m in exc.message_dict.items())
    return " ".join(exc.messages)

"""Outils RGPD du registre : durée de conservation (anonymisation des personnes inactives) et droit d'accès
(toutes les données d'une personne, en JSON ou en page lisible).

Les données liées à une personne sont trouvées sans connaître les autres applications : on parcourt les
relations inverses de `Beneficiaire` (`_meta`) — les modèles qui ont une clé étrangère vers la personne
(évaluations, contrats, orientations, locations, participations aux forums...), puis, de proche en proche,
ceux qui pointent vers ces enregistrements (suivis d'une orientation, sorties...). Un objet atteint par une
relation plusieurs-à-plusieurs (un forum où la personne est invitée) est partagé avec d'autres personnes :
il est montré dans l'export mais jamais parcouru plus loin ni modifié.
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, CharField, F, Max, Value, When
from django.db.models.functions import Cast, Concat, TruncYear
from django.utils import timezone
from simple_history.models import HistoricalChanges
from simple_history.utils import bulk_update_with_history

from commun.dates import soustraire_mois
from commun.francais import compte
from commun.versions import ecritures_en_masse

from .models import Beneficiaire, Foyer

journal = logging.getLogger("plan_emploi.rgpd")

PROFONDEUR_MAX = 4
# Champs propres de la personne qui ne disent rien de son activité.
CHAMPS_DATE_HORS_ACTIVITE = {"date_naissance", "date_anonymisation"}
# Champs jamais montrés dans l'export (dérivés, techniques).
CHAMPS_EXCLUS_EXPORT = {"recherche"}
# Textes libres effacés à l'anonymisation, modèle par modèle ; pour les modèles non listés (autres applications) :
# les TextField et EmailField, les CharField sans choix de 300 caractères ou plus, et ceux dont le nom évoque un
# contact ou un commentaire libre (téléphone, adresse, observations, note, motif...).
TEXTES_LIBRES = {"beneficiaires.evaluation": ("synthese",)}
MOTS_TEXTE_LIBRE = (
    "telephone", "email", "courriel", "adresse", "observation", "note", "commentaire", "remarque", "motif",
    "detail", "precision", "compte_rendu", "fichier",
)  # fmt: skip
RAISON_ANONYMISATION = "Anonymisation : durée de conservation dépassée"


# --- Découverte des données liées ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ModeleLie:
    """Un modèle lié à la personne et le chemin de recherche qui y mène (`orientation__beneficiaire`)."""

    modele: type
    chemin: str
    partage: bool = False  # atteint par une relation plusieurs-à-plusieurs : objet commun à plusieurs personnes
    profondeur: int = 1

    @property
    def etiquette(self):
        return self.modele._meta.label_lower

    @property
    def modele_historique(self):
        nom = getattr(self.modele._meta, "simple_history_manager_attribute", None)
        return getattr(self.modele, nom).model if nom else None

    def champs_date(self):
        return [
            f.name
            for f in self.modele._meta.concrete_fields
            if isinstance(f, models.DateField) and not f.name.startswith("date_naissance")
        ]


def modeles_lies():
    """Tous les modèles qui portent des données sur une personne, trouvés par les relations inverses (largeur
    d'abord : le chemin le plus court gagne). Les modèles d'historique sont traités à part (voir historique)."""
    trouvees = []
    vus = {Beneficiaire}
    file = [(Beneficiaire, "", 0)]
    while file:
        modele, chemin, profondeur = file.pop(0)
        if profondeur >= PROFONDEUR_MAX:
            continue
        relations = sorted(
            (f for f in modele._meta.get_fields(include_hidden=True) if f.auto_created and not f.concrete),
            key=lambda f: (f.related_model._meta.label_lower, f.field.name),
        )
        for relation in relations:
            enfant = relation.related_model
            if not (relation.one_to_many or relation.one_to_one or relation.many_to_many):
                continue
            if enfant in vus or issubclass(enfant, HistoricalChanges) or enfant._meta.proxy:
                continue
            if not enfant._meta.managed:
                continue
            vus.add(enfant)
            chemin_enfant = f"{relation.field.name}__{chemin}" if chemin else relation.field.name
            lie = ModeleLie(enfant, chemin_enfant, partage=relation.many_to_many, profondeur=profondeur + 1)
            trouvees.append(lie)
            if not lie.partage:
                file.append((enfant, chemin_enfant, profondeur + 1))
    return trouvees


# --- Dernière activité ------------------------------------------------------------------------------------------


def en_date(valeur):
    if valeur is None:
        return None
    if isinstance(valeur, datetime.datetime):
        return timezone.localtime(valeur).date() if timezone.is_aware(valeur) else valeur.date()
    return valeur


def date_limite(aujourd_hui=None):
    """Une personne dont la dernière activité est antérieure à cette date est à anonymiser."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    return soustraire_mois(aujourd_hui, settings.CONSERVATION_MOIS)


def a_anonymiser(derniere_activite, limite):
    """La comparaison de la durée de conservation, écrite une fois : une personne dont la dernière activité est
    antérieure à la date limite est à anonymiser ; le jour même de la limite, elle est conservée."""
    return derniere_activite < limite


def limite_journaux(aujourd_hui=None):
    """Les traces (consultations, exports, connexions) antérieures à cet instant sont à supprimer."""
    jour = soustraire_mois(aujourd_hui or timezone.localdate(), getattr(settings, "JOURNAL_CONSERVATION_MOIS", 12))
    return timezone.make_aware(datetime.datetime.combine(jour, datetime.time.min))


def journaux_purger_anciens(aujourd_hui=None):
    from comptes.services import journaux_purger

    return journaux_purger(avant=limite_journaux(aujourd_hui))


def _maxima(queryset, cle, champs):
    """{valeur de cle: date la plus récente parmi champs} en une requête groupée."""
    if not champs:
        return {}
    lignes = (
        queryset.filter(**{f"{cle}__isnull": False})
        .values(cle)
        .annotate(**{f"m{i}": Max(champ) for i, champ in enumerate(champs)})
        .order_by()
    )
    resultat = {}
    for ligne in lignes:
        dates = [en_date(ligne[f"m{i}"]) for i in range(len(champs))]
        dates = [d for d in dates if d is not None]
        if dates:
            resultat[ligne[cle]] = max(dates)
    return resultat


def dernieres_activites(personnes):
    """{pk: date de la dernière activité} pour le QuerySet `personnes`.

    La dernière activité est la date la plus récente parmi : les dates propres de la fiche (création,
    orientation...) et ses modifications (historique), et toutes les dates des enregistrements liés (et de leur
    historique). Une requête groupée par modèle, quel que soit le nombre de personnes.
    """
    ids = personnes.values("pk")
    activites = {}

    def verser(maxima):
        for pk, jour in maxima.items():
            if pk not in activites or jour > activites[pk]:
                activites[pk] = jour

    propres = [
        f.name
        for f in Beneficiaire._meta.concrete_fields
        if isinstance(f, models.DateField) and f.name not in CHAMPS_DATE_HORS_ACTIVITE
    ]
    verser(_maxima(Beneficiaire.objects.filter(pk__in=ids), "pk", propres))
    verser(_maxima(Beneficiaire.history.model.objects.filter(id__in=ids), "id", ["history_date"]))
    for lie in modeles_lies():
        verser(_maxima(lie.modele._base_manager.filter(**{f"{lie.chemin}__in": ids}), lie.chemin,
                       lie.champs_date()))  # fmt: skip
        historique = lie.modele_historique
        if historique is not None and not lie.partage:
            verser(_maxima(historique.objects.filter(**{f"{lie.chemin}__in": ids}), lie.chemin,
                           ["history_date"]))  # fmt: skip
    return activites


def personnes_a_anonymiser(aujourd_hui=None):
    """Les pk des personnes non encore anonymisées dont la dernière activité précède la date limite."""
    limite = date_limite(aujourd_hui)
    candidates = Beneficiaire.objects.filter(date_anonymisation__isnull=True)
    # Premier tri, dans la base : les dates propres de la fiche sont toutes anciennes (ou vides).
    debut_limite = timezone.make_aware(datetime.datetime.combine(limite, datetime.time.min))
    for f in Beneficiaire._meta.concrete_fields:
        if isinstance(f, models.DateField) and f.name not in CHAMPS_DATE_HORS_ACTIVITE:
            borne = debut_limite if isinstance(f, models.DateTimeField) else limite
            candidates = candidates.filter(
                models.Q(**{f"{f.name}__lt": borne}) | models.Q(**{f"{f.name}__isnull": True})
            )
    activites = dernieres_activites(candidates)
    return sorted(pk for pk, jour in activites.items() if a_anonymiser(jour, limite))


# --- Anonymisation ------------------------------------------------------------------------------------------------


def champs_a_effacer(modele):
    """{champ: expression de remplacement} des textes libres et coordonnées d'un modèle lié.

    Un texte vide (ou NULL) le reste, un texte rempli devient « Anonymisé » : les contraintes de la base qui
    portent sur le fait qu'un champ soit rempli (motif obligatoire sous condition...) restent satisfaites."""
    noms = TEXTES_LIBRES.get(modele._meta.label_lower)
    resultat = {}
    for f in modele._meta.concrete_fields:
        if f.primary_key or f.is_relation or f.choices:
            continue
        if noms is not None:
            retenu = f.name in noms
        else:
            retenu = isinstance(f, (models.TextField, models.EmailField)) or (
                isinstance(f, models.CharField)
                and ((f.max_length or 0) >= 300 or any(mot in f.name for mot in MOTS_TEXTE_LIBRE))
            )
        if retenu:
            resultat[f.name] = Case(
                When(**{f"{f.name}__isnull": True}, then=F(f.name)),
                When(**{f.name: ""}, then=Value("")),
                default=Value("Anonymisé"[: f.max_length or None]),
                output_field=f.__class__(max_length=f.max_length) if f.max_length else f.__class__(),
            )
    return resultat


def _anonymiser_lot(pks, *, aujourd_hui, maintenant):
    """Anonymise un lot de personnes, après les avoir verrouillées et avoir revérifié leur inactivité."""
    personnes = _verrouiller_inactives(pks, aujourd_hui)
    if not personnes:
        return []
    ids = [b.pk for b in personnes]
    _anonymiser_fiches(personnes, maintenant)
    _effacer_donnees_liees(ids)
    _anonymiser_messages(ids)
    _anonymiser_foyers({b.foyer_id for b in personnes})
    ecritures_en_masse()  # écritures sans signal, dans toutes les applications : toutes les versions changent
    return ids


def _verrouiller_inactives(pks, aujourd_hui):
    """Les personnes du lot, verrouillées, qui sont toujours à anonymiser (inactivité revérifiée sous le verrou)."""
    limite = date_limite(aujourd_hui)
    verrouillees = list(
        Beneficiaire.objects.select_for_update(of=("self",)).filter(pk__in=pks, date_anonymisation__isnull=True)
    )
    activites = dernieres_activites(Beneficiaire.objects.filter(pk__in=[b.pk for b in verrouillees]))
    return [b for b in verrouillees if b.pk in activites and a_anonymiser(activites[b.pk], limite)]


def _anonymiser_fiches(personnes, maintenant):
    """Les fiches et leur historique : les anciennes versions perdent aussi l'identité, et une nouvelle version
    porte la raison."""
    identite_effacee = {
        "nom": Value("Anonyme"),
        "nom_naissance": Value(""),
        "prenoms": Concat(Value("Personne "), Cast("id", output_field=CharField())),
        "telephone": Value(""),
        "email": Value(""),
        "adresse": Value(""),
        "date_naissance": TruncYear("date_naissance"),
    }
    Beneficiaire.history.model.objects.filter(id__in=[b.pk for b in personnes]).update(**identite_effacee)
    for b in personnes:
        b.nom = "Anonyme"
        b.nom_naissance = ""
        b.prenoms = f"Personne {b.pk}"
        b.telephone = b.email = b.adresse = ""
        b.date_naissance = datetime.date(b.date_naissance.year, 1, 1)
        b.recherche = f"anonyme personne {b.pk}"
        b.date_anonymisation = maintenant
    bulk_update_with_history(
        personnes,
        Beneficiaire,
        ["nom", "nom_naissance", "prenoms", "telephone", "email", "adresse", "date_naissance", "recherche",
         "date_anonymisation"],
        default_change_reason=RAISON_ANONYMISATION,
        default_date=maintenant,
    )  # fmt: skip


def _effacer_donnees_liees(ids):
    """Textes libres et coordonnées des enregistrements liés (et de leur historique), une requête par modèle ;
    puis les fichiers déposés (justificatifs...) : effacés du stockage après validation de la transaction, sauf
    s'ils servent encore à une autre personne ; le champ est vidé, historique compris."""
    for lie in modeles_lies():
        if lie.partage:
            continue
        champs = champs_a_effacer(lie.modele)
        if not champs:
            continue
        lie.modele._base_manager.filter(**{f"{lie.chemin}__in": ids}).update(**champs)
        historique = lie.modele_historique
        if historique is not None:
            historique.objects.filter(**{f"{lie.chemin}__in": ids}).update(**champs)
    for lie in modeles_lies():
        if not lie.partage:
            _effacer_fichiers(lie, ids)


def _anonymiser_messages(ids):
    """Les messages envoyés aux personnes gardent leur motif, canal et statut, plus leur texte ni l'adresse."""
    from django.contrib.contenttypes.models import ContentType

    from commun.models import Message

    Message.objects.filter(
        type_destinataire=ContentType.objects.get_for_model(Beneficiaire), id_destinataire__in=ids
    ).update(adresse="", sujet="(anonymisé)", corps="(anonymisé)")


def _anonymiser_foyers(foyer_ids):
    """Le foyer dont tous les membres sont anonymisés perd son numéro allocataire (identifiant CAF/MSA)."""
    foyers = list(
        Foyer.objects.filter(pk__in=foyer_ids)
        .exclude(membres__date_anonymisation__isnull=True)
        .values_list("pk", flat=True)
    )
    if foyers:
        numero = Concat(Value("ANON"), Cast("id", output_field=CharField()))
        Foyer.objects.filter(pk__in=foyers).update(numero_allocataire=numero)
        Foyer.history.model.objects.filter(id__in=foyers).update(numero_allocataire=numero)


def _effacer_fichiers(lie, ids):
    for f in lie.modele._meta.concrete_fields:
        if not isinstance(f, models.FileField):
            continue
        lignes = lie.modele._base_manager.filter(**{f"{lie.chemin}__in": ids}).exclude(**{f.name: ""})
        noms = set(lignes.values_list(f.name, flat=True))
        if not noms:
            continue
        lignes.update(**{f.name: ""})
        historique = lie.modele_historique
        if historique is not None:
            historique.objects.filter(**{f"{lie.chemin}__in": ids}).update(**{f.name: ""})
        encore_utilises = set(lie.modele._base_manager.filter(**{f"{f.name}__in": noms}).values_list(f.name, flat=True))
        a_effacer = sorted(noms - encore_utilises)
        transaction.on_commit(lambda f=f, a_effacer=a_effacer: [f.storage.delete(nom) for nom in a_effacer])


def conservation_appliquer(*, essai=False, aujourd_hui=None, taille_lot=200):
    """Anonymise les personnes sans activité depuis plus de CONSERVATION_MOIS mois.

    Rend {"limite", "personnes": [pk...], "essai"}. En essai, rien n'est modifié. Le journal ne contient que des
    identifiants, jamais de nom.
    """
    aujourd_hui = aujourd_hui or timezone.localdate()
    limite = date_limite(aujourd_hui)
    a_traiter = personnes_a_anonymiser(aujourd_hui)
    if essai:
        journal.info("Conservation (essai) : %s à anonymiser, ids %s", compte(len(a_traiter), "personne"), a_traiter)
        return {"limite": limite, "personnes": a_traiter, "essai": True}
    maintenant = timezone.now()
    traitees = []
    for debut in range(0, len(a_traiter), taille_lot):
        with transaction.atomic():
            traitees += _anonymiser_lot(a_traiter[debut : debut + taille_lot], aujourd_hui=aujourd_hui,
                                        maintenant=maintenant)  # fmt: skip
    journal.warning("Conservation : %s, ids %s", compte(len(traitees), "personne anonymisée"), traitees)
    return {"limite": limite, "personnes": traitees, "essai": False}


# --- Droit d'accès : toutes les données d'une personne ------------------------------------------------------------


def _valeur(obj, champ, affichage):
    """Valeur d'un champ pour l'export : JSON natif (ISO 8601) ou texte lisible en français."""
    if champ.is_relation:
        cle = getattr(obj, champ.attname)
        if cle is None:
            return None if not affichage else "—"
        if champ.related_model is Beneficiaire:
            return cle if not affichage else f"n° {cle}"
        try:
            return str(getattr(obj, champ.name))
        except champ.related_model.DoesNotExist:
            return str(cle)
    brut = getattr(obj, champ.attname)
    if champ.choices and brut not in (None, ""):
        return str(dict(champ.flatchoices).get(brut, brut))
    if isinstance(brut, datetime.datetime):
        local = timezone.localtime(brut) if timezone.is_aware(brut) else brut
        return local.strftime("%d/%m/%Y %H:%M") if affichage else brut.isoformat()
    if isinstance(brut, datetime.date):
        return brut.strftime("%d/%m/%Y") if affichage else brut.isoformat()
    if isinstance(brut, Decimal):
        return f"{brut:.2f}".replace(".", ",") if affichage else str(brut)
    if affichage:
        if brut is None or brut == "":
            return "—"
        if isinstance(brut, bool):
            return "oui" if brut else "non"
        return str(brut)
    if hasattr(brut, "name") and isinstance(champ, models.FileField):
        return brut.name or None
    if isinstance(brut, (str, int, float, bool, list, dict)) or brut is None:
        return brut
    return str(brut)


def _fiche(obj, affichage, exclus=()):
    champs = []
    for champ in obj._meta.concrete_fields:
        if champ.name in CHAMPS_EXCLUS_EXPORT or champ.name in exclus:
            continue
        champs.append({"nom": champ.name, "libelle": str(champ.verbose_name), "valeur": _valeur(obj, champ, affichage)})
    return {"id": obj.pk, "champs": champs}


HISTORIQUE_TECHNIQUE = {"history_id", "history_change_reason", "history_type", "history_date", "history_user"}


def _version(ligne, affichage):
    fiche = _fiche(ligne, affichage, exclus=HISTORIQUE_TECHNIQUE)
    return {
        "date": _valeur(ligne, ligne._meta.get_field("history_date"), affichage),
        "type": {"+": "création", "~": "modification", "-": "suppression"}.get(ligne.history_type, ligne.history_type),
        "auteur": str(ligne.history_user) if ligne.history_user_id else "système",
        "raison": ligne.history_change_reason or "",
        "champs": fiche["champs"],
    }


def _section_historique(titre, modele_historique, filtre, affichage):
    lignes = (
        modele_historique.objects.filter(**filtre).select_related("history_user").order_by("history_date", "history_id")
    )
    versions = [_version(ligne, affichage) for ligne in lignes]
    return {"titre": titre, "modele": modele_historique._meta.label_lower, "versions": versions}


def donnees_personne(beneficiaire, *, affichage=False):
    """Toutes les données détenues sur une personne (droit d'accès, article 15 du RGPD).

    `affichage=False` : valeurs JSON (dates ISO 8601) ; `affichage=True` : textes lisibles (jj/mm/aaaa).
    """
    from comptes.models import JournalConsultation

    foyer = beneficiaire.foyer
    sections = []
    historiques = [
        _section_historique("Historique de la fiche", Beneficiaire.history.model, {"id": beneficiaire.pk}, affichage)
    ]
    for lie in modeles_lies():
        filtre = {lie.chemin: beneficiaire.pk}
        lignes = list(lie.modele._base_manager.filter(**filtre).distinct().order_by("pk"))
        sections.append(
            {
                "titre": str(lie.modele._meta.verbose_name_plural).capitalize(),
                "modele": lie.etiquette,
                "partage": lie.partage,
                "lignes": [_fiche(o, affichage) for o in lignes],
            }
        )
        historique = lie.modele_historique
        if historique is not None and not lie.partage:
            section = _section_historique(
                f"Historique — {lie.modele._meta.verbose_name_plural}", historique, filtre, affichage
            )
            if section["versions"]:
                historiques.append(section)
    autres = foyer.membres.exclude(pk=beneficiaire.pk).order_by("pk")
    consultations = JournalConsultation.objects.pour(beneficiaire).select_related("utilisateur").order_by("date", "pk")
    date_champ = JournalConsultation._meta.get_field("date")
    return {
        "format": "plan-emploi/donnees-personne/1",
        "genere_le": _valeur_maintenant(affichage),
        "departement": settings.DEPARTEMENT_NOM,
        "personne": _fiche(beneficiaire, affichage),
        "foyer": {
            **_fiche(foyer, affichage),
            # Les autres membres sont d'autres personnes : leur rôle seulement, jamais leur identité.
            "autres_membres": [{"role": m.get_role_display()} for m in autres],
        },
        "sections": sections,
        "historique": historiques,
        "consultations": [
            {"date": _valeur(c, date_champ, affichage), "role": c.utilisateur.get_role_display()} for c in consultations
        ],
    }


def _valeur_maintenant(affichage):
    maintenant = timezone.localtime()
    return maintenant.strftime("%d/%m/%Y %H:%M") if affichage else maintenant.isoformat()


def nombre_enregistrements(donnees):
    """Nombre d'enregistrements d'un export (pour le journal des exports)."""
    return (
        2 + sum(len(s["lignes"]) for s in donnees["sections"]) + sum(len(h["versions"]) for h in donnees["historique"])
    )

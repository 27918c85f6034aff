"""Actions sur les comptes : comptes de démonstration, journal des exports et des consultations."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction

from referentiel.models import BassinEmploi, Structure

from .models import JournalConsultation, JournalExport, Role, User

# Comptes de démonstration : usage local uniquement (refusé hors DEBUG). Documentés dans le README.
MOT_DE_PASSE_DEMO = "plan-emploi-demo"
COMPTES_DEMO = [
    # identifiant, prénom, nom, rôle, bassins
    ("admin", "Anne", "Administratrice", Role.ADMINISTRATEUR, []),
    ("pilotage", "Paul", "Pilote", Role.PILOTAGE, []),
    ("referent", "Rachida", "Référente", Role.REFERENT, ["Orléans", "Montargis"]),
    ("referent.gien", "Gilles", "Référent", Role.REFERENT, ["Gien"]),
    ("referent.pithiviers", "Pauline", "Référente", Role.REFERENT, ["Pithiviers"]),
    ("prestataire", "Pierre", "Prestataire", Role.PRESTATAIRE, []),
    ("mobilite", "Marc", "Mobilité", Role.AGENT_MOBILITE, []),
]


@transaction.atomic
def export_journaliser(*, par, vue, filtres, format, lignes):
    entree = JournalExport(utilisateur=par, vue=vue, filtres=filtres[:2000], format=format, lignes=lignes)
    entree.full_clean()
    entree.save()
    return entree


def libelle_neutre(objet):
    """« bénéficiaire n° 42 » : le type et le numéro, jamais le nom ni une autre donnée personnelle."""
    return f"{objet._meta.verbose_name} n° {objet.pk}"[:120]


@transaction.atomic
def consultation_journaliser(*, par, objet):
    """Trace la consultation d'une fiche nominative par `par` (utilisateur connecté). Rend l'entrée créée."""
    if par is None or not par.is_authenticated:
        raise ValidationError("Une consultation journalisée a toujours un utilisateur connecté.")
    if objet.pk is None:
        raise ValidationError("Seul un objet enregistré peut être consulté.")
    entree = JournalConsultation(
        utilisateur=par,
        type_objet=ContentType.objects.get_for_model(objet, for_concrete_model=True),
        id_objet=objet.pk,
        libelle=libelle_neutre(objet),
    )
    # Les deux clés étrangères viennent d'objets lus à l'instant (l'utilisateur connecté, le type de contenu en
    # cache) et la base les garantit : pas deux requêtes de plus, à chaque fiche ouverte, pour revérifier.
    entree.full_clean(exclude=["utilisateur", "type_objet"])
    entree.save()
    return entree


@transaction.atomic
def journaux_purger(*, avant):
    """Supprime les traces antérieures à `avant` (durée de conservation des traces) : consultations, exports, et
    journaux de connexion de django-axes (adresses IP des agents). Rend {"consultations", "exports", "connexions"}."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    consultations, _ = JournalConsultation.objects.filter(date__lt=avant).delete()
    exports, _ = JournalExport.objects.filter(date__lt=avant).delete()
    connexions = sum(m.objects.filter(attempt_time__lt=avant).delete()[0] for m in (AccessLog, AccessFailureLog))
    AccessAttempt.objects.filter(attempt_time__lt=avant).delete()
    return {"consultations": consultations, "exports": exports, "connexions": connexions}


@transaction.atomic
def comptes_demo_creer(*, structure_prestataire=None):
    """Crée (ou remet) un compte par rôle. Refusé hors développement."""
    if not settings.DEMO_AUTORISEE:
        raise ValidationError("Les comptes de démonstration sont refusés hors développement (DEBUG désactivé).")
    if structure_prestataire is None:
        structure_prestataire = Structure.objects.filter(type=Structure.Type.PRESTATAIRE).order_by("pk").first()
    if structure_prestataire is None:
        structure_prestataire, _ = Structure.objects.get_or_create(
            nom="Prestataire de démonstration",
            defaults={"type": Structure.Type.PRESTATAIRE, "secteur": Structure.Secteur.MARCHAND},
        )
    bassins = {b.nom: b for b in BassinEmploi.objects.all()}
    crees = 0
    for identifiant, prenom, nom, role, noms_bassins in COMPTES_DEMO:
        user, cree = User.objects.get_or_create(
            username=identifiant,
            defaults={
                "first_name": prenom,
                "last_name": nom,
                "role": role,
                "email": f"{identifiant}@example.org",
                "structure": structure_prestataire if role == Role.PRESTATAIRE else None,
            },
        )
        if cree:
            user.set_password(MOT_DE_PASSE_DEMO)
            crees += 1
        user.role = role
        user.is_staff = user.is_superuser = role == Role.ADMINISTRATEUR
        user.structure = structure_prestataire if role == Role.PRESTATAIRE else None
        user.save()
        user.bassins.set([bassins[n] for n in noms_bassins if n in bassins])
    return crees

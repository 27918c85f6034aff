"""Actions sur les comptes : comptes de démonstration, second facteur, sessions ouvertes, journal des exports et
des consultations."""

from importlib import import_module

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from referentiel.models import BassinEmploi, Structure

from .models import JournalConsultation, JournalExport, Role, SessionUtilisateur, User

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
        user.compte_demo = True
        user.role = role
        user.is_staff = user.is_superuser = role == Role.ADMINISTRATEUR
        user.structure = structure_prestataire if role == Role.PRESTATAIRE else None
        user.save()
        user.bassins.set([bassins[n] for n in noms_bassins if n in bassins])
    return crees


# --- Second facteur (TOTP et codes de secours, django-otp) -----------------------------------------------------

NOM_APPAREIL_TOTP = "Application d'authentification"
NOM_CODES_SECOURS = "Codes de secours"
NOMBRE_CODES_SECOURS = 10


def application_enrolee(user):
    """`user` a-t-il une application d'authentification confirmée ? (connexion en deux temps, enrôlement)"""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_enrolement_appareil(*, user, cle):
    """L'appareil TOTP que `user` enrôle, de clé secrète `cle` (tirée au premier affichage de la page et gardée
    dans la session, `double_facteur.attente_cle_totp`), sans rien écrire : son adresse de configuration fait le
    code QR. Il n'est enregistré qu'à la confirmation."""
    return TOTPDevice(user=user, name=NOM_APPAREIL_TOTP, key=cle, confirmed=False)


@transaction.atomic
def totp_enrolement_confirmer(*, user, cle, code):
    """Enregistre l'appareil de clé `cle` si `code` est juste (le premier code de l'application qui l'a scanné) ;
    crée les codes de secours. Un code faux n'écrit rien. Rend (appareil, codes de secours en clair, à montrer
    une seule fois)."""
    # Le compte verrouillé : deux confirmations simultanées (deux onglets) n'enregistrent pas deux appareils.
    type(user)._default_manager.select_for_update().get(pk=user.pk)
    if application_enrolee(user):
        raise ValidationError("Ce compte a déjà une application d'authentification enrôlée.")
    appareil = totp_enrolement_appareil(user=user, cle=cle)
    appareil.full_clean()
    # Enregistré avant la vérification, qui y note le dernier pas de temps accepté (le même code ne resservira pas) ;
    # un code faux annule la transaction, et l'appareil avec.
    appareil.save()
    if not appareil.verify_token(code):
        raise ValidationError("Code incorrect : saisissez les 6 chiffres affichés maintenant par l'application.")
    appareil.confirmed = True
    appareil.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()  # enrôlements laissés par une version antérieure
    return appareil, codes_secours_generer(user=user)


@transaction.atomic
def codes_secours_generer(*, user):
    """Remplace les codes de secours de `user` par NOMBRE_CODES_SECOURS codes neufs (chacun ne sert qu'une fois).
    Rend les codes en clair : ils ne sont montrés qu'une fois."""
    appareil, _ = StaticDevice.objects.get_or_create(user=user, name=NOM_CODES_SECOURS, defaults={"confirmed": True})
    appareil.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(NOMBRE_CODES_SECOURS)]
    StaticToken.objects.bulk_create([StaticToken(device=appareil, token=c) for c in codes])
    return codes


@transaction.atomic
def double_facteur_reinitialiser(*, user):
    """Retire l'application et les codes de secours de `user` (appareil perdu) : il enrôlera un nouvel appareil à
    sa prochaine connexion. À faire par un administrateur, après avoir vérifié l'identité de la personne."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


# --- Sessions ouvertes ------------------------------------------------------------------------------------------


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


@transaction.atomic
def session_terminer(*, user, session_utilisateur):
    """Termine une session de `user` (la session elle-même : son cookie ne vaut plus rien)."""
    if session_utilisateur.utilisateur_id != user.pk:
        raise ValidationError("Cette session n'est pas la vôtre.")
    _session_store()(session_key=session_utilisateur.session_id).delete()
    SessionUtilisateur.objects.filter(pk=session_utilisateur.pk).delete()


@transaction.atomic
def sessions_terminer_autres(*, user, cle_courante):
    """Termine toutes les sessions de `user` sauf celle de clé `cle_courante`. Rend le nombre terminé."""
    cles = list(
        SessionUtilisateur.objects.filter(utilisateur=user)
        .exclude(session_id=cle_courante)
        .values_list("session_id", flat=True)
    )
    store = _session_store()
    for cle in cles:
        store(session_key=cle).delete()
    SessionUtilisateur.objects.filter(utilisateur=user, session_id__in=cles).delete()
    return len(cles)

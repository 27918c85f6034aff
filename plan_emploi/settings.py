"""Réglages de plan-emploi, pilotés par des variables d'environnement (django-environ).

Un fichier `.env` à la racine est lu s'il existe. Voir README.md, section « Déploiement ».
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
    DEPARTEMENT_NOM=(str, "Département du Loiret"),
    DEPARTEMENT_CODE=(str, "45"),
    DEPARTEMENT_COULEUR=(str, "#00588f"),
    CONSERVATION_MOIS=(int, 24),
    JOURNAL_CONSERVATION_MOIS=(int, 12),
    SECURE_SSL_REDIRECT=(bool, True),
    SECURE_HSTS_SECONDS=(int, 31536000),
    LOCATION_DUREE_MAX_MOIS=(int, 6),
    FORUM_DELAI_LIBERATION_MINUTES=(int, 30),
    LOCATION_PENALITE_RETARD_JOUR=(str, "5.00"),
    LOCATION_CARBURANT_QUART=(str, "15.00"),
    PROXYS_DE_CONFIANCE=(int, 0),
    PRESTATAIRE_ACCES_DELAI_JOURS=(int, 60),
    JUSTIFICATIF_TAILLE_MAX_MO=(int, 5),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY", default=None)
# Seule exception hors DEBUG : `manage.py makemigrations` (contrôle des migrations), qui ne sert aucune page et
# ne signe rien ; toute autre commande et le serveur refusent de démarrer sans clé.
COMMANDE_SANS_SECRET = len(sys.argv) > 1 and sys.argv[0].endswith("manage.py") and sys.argv[1] == "makemigrations"
if not SECRET_KEY:
    if DEBUG or COMMANDE_SANS_SECRET:
        SECRET_KEY = "django-insecure-cle-de-developpement-uniquement-jamais-en-production"
    else:
        raise ImproperlyConfigured(
            "La variable d'environnement SECRET_KEY est obligatoire quand DEBUG est désactivé. "
            "Définissez-la (50 caractères aléatoires) ou lancez en développement avec DEBUG=1."
        )

ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

DEPARTEMENT_NOM = env("DEPARTEMENT_NOM")
DEPARTEMENT_CODE = env("DEPARTEMENT_CODE")
DEPARTEMENT_COULEUR = env("DEPARTEMENT_COULEUR")
# Durée de conservation des données actives après le dernier contact (référentiel CNIL) : 2 ans.
CONSERVATION_MOIS = env("CONSERVATION_MOIS")
# Durée de conservation des journaux de consultation et d'export (traces d'accès) : 12 mois.
JOURNAL_CONSERVATION_MOIS = env("JOURNAL_CONSERVATION_MOIS")
# Durée maximale d'une location de véhicule, en mois civils (« de quelques heures à 6 mois »).
LOCATION_DUREE_MAX_MOIS = env("LOCATION_DUREE_MAX_MOIS")
# Jours pendant lesquels un prestataire voit encore la personne après la clôture de l'orientation (refus,
# sortie sans emploi, fin du suivi dans l'emploi à 6 mois) : le temps de déclarer ses résultats.
PRESTATAIRE_ACCES_DELAI_JOURS = env("PRESTATAIRE_ACCES_DELAI_JOURS")
# Justificatifs des résultats (PDF, PNG, JPEG) : taille maximale, et dossier hors de la racine web, jamais
# servi tel quel (seule la vue qui vérifie le rôle et le périmètre le lit).
JUSTIFICATIF_TAILLE_MAX_MO = env("JUSTIFICATIF_TAILLE_MAX_MO")
MEDIA_PRIVE_ROOT = Path(env.str("MEDIA_PRIVE_ROOT", default=str(BASE_DIR / "prive")))
# Tarif des frais de restitution (euros) : par jour de retard, en plus du prix journalier de la location ;
# par quart de réservoir manquant au retour par rapport au départ.
LOCATION_PENALITE_RETARD_JOUR = env("LOCATION_PENALITE_RETARD_JOUR")
LOCATION_CARBURANT_QUART = env("LOCATION_CARBURANT_QUART")
# Forum, à l'entrée : minutes après l'heure de début au-delà desquelles un inscrit pas encore arrivé ne
# retient plus sa place dans la salle (réglable forum par forum).
FORUM_DELAI_LIBERATION_MINUTES = env("FORUM_DELAI_LIBERATION_MINUTES")
# Données de démonstration (comptes aux mots de passe publics) : jamais en production. Suit DEBUG, sans
# variable d'environnement pour l'ouvrir autrement : hors DEBUG, `manage.py demo` refuse de tourner et les
# comptes marqués « compte de démonstration » sont refusés à la connexion, quel que soit leur mot de passe.
DEMO_AUTORISEE = DEBUG

INSTALLED_APPS = [
    "comptes.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_include_bootstrap",
    "django_bootstrap5",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "procrastinate.contrib.django",
    "referentiel",
    "commun",
    "comptes",
    "beneficiaires",
    "contrats",
    "placement",
    "mobilite",
    "forums",
    "tableau_de_bord",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "commun.routage.RoutageMiddleware",
    "commun.versions.MemoireDesVersionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "commun.securite.ProlongerSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "comptes.middleware.DoubleFacteurMiddleware",
    "comptes.middleware.SuiviSessionsMiddleware",
    "commun.confidentialite.PasDeCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "plan_emploi.urls"
WSGI_APPLICATION = "plan_emploi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "commun.context_processors.interface",
            ],
        },
    },
]

# Base de données : SQLite embarquée par défaut, PostgreSQL (psycopg 3) avec DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    # random_page_cost : 1.1 (disques SSD, données en mémoire) au lieu de 4 (disques tournants) ; avec 4, les
    # listes filtrées par périmètre parcouraient toute la table des personnes au lieu de suivre son index
    # (liste des contrats à 2 millions de personnes : 210 -> 59 ms pour son comptage). PG_RANDOM_PAGE_COST
    # pour une autre valeur (celle du serveur : vide).
    cout_page = env.str("PG_RANDOM_PAGE_COST", default="1.1")
    DATABASES["default"]["OPTIONS"]["options"] = "-c statement_timeout=30000 -c lock_timeout=10000" + (
        f" -c random_page_cost={float(cout_page)}" if cout_page else ""
    )
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    # Base de test SQLite dans un fichier plutôt qu'en mémoire (test de mutation : créée une fois, puis
    # réutilisée d'un mutant à l'autre avec --reuse-db).
    if env.str("DATABASE_TEST_NAME", default=""):
        DATABASES["default"]["TEST"] = {"NAME": env.str("DATABASE_TEST_NAME")}

# Moteur de tâches (Procrastinate, file d'attente tenue dans PostgreSQL) : chaque application déclare ses tâches
# dans son module `taches.py`. Sur SQLite (make run sans DATABASE_URL), les tables de Procrastinate n'existent pas
# (son schéma est du PL/pgSQL) : les tâches s'exécutent dans le processus qui les demande, après la validation de
# la transaction (commun/taches.py, docs/decisions.md). TACHES_EN_PROCESSUS=1 force ce mode sur PostgreSQL.
BASE_POSTGRESQL = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
TACHES_EN_PROCESSUS = env.bool("TACHES_EN_PROCESSUS", default=not BASE_POSTGRESQL)
PROCRASTINATE_AUTODISCOVER_MODULE_NAME = "taches"
if not BASE_POSTGRESQL:
    MIGRATION_MODULES = {"procrastinate": None}

# Messages aux personnes (commun/messagerie.py). E-mail : EMAIL_URL (django-environ), par exemple
# smtp+tls://compte:motdepasse@smtp.departement.fr:587 ; en développement, la console.
globals().update(env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ne-pas-repondre@plan-emploi.localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# SMS : « fichier » (développement, une ligne JSON par SMS) ou « brevo » (API SMS transactionnels).
SMS_FOURNISSEUR = env.str("SMS_FOURNISSEUR", default="fichier")
SMS_FICHIER = env.str("SMS_FICHIER", default=str(BASE_DIR / "sms_envoyes.jsonl"))
BREVO_API_CLE = env.str("BREVO_API_CLE", default="")
BREVO_SMS_EXPEDITEUR = env.str("BREVO_SMS_EXPEDITEUR", default="")
BREVO_API_URL = env.str("BREVO_API_URL", default="https://api.brevo.com/v3")
# Une invitation (forum) sans réponse est relancée une fois, après ce nombre de jours.
RELANCE_INVITATION_JOURS = env.int("RELANCE_INVITATION_JOURS", default=7)


# Réplique en lecture (streaming PostgreSQL) : les lectures qui peuvent attendre (tableau de bord, exports) y vont
# quand elle est à jour et que l'utilisateur n'a pas écrit depuis DATABASE_REPLICA_FENETRE secondes
# (commun/routage.py). En test, l'alias pointe sur la base de test principale (MIRROR).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replique"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replique"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replique"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["replique"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replique"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["commun.routage.Routeur"]
DATABASE_REPLICA_FENETRE = env.int("DATABASE_REPLICA_FENETRE", default=30)

# Cache : Redis en production (CACHE_URL=redis://hote:6379/0, client redis-py, cache RedisCache de Django),
# partagé par tous les processus et serveurs ; `check --deploy` refuse le cache local en mémoire hors DEBUG
# (commun/checks.py). Les versions qui périment les résultats en cache sont en base (commun/versions.py).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://plan-emploi")}
# Corps des listes et fiches en cache (commun/cache_pages.py) : durée de vie maximale, en secondes.
PAGES_CACHE_DUREE = env.int("PAGES_CACHE_DUREE", default=300)
# Version du déploiement (commit, étiquette), facultative : elle entre dans l'empreinte du code des fragments en
# cache (commun/fragments.py), en plus du contenu des modules et gabarits du projet.
VERSION_DEPLOIEMENT = env.str("VERSION_DEPLOIEMENT", default="")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "comptes.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "comptes.backends.ComptesBackend",
]

# Connexion unique (OpenID Connect, mozilla-django-oidc) avec le fournisseur d'identité du Département.
# Active dès que OIDC_RP_CLIENT_ID est défini ; tous les points d'accès sont alors obligatoires. Flux « code
# d'autorisation » avec PKCE (S256), state et nonce vérifiés ; l'identité est rattachée à un compte EXISTANT par
# son adresse électronique (aucun compte n'est créé) ; déconnexion auprès du fournisseur s'il l'annonce.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_ACTIVE = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = "openid email"
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
OIDC_CREATE_USER = False
OIDC_STORE_ID_TOKEN = True
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
OIDC_AUTHENTICATION_CALLBACK_URL = "comptes:oidc_rappel"
OIDC_REDIRECT_REQUIRE_HTTPS = not DEBUG
if OIDC_ACTIVE:
    manquants = [
        nom
        for nom in (
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_ISSUER",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
        )
        if not globals()[nom]
    ]
    if manquants:
        raise ImproperlyConfigured(
            "Connexion unique : OIDC_RP_CLIENT_ID est défini mais ces variables manquent : " + ", ".join(manquants)
        )
    AUTHENTICATION_BACKENDS.append("comptes.oidc.DepartementOIDCBackend")

# Second facteur (TOTP, django-otp) des comptes locaux : rôles qui le doivent (valeurs de comptes.models.Role,
# séparées par des virgules). Les comptes connectés par le fournisseur d'identité s'en remettent au sien.
DOUBLE_FACTEUR_ROLES = env.list("DOUBLE_FACTEUR_ROLES", default=["administrateur", "pilotage"])
OTP_TOTP_ISSUER = f"plan-emploi ({DEPARTEMENT_NOM})"
OTP_TOTP_THROTTLE_FACTOR = 1
# L'administration ne montre ni la clé d'une application (ni son code QR) ni les codes de secours : un
# administrateur ne doit pas pouvoir se servir du second facteur d'un autre compte (comptes/admin.py).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Délai pour saisir le code après le mot de passe (secondes).
DOUBLE_FACTEUR_DELAI = 5 * 60
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "comptes:connexion"
LOGIN_REDIRECT_URL = "accueil"
LOGOUT_REDIRECT_URL = "comptes:connexion"

# Sessions : expiration après 2 heures d'inactivité. L'échéance est repoussée au plus une fois toutes les
# 5 minutes (commun.securite.ProlongerSessionMiddleware) plutôt qu'à chaque requête : la session expire entre
# 1 h 55 et 2 h après la dernière page vue, sans écriture en base à chaque page.
# Lue à chaque requête de chaque utilisateur : gardée dans le cache (Redis en production, partagé par tous les
# processus et serveurs), écrite aussi en base, qui reste la référence (liste « Mes sessions », fin d'une session,
# purge des sessions expirées). Une session terminée l'est dans les deux (SessionStore.delete) ; l'entrée du cache
# échoit avec la session ; une restauration de la base vide le cache (scripts/sauvegarde.py). Une requête
# SQL de moins par page, et pas de décodage de la session.
SESSION_ENGINE = "comptes.sessions"  # cached_db de Django, la fin d'une session retirée du cache après validation
SESSION_COOKIE_AGE = 2 * 60 * 60
SESSION_PROLONGATION_PAS = 5 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env("SECURE_SSL_REDIRECT") and not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else env("SECURE_HSTS_SECONDS")
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "comptes.views.erreur_csrf"
# Nombre de proxys inverses de confiance devant l'application (lecture de X-Forwarded-For pour axes).
PROXYS_DE_CONFIANCE = env("PROXYS_DE_CONFIANCE")

# Content Security Policy (django-csp 4) : aucun script en ligne, aucune ressource externe.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# django-axes : verrouillage 15 minutes après 5 échecs, par compte ou par adresse.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "comptes/verrouille.html"
AXES_CLIENT_IP_CALLABLE = "commun.securite.adresse_client"

# Téléversements : 10 Mo au plus.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_TAILLE_MAX = 20 * 1024 * 1024
# Limites des listes importées, contrôlées avant toute lecture des lignes (beneficiaires.importation.lecture).
IMPORT_LIGNES_MAX = 200_000
IMPORT_COLONNES_MAX = 100
IMPORT_XLSX_DECOMPRESSE_MAX = 300 * 1024 * 1024

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "justificatifs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_PRIVE_ROOT / "justificatifs")},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/plan_emploi.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-striped table-hover align-middle"}
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Journaux : un accès refusé (403, 404) tient en une ligne sans pile d'appels ; aucune ligne ne porte les
# paramètres d'URL (termes de recherche). Voir commun/confidentialite.py et docs/rgpd.md.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "acces_refuse": {"()": "commun.confidentialite.AccesRefuseFilter"},
        "serveur_sans_requete": {"()": "commun.confidentialite.ServeurSansRequeteFilter"},
    },
    "formatters": {
        "ligne": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "ligne"},
        "django.server": {"level": "INFO", "class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "loggers": {
        "django.request": {"filters": ["acces_refuse"]},
        # Reprend la configuration par défaut de Django (un gestionnaire propre, sans propagation) et ôte les
        # paramètres d'URL des lignes d'accès du serveur de développement.
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["serveur_sans_requete"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

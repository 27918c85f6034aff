import base64
import re

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import match_token

from commun.activite import activite_pour
from commun.alertes import alertes_pour
from commun.francais import compte
from commun.menu_registre import entrees_pour

from . import services
from .backends import compte_autorise
from .double_facteur import (
    CLE_ATTENTE,
    CLE_CODES_A_MONTRER,
    attente_cle_totp,
    attente_demarrer,
    attente_lire,
    attente_terminer,
    connecte_par_fournisseur,
    exige_double_facteur,
)
from .forms import CodeEnrolementForm, CodeForm, ConnexionForm
from .models import SessionUtilisateur
from .oidc import url_deconnexion_fournisseur
from .qr import qr_svg


@method_decorator(login_not_required, name="dispatch")
class ConnexionView(auth_views.LoginView):
    """Premier temps : le mot de passe. Un compte qui doit le second facteur n'est pas encore connecté : il passe
    à la saisie de son code (ou à l'enrôlement de son application)."""

    template_name = "comptes/connexion.html"
    authentication_form = ConnexionForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if exige_double_facteur(user):
            attente_demarrer(self.request, user, self.get_success_url())
            return redirect("comptes:double_facteur")
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, oidc_active=settings.OIDC_ACTIVE)


class DeconnexionView(auth_views.LogoutView):
    """Déconnexion ; une session ouverte par le fournisseur d'identité est aussi close chez lui (déconnexion à
    l'initiative du client), s'il annonce une adresse de fin de session."""

    def post(self, request, *args, **kwargs):
        par_fournisseur = connecte_par_fournisseur(request)
        id_token = request.session.get("oidc_id_token")
        reponse = super().post(request, *args, **kwargs)
        if par_fournisseur:
            url = url_deconnexion_fournisseur(request, id_token)
            if url:
                return redirect(url)
        return reponse


def _verrouille(request, user):
    return AxesProxyHandler.is_locked(request, {"username": user.username})


def _echec_code(request, user):
    """Un code faux compte comme un échec de connexion pour django-axes (même compteur que le mot de passe)."""
    user_login_failed.send(sender=__name__, credentials={"username": user.username}, request=request)


def _connecter(request, user, appareil):
    user.otp_device = appareil  # django-otp inscrit l'appareil vérifié dans la session à la connexion
    suite = request.session.get(CLE_ATTENTE, {}).get("suite") or settings.LOGIN_REDIRECT_URL
    attente_terminer(request)
    login(request, user, backend=user.backend)
    return suite


@login_not_required
@never_cache
@sensitive_post_parameters("code")
def double_facteur(request):
    """Second temps de la connexion : le code de l'application d'authentification ou un code de secours."""
    user, _ = attente_lire(request)
    if user is None or not compte_autorise(user):
        messages.info(request, "Saisissez d'abord votre identifiant et votre mot de passe.")
        return redirect("comptes:connexion")
    if _verrouille(request, user):
        attente_terminer(request)
        return get_lockout_response(request, None, {"username": user.username})
    if not services.application_enrolee(user):
        return redirect("comptes:double_facteur_enrolement")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        appareil = match_token(user, form.cleaned_data["code"])
        if appareil is not None:
            return redirect(_connecter(request, user, appareil))
        _echec_code(request, user)
        form.add_error(
            "code",
            "Code incorrect. Attention : après 5 échecs (mot de passe ou code), le compte est bloqué 15 minutes.",
        )
    return render(request, "comptes/double_facteur.html", {"form": form, "compte": user})


@login_not_required
@never_cache
@sensitive_post_parameters("code")
def double_facteur_enrolement(request):
    """Premier passage d'un compte qui doit le second facteur : enrôler une application d'authentification
    (code QR), confirmer par un premier code, recevoir ses codes de secours."""
    user, _ = attente_lire(request)
    if user is None or not compte_autorise(user):
        messages.info(request, "Saisissez d'abord votre identifiant et votre mot de passe.")
        return redirect("comptes:connexion")
    if _verrouille(request, user):
        attente_terminer(request)
        return get_lockout_response(request, None, {"username": user.username})
    if services.application_enrolee(user):
        return redirect("comptes:double_facteur")
    cle = attente_cle_totp(request)  # rien d'écrit en base avant le premier code juste
    appareil = services.totp_enrolement_appareil(user=user, cle=cle)
    form = CodeEnrolementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appareil, codes = services.totp_enrolement_confirmer(user=user, cle=cle, code=form.cleaned_data["code"])
        except ValidationError as exc:
            _echec_code(request, user)
            form.add_error("code", exc)
        else:
            suite = _connecter(request, user, appareil)
            request.session[CLE_CODES_A_MONTRER] = {"codes": codes, "suite": suite}
            return redirect("comptes:codes_secours")
    cle_base32 = base64.b32encode(appareil.bin_key).decode().rstrip("=")
    return render(
        request,
        "comptes/double_facteur_enrolement.html",
        {
            "form": form,
            "qr": qr_svg(appareil.config_url),
            "cle_groupee": " ".join(cle_base32[i : i + 4] for i in range(0, len(cle_base32), 4)),
        },
    )


@never_cache
def codes_secours(request):
    """Les codes de secours, montrés une seule fois (puis retirés de la session) ; POST : en générer de neufs."""
    if request.method == "POST":
        if not exige_double_facteur(request.user) or connecte_par_fournisseur(request):
            messages.error(request, "Votre compte n'utilise pas de codes de secours.")
            return redirect("comptes:sessions")
        codes = services.codes_secours_generer(user=request.user)
        request.session[CLE_CODES_A_MONTRER] = {"codes": codes, "suite": None}
        return redirect("comptes:codes_secours")
    a_montrer = request.session.pop(CLE_CODES_A_MONTRER, None) or {}
    return render(
        request,
        "comptes/codes_secours.html",
        {
            "codes": a_montrer.get("codes"),
            "suite": a_montrer.get("suite") or reverse("accueil"),
            "utilise_codes": exige_double_facteur(request.user) and not connecte_par_fournisseur(request),
        },
    )


@never_cache
def mes_sessions(request):
    """Les sessions ouvertes de l'utilisateur (navigateur, adresse, dernière activité) ; il peut terminer les
    autres."""
    sessions = list(SessionUtilisateur.objects.ouvertes(request.user))
    return render(
        request,
        "comptes/sessions.html",
        {
            "sessions": sessions,
            "cle_courante": request.session.session_key,
            "utilise_codes": exige_double_facteur(request.user) and not connecte_par_fournisseur(request),
        },
    )


@require_POST
def session_terminer(request, pk):
    session_utilisateur = get_object_or_404(SessionUtilisateur, pk=pk, utilisateur=request.user)
    if session_utilisateur.session_id == request.session.session_key:
        messages.error(request, "Pour terminer cette session-ci, utilisez « Se déconnecter ».")
        return redirect("comptes:sessions")
    services.session_terminer(user=request.user, session_utilisateur=session_utilisateur)
    messages.success(request, "La session a été terminée.")
    return redirect("comptes:sessions")


@require_POST
def sessions_terminer_autres(request):
    nombre = services.sessions_terminer_autres(user=request.user, cle_courante=request.session.session_key)
    messages.success(request, f"{compte(nombre, 'autre session terminée')}.")
    return redirect("comptes:sessions")


def accueil(request):
    """Page d'accueil propre à chaque rôle : ce qu'il doit vérifier (alertes déclarées par les applications, voir
    commun.alertes), sa file de travail (« Mon activité », commun.activite), puis ses raccourcis."""
    raccourcis = [e for e in entrees_pour(request.user) if e["nom_url"] != "accueil"]
    activite = activite_pour(request.user, timezone.localdate())
    return render(
        request,
        "comptes/accueil.html",
        {"raccourcis": raccourcis, "alertes": alertes_pour(request.user), "activite": activite},
    )


@login_not_required
@transaction.non_atomic_requests
def sante(request):
    """Sonde de supervision : la base répond. Aucune donnée personnelle.

    Hors de la transaction de requête (ATOMIC_REQUESTS) : une base injoignable donne un 503 lisible par la
    supervision, pas une erreur 500 levée avant la vue."""
    try:
        with connection.cursor() as curseur:
            curseur.execute("SELECT 1")
            curseur.fetchone()
    except Exception:  # noqa: BLE001 - la sonde doit répondre 503 quelle que soit l'erreur de base
        return JsonResponse({"statut": "erreur", "base": "injoignable"}, status=503)
    return JsonResponse({"statut": "ok", "base": "ok"})


def erreur_403(request, exception=None):
    return render(request, "403.html", status=403)


def erreur_404(request, exception=None):
    return render(request, "404.html", status=404)


def erreur_csrf(request, reason=""):
    """Refus CSRF (jeton absent ou périmé), en français ; la raison technique n'est pas montrée."""
    return render(request, "comptes/csrf.html", status=403)


@requires_csrf_token
def erreur_500(request):
    return render(request, "500.html", status=500)


@login_not_required
@cache_control(max_age=3600)
def theme_css(request):
    """La couleur du Département (réglage DEPARTEMENT_COULEUR), sans style en ligne (CSP)."""
    couleur = settings.DEPARTEMENT_COULEUR
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", couleur):
        couleur = "#00588f"
    return HttpResponse(f":root {{ --pe-couleur: {couleur}; }}\n", content_type="text/css; charset=utf-8")

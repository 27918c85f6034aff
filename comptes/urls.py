from django.urls import path

from . import oidc, views

app_name = "comptes"

urlpatterns = [
    path("connexion/", views.ConnexionView.as_view(), name="connexion"),
    path("deconnexion/", views.DeconnexionView.as_view(), name="deconnexion"),
    path("double-facteur/", views.double_facteur, name="double_facteur"),
    path("double-facteur/enrolement/", views.double_facteur_enrolement, name="double_facteur_enrolement"),
    path("double-facteur/codes-de-secours/", views.codes_secours, name="codes_secours"),
    path("sessions/", views.mes_sessions, name="sessions"),
    path("sessions/<int:pk>/terminer/", views.session_terminer, name="session_terminer"),
    path("sessions/terminer-les-autres/", views.sessions_terminer_autres, name="sessions_terminer_autres"),
    path("oidc/connexion/", oidc.DemandeOIDCView.as_view(), name="oidc_connexion"),
    path("oidc/rappel/", oidc.RappelOIDCView.as_view(), name="oidc_rappel"),
]

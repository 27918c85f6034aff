from django.urls import path

from . import views

app_name = "contrats"

urlpatterns = [
    path("", views.ContratListView.as_view(), name="liste"),
    path("nouveau/", views.ContratCreerView.as_view(), name="creer"),
    path("<int:pk>/", views.ContratDetailView.as_view(), name="detail"),
    path("<int:pk>/decision/", views.ContratDecisionView.as_view(), name="decision"),
    path("<int:pk>/modifier/", views.ContratModifierView.as_view(), name="modifier"),
    path("<int:pk>/signer/", views.ContratSignerView.as_view(), name="signer"),
    path("<int:pk>/demarrer/", views.ContratDemarrerView.as_view(), name="demarrer"),
    path("<int:pk>/terminer/", views.ContratTerminerView.as_view(), name="terminer"),
    path("<int:pk>/rompre/", views.ContratRompreView.as_view(), name="rompre"),
    path("<int:pk>/renouveler/", views.ContratRenouvelerView.as_view(), name="renouveler"),
    path("employeur/<int:pk>/", views.EmployeurView.as_view(), name="employeur"),
]

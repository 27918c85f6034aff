from django.urls import path

from . import views

app_name = "mobilite"

urlpatterns = [
    path("trouver/", views.RechercheView.as_view(), name="recherche"),
    path("reserver/", views.ReserverView.as_view(), name="reserver"),
    path("locations/", views.LocationListeView.as_view(), name="locations"),
    path("locations/<int:pk>/", views.LocationDetailView.as_view(), name="location"),
    path("locations/<int:pk>/deplacer/", views.LocationDeplacerView.as_view(), name="deplacer"),
    path("locations/<int:pk>/contrat/", views.ContratLocationView.as_view(), name="contrat"),
    path("locations/<int:pk>/depart/", views.LocationDepartView.as_view(), name="depart"),
    path("locations/<int:pk>/retour/", views.LocationRetourView.as_view(), name="retour"),
    path("locations/<int:pk>/annuler/", views.LocationAnnulerView.as_view(), name="annuler"),
    path("flotte/", views.VehiculeListeView.as_view(), name="vehicules"),
    path("flotte/planning/", views.PlanningView.as_view(), name="planning"),
    path("flotte/ajouter/", views.VehiculeCreerView.as_view(), name="vehicule_creer"),
    path("flotte/<int:pk>/", views.VehiculeDetailView.as_view(), name="vehicule"),
    path("flotte/<int:pk>/modifier/", views.VehiculeModifierView.as_view(), name="vehicule_modifier"),
    path("flotte/<int:pk>/calendrier/", views.CalendrierView.as_view(), name="calendrier"),
    path("flotte/<int:pk>/maintenance/", views.MaintenancePlanifierView.as_view(), name="maintenance"),
    path("flotte/<int:pk>/immobiliser/", views.VehiculeImmobiliserView.as_view(), name="immobiliser"),
    path("flotte/<int:pk>/declasser/", views.VehiculeDeclasserView.as_view(), name="declasser"),
    path("flotte/<int:pk>/ceder/", views.VehiculeCederView.as_view(), name="ceder"),
    path("conventions/", views.ConventionListeView.as_view(), name="conventions"),
    path("conventions/ajouter/", views.ConventionCreerView.as_view(), name="convention_creer"),
    path("conventions/<int:pk>/", views.ConventionDetailView.as_view(), name="convention"),
    path("cessions/<int:pk>/proces-verbal/", views.ProcesVerbalCessionView.as_view(), name="proces_verbal"),
    path("conventions/<int:pk>/signer/", views.ConventionSignerView.as_view(), name="convention_signer"),
]

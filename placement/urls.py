from django.urls import path

from . import views

app_name = "placement"

urlpatterns = [
    path("", views.OrientationListView.as_view(), name="liste"),
    path("orientations/<int:pk>/", views.OrientationDetailView.as_view(), name="detail"),
    path("orientations/<int:pk>/accepter/", views.AccepterView.as_view(), name="accepter"),
    path("orientations/<int:pk>/refuser/", views.RefuserView.as_view(), name="refuser"),
    path("orientations/<int:pk>/entree/", views.DemarrerView.as_view(), name="demarrer"),
    path("orientations/<int:pk>/suivi/", views.SuiviView.as_view(), name="suivi"),
    path("orientations/<int:pk>/sortie/", views.SortieView.as_view(), name="sortie"),
    path("orientations/<int:pk>/maintien/", views.MaintienView.as_view(), name="maintien"),
    path("orientations/<int:pk>/resultat/", views.DeclarerResultatView.as_view(), name="declarer"),
    path("resultats/<int:pk>/", views.ResultatDetailView.as_view(), name="resultat"),
    path("resultats/<int:pk>/justificatif/", views.JustificatifView.as_view(), name="justificatif"),
    path("resultats/<int:pk>/valider/", views.ValiderResultatView.as_view(), name="resultat_valider"),
    path("resultats/<int:pk>/rejeter/", views.RejeterResultatView.as_view(), name="resultat_rejeter"),
    path("resultats/<int:pk>/payer/", views.PayerResultatView.as_view(), name="resultat_payer"),
    path("orienter/<int:beneficiaire_pk>/", views.OrienterView.as_view(), name="orienter"),
    path("lots/", views.LotListView.as_view(), name="lots"),
    path("etat-des-resultats/", views.EtatResultatsView.as_view(), name="etat"),
]

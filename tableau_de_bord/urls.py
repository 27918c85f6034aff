from django.urls import path

from . import views

app_name = "tableau_de_bord"

urlpatterns = [
    path("", views.TableauView.as_view(), name="tableau"),
    path("export/<str:format>/", views.ExportTableauView.as_view(), name="export"),
]

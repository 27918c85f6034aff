from django.urls import path

from . import views

app_name = "commun"

urlpatterns = [
    path("messages/<int:pk>/courrier.pdf", views.message_courrier, name="message_courrier"),
    path("taches/<int:pk>/", views.progression, name="progression"),
    path("autocompletion/<slug:nom>/", views.autocompletion, name="autocompletion"),
]

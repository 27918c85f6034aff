from django.urls import path

from . import views

app_name = "forums"

urlpatterns = [
    path("", views.ForumListeView.as_view(), name="liste"),
    path("nouveau/", views.ForumCreerView.as_view(), name="creer"),
    path("inscrire/", views.InscriptionPersonneView.as_view(), name="inscrire_personne"),
    path("participations/", views.ParticipationListeView.as_view(), name="participations"),
    path("participations/<int:pk>/", views.ParticipationDetailView.as_view(), name="participation"),
    path("offres/", views.OffreListeView.as_view(), name="offres"),
    path("entretiens/", views.EntretienListeView.as_view(), name="entretiens"),
    path("<int:pk>/", views.ForumDetailView.as_view(), name="detail"),
    path("<int:pk>/modifier/", views.ForumModifierView.as_view(), name="modifier"),
    path("<int:pk>/statut/", views.ForumStatutView.as_view(), name="statut"),
    path("<int:pk>/exposants/ajouter/", views.ExposantAjouterView.as_view(), name="exposant_ajouter"),
    path("<int:pk>/exposants/<int:exposant_pk>/", views.ExposantResultatsView.as_view(), name="exposant_resultats"),
    path(
        "<int:pk>/exposants/<int:exposant_pk>/offres/ajouter/", views.OffreAjouterView.as_view(), name="offre_ajouter"
    ),
    path("<int:pk>/exposants/<int:exposant_pk>/embauche/", views.EmbaucheView.as_view(), name="embauche"),
    path("<int:pk>/inviter/", views.InviterView.as_view(), name="inviter"),
    path("<int:pk>/lettres/", views.LettresView.as_view(), name="lettres"),
    path("<int:pk>/emargement/", views.EmargementView.as_view(), name="emargement"),
    path("<int:pk>/pointage/", views.PointageView.as_view(), name="pointage"),
    path("<int:pk>/pointage/<int:participation_pk>/", views.PointerView.as_view(), name="pointer"),
    path("<int:pk>/sur-place/", views.SurPlaceView.as_view(), name="sur_place"),
]

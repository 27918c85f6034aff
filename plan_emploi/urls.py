from django.contrib import admin
from django.urls import include, path

from comptes import views as comptes_views

admin.site.site_header = "plan-emploi — administration"
admin.site.site_title = "plan-emploi"
admin.site.index_title = "Référentiels, comptes et objectifs"

urlpatterns = [
    path("", comptes_views.accueil, name="accueil"),
    path("comptes/", include("comptes.urls")),
    path("beneficiaires/", include("beneficiaires.urls")),
    path("contrats/", include("contrats.urls")),
    path("placement/", include("placement.urls")),
    path("mobilite/", include("mobilite.urls")),
    path("forums/", include("forums.urls")),
    path("commun/", include("commun.urls")),
    path("tableau-de-bord/", include("tableau_de_bord.urls")),
    path("sante/", comptes_views.sante, name="sante"),
    path("theme.css", comptes_views.theme_css, name="theme_css"),
    path("admin/", admin.site.urls),
]

handler403 = "comptes.views.erreur_403"
handler404 = "comptes.views.erreur_404"
handler500 = "comptes.views.erreur_500"

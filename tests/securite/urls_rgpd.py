"""URL du projet, plus les deux vues RGPD tant qu'elles ne sont pas branchées dans beneficiaires/urls.py
(une fois branchées, ce module redonne exactement les URL du projet)."""

from django.urls import include, path

from beneficiaires import urls as urls_beneficiaires
from beneficiaires import views_rgpd
from plan_emploi import urls as urls_projet

deja_branchees = {p.name for p in urls_beneficiaires.urlpatterns if getattr(p, "name", None)}
rgpd = [
    path("<int:pk>/donnees/", views_rgpd.DonneesPersonneView.as_view(), name="rgpd_donnees"),
    path("<int:pk>/donnees.json", views_rgpd.DonneesPersonneJsonView.as_view(), name="rgpd_donnees_json"),
]
rgpd = [p for p in rgpd if p.name not in deja_branchees]

urlpatterns = [
    path("beneficiaires/", include((urls_beneficiaires.urlpatterns + rgpd, "beneficiaires")))
    if str(p.pattern) == "beneficiaires/"
    else p
    for p in urls_projet.urlpatterns
]
handler403 = urls_projet.handler403
handler404 = urls_projet.handler404
handler500 = urls_projet.handler500

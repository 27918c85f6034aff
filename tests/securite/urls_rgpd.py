"""URL du projet plus les deux vues RGPD, pour les tester avant leur branchement dans beneficiaires/urls.py."""

from django.urls import include, path

from beneficiaires import urls as urls_beneficiaires
from beneficiaires import vues_rgpd
from plan_emploi import urls as urls_projet

deja_branchees = {p.name for p in urls_beneficiaires.urlpatterns if getattr(p, "name", None)}
rgpd = [
    path("<int:pk>/donnees/", vues_rgpd.DonneesPersonneView.as_view(), name="rgpd_donnees"),
    path("<int:pk>/donnees.json", vues_rgpd.DonneesPersonneJsonView.as_view(), name="rgpd_donnees_json"),
]
rgpd = [p for p in rgpd if p.name not in deja_branchees]

urlpatterns = [
    path("rgpd-test/", include((urls_beneficiaires.urlpatterns + rgpd, "beneficiaires"))),
    *[p for p in urls_projet.urlpatterns if str(p.pattern) != "beneficiaires/"],
]
handler403 = urls_projet.handler403
handler404 = urls_projet.handler404
handler500 = urls_projet.handler500

from django.urls import path

from . import views, views_rgpd

app_name = "beneficiaires"

urlpatterns = [
    path("", views.BeneficiaireListe.as_view(), name="liste"),
    path("nouveau/", views.BeneficiaireCreer.as_view(), name="creer"),
    path("portefeuilles/", views.Portefeuilles.as_view(), name="portefeuilles"),
    path("portefeuilles/<int:bassin>/", views.Portefeuille.as_view(), name="portefeuille"),
    path("reaffecter/", views.BeneficiairesReaffecter.as_view(), name="reaffecter"),
    path("<int:pk>/", views.BeneficiaireDetail.as_view(), name="detail"),
    path("<int:pk>/modifier/", views.BeneficiaireModifier.as_view(), name="modifier"),
    path("<int:pk>/referent/", views.BeneficiaireReferent.as_view(), name="referent"),
    path("<int:pk>/archiver/", views.BeneficiaireArchiver.as_view(), name="archiver"),
    path("<int:pk>/evaluation/planifier/", views.EvaluationPlanifier.as_view(), name="evaluation_planifier"),
    path("<int:pk>/evaluation/saisir/", views.EvaluationSaisir.as_view(), name="evaluation_saisir"),
    path("evaluations/<int:pk>/", views.EvaluationDetail.as_view(), name="evaluation"),
    path("evaluations/<int:evaluation_pk>/realiser/", views.EvaluationSaisir.as_view(), name="evaluation_realiser"),
    path("evaluations/<int:pk>/convocation/", views.EvaluationConvocation.as_view(), name="evaluation_convocation"),
    path("evaluations/<int:pk>/annuler/", views.EvaluationAnnuler.as_view(), name="evaluation_annuler"),
    # Droit d'accès (RGPD) : toutes les données d'une personne, en page et en JSON (administrateurs).
    path("<int:pk>/donnees/", views_rgpd.DonneesPersonneView.as_view(), name="rgpd_donnees"),
    path("<int:pk>/donnees.json", views_rgpd.DonneesPersonneJsonView.as_view(), name="rgpd_donnees_json"),
    path("a-rattacher/", views.ARattacherListe.as_view(), name="a_rattacher"),
    path("<int:pk>/rattacher/", views.Rattacher.as_view(), name="rattacher"),
    path("doublons/", views.DoublonListe.as_view(), name="doublons"),
    path("doublons/<int:pk>/", views.DoublonDetail.as_view(), name="doublon"),
    path("import/", views.ImportDepot.as_view(), name="import"),
    path("import/<int:pk>/", views.ImportApercu.as_view(), name="import_apercu"),
    path("import/<int:pk>/colonnes/", views.ImportCorrespondance.as_view(), name="import_correspondance"),
    path("import/<int:pk>/confirmer/", views.ImportConfirmer.as_view(), name="import_confirmer"),
    path("import/<int:pk>/abandonner/", views.ImportAbandonner.as_view(), name="import_abandonner"),
]

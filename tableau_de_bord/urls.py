app_name = "tableau_de_bord"

urlpatterns = []

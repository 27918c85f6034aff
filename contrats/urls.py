app_name = "contrats"

urlpatterns = []

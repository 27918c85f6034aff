app_name = "beneficiaires"

urlpatterns = []

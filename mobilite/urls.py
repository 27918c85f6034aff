app_name = "mobilite"

urlpatterns = []

app_name = "forums"

urlpatterns = []

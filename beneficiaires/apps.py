from django.apps import AppConfig


class BeneficiairesConfig(AppConfig):
    name = "beneficiaires"
    verbose_name = "Bénéficiaires (axe 1)"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Chaque application verse ses événements au fil du parcours d'une personne (timeline.py).
        autodiscover_modules("timeline")
        from . import autocompletion  # noqa: F401 - sources d'autocomplétion (communes, référents)

from django.apps import AppConfig


class CommunConfig(AppConfig):
    """Ce que toutes les applications partagent et qu'aucun axe ne possède : rendu des listes (tableaux, filtres,
    exports), historique, registre du menu, corps de page en cache, aides de sécurité."""

    name = "commun"
    verbose_name = "Commun"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Chaque application déclare ses entrées de navigation dans menu.py.
        autodiscover_modules("menu")
        # Chaque application déclare les rubriques de « Mon activité » dans activite.py.
        autodiscover_modules("activite")
        # Et les alertes de l'accueil dans alertes.py.
        autodiscover_modules("alertes")

        from . import checks, tableaux, versions  # noqa: F401 - checks : contrôles enregistrés à l'import

        tableaux.installer()
        versions.brancher()

        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from .francais import enregistrer_collation_sqlite

        # Ordre alphabétique français sur SQLite (sur PostgreSQL, une collation ICU créée par migration).
        connection_created.connect(enregistrer_collation_sqlite, dispatch_uid="collation_francais")

        post_migrate.connect(creer_modeles_messages, sender=self)


def creer_modeles_messages(using, apps=None, **kwargs):
    """Après `migrate` : un modèle de message par motif, avec le texte de départ (modifiable ensuite dans
    l'administration ; un texte déjà modifié n'est jamais remplacé)."""
    from .messagerie import MODELES_PAR_DEFAUT

    ModeleMessage = apps.get_model("commun", "ModeleMessage") if apps else None
    if ModeleMessage is None:
        return
    existants = set(ModeleMessage.objects.using(using).values_list("objet", flat=True))
    ModeleMessage.objects.using(using).bulk_create(
        ModeleMessage(objet=objet, sujet=sujet, corps=corps, corps_sms=corps_sms)
        for objet, (sujet, corps, corps_sms) in MODELES_PAR_DEFAUT.items()
        if objet not in existants
    )

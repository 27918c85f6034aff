from django.db import models


class VersionCache(models.Model):
    """La version des données d'un espace (une application du projet) : voir commun/versions.py."""

    espace = models.CharField("espace", max_length=100, primary_key=True)
    valeur = models.BigIntegerField("valeur", default=1)

    class Meta:
        verbose_name = "version des données en cache"
        verbose_name_plural = "versions des données en cache"

    def __str__(self):
        return f"{self.espace} : {self.valeur}"

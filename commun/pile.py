"""Une requête servie dans un seul bloc de la pile de l'interpréteur (CPython 3.11 et 3.12).

Depuis Python 3.11, les cadres d'appel des fonctions Python sont posés sur une pile propre à chaque fil, faite de
blocs de 16 Kio. Quand un appel ne tient plus dans le bloc courant, l'interpréteur en réserve un autre (`mmap`) ;
quand cet appel se termine, il le rend aussitôt (`munmap`). Une boucle qui appelle une fonction juste à la frontière
de deux blocs réserve et rend donc un bloc à CHAQUE appel, et chaque réservation coûte des défauts de page au noyau.
C'est le défaut CPython gh-142183 (« Calls across stack chunks perform badly »), corrigé dans les versions 3.13 et
3.14 récentes, pas en 3.11 ni en 3.12.

Ce qui se voit : selon la profondeur d'appel où tombe la boucle des cellules d'un tableau (un cadre de plus ou de
moins dans la pile de gunicorn suffit), la liste des bénéficiaires servie par gunicorn faisait 2 600 paires
mmap/munmap et 2 600 défauts de page par requête (22 ms de temps système, la moitié du temps CPU de la page), ou
200. Le banc (`make bench`) relève les défauts de page par requête du serveur.

`servie_dans_un_bloc(application)` enveloppe l'application WSGI dans une fonction dont le cadre est gros (un peu
plus de 64 Kio de variables locales jamais lues) : il ne tient dans aucun bloc ordinaire, l'interpréteur lui
réserve un bloc de 128 Kio, et toute la requête (moins de 64 Kio de cadres, même pour les gabarits les plus
imbriqués) se déroule dans la place qui reste. Un bloc réservé et rendu par requête, quelle que soit la profondeur
de ses boucles. Coût : initialiser ce cadre (quelques microsecondes). À retirer quand le projet exigera une
version de Python qui porte la correction.
"""

# Variables locales du cadre d'enveloppe : 8 octets chacune. 8 300 (66 400 octets, plus l'en-tête du cadre) : au-
# delà de 64 Kio, l'interpréteur arrondit le bloc à la puissance de deux suivante (128 Kio) et laisse ~62 Kio aux
# cadres de la requête.
VARIABLES_DU_CADRE = 8300


def _fabriquer_enveloppe(nombre):
    # Des variables locales assignées dans une branche jamais exécutée : le compilateur les compte dans la taille
    # du cadre (table des symboles), sans code exécuté pour elles.
    noms = "\n".join(f"        _{i} = None" for i in range(nombre))
    source = f"def dans_un_bloc(fonction, *args, **kwargs):\n    if False:\n{noms}\n"
    source += "    return fonction(*args, **kwargs)\n"
    espace = {}
    exec(compile(source, "<commun.pile>", "exec"), espace)  # noqa: S102 - source faite ici, sans entrée extérieure
    return espace["dans_un_bloc"]


# `dans_un_bloc(fonction, *args, **kwargs)` : `fonction(*args, **kwargs)`, appelée sous le gros cadre (une requête
# WSGI, ou une requête du client de test dans la mesure du banc, qui doit se dérouler comme sous le serveur).
dans_un_bloc = _fabriquer_enveloppe(VARIABLES_DU_CADRE)


def taille_du_cadre():
    """Le nombre de variables locales du cadre d'enveloppe (pour les tests)."""
    return dans_un_bloc.__code__.co_nlocals


def servie_dans_un_bloc(application):
    def enveloppe(environ, start_response):
        return dans_un_bloc(application, environ, start_response)

    enveloppe.application = application
    return enveloppe

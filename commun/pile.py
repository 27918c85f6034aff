"""Une requête servie dans un seul bloc de la pile de l'interpréteur (CPython 3.11 et 3.12).

Depuis Python 3.11, les cadres d'appel des fonctions Python sont posés sur une pile propre à chaque fil, faite de
blocs de 16 Kio. Quand un appel ne tient plus dans le bloc courant, l'interpréteur en réserve un autre (`mmap`) ;
quand cet appel se termine, il le rend aussitôt (`munmap`). Une boucle qui appelle une fonction juste à la frontière
de deux blocs réserve et rend donc un bloc à CHAQUE appel, et chaque réservation coûte des défauts de page au noyau.
C'est le défaut CPython gh-142183 (« Calls across stack chunks perform badly ») ; sa correction (garder un bloc de
côté, gh-145789) a été reportée en 2026 sur les branches 3.13 et 3.14, pas sur 3.11 ni 3.12 (correctifs de sécurité
seulement).

Ce qui se voit : selon la profondeur d'appel où tombe la boucle des cellules d'un tableau (un cadre de plus ou de
moins dans la pile de gunicorn suffit), la liste des bénéficiaires servie par gunicorn faisait 2 600 paires
mmap/munmap et 2 600 défauts de page par requête (22 ms de temps système, la moitié du temps CPU de la page), ou
200. Le banc (`make bench`) relève les défauts de page par requête du serveur.

`servie_dans_un_bloc(application)` enveloppe l'application WSGI dans une fonction dont le cadre est gros (8 300
variables locales jamais lues, ~65 Kio) : il ne tient dans aucun bloc ordinaire. L'interpréteur (3.11 :
`push_chunk`) double la taille du bloc, à partir de 16 Kio, jusqu'à y loger le cadre et 1 000 mots de plus : 128 Kio,
dont ~63 Kio laissés aux cadres de la requête (`place_pour_la_requete`). La vue, les middlewares et le rendu des
gabarits s'y déroulent : la page la plus profonde du projet en prend ~25 Kio (mesuré par un test). Un bloc réservé
et rendu par requête, quelle que soit la profondeur de ses boucles ; coût : initialiser ce cadre (quelques
microsecondes, une vingtaine de défauts de page). Ce qui se passe après la vue (gunicorn qui envoie un fichier,
signal de fin de requête) se déroule hors du gros cadre. À retirer quand le projet exigera une version de Python
qui porte la correction ; gardé en attendant sur toutes les versions (sans effet nuisible là où elle est corrigée).
"""

# Variables locales du cadre d'enveloppe : 8 octets chacune. 8 300 (66 400 octets, plus l'en-tête du cadre) :
# cadre et marge (1 000 mots) dépassent 64 Kio, le bloc fait donc 128 Kio.
VARIABLES_DU_CADRE = 8300
# Taille d'un bloc ordinaire et marge demandée par l'interpréteur (CPython 3.11, Python/pystate.c).
BLOC_ORDINAIRE = 16 * 1024
MARGE_EN_MOTS = 1000


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


def taille_du_cadre(code):
    """Taille approchée, en octets, du cadre d'une fonction sur la pile de l'interpréteur : ses variables (locales,
    de cellule, libres), sa pile d'évaluation et l'en-tête du cadre (une dizaine de mots)."""
    return 8 * (len(code.co_varnames) + len(code.co_cellvars) + len(code.co_freevars) + code.co_stacksize + 10)


def place_pour_la_requete():
    """Les octets que le bloc de l'enveloppe laisse aux cadres de la requête."""
    cadre = taille_du_cadre(dans_un_bloc.__code__)
    bloc = BLOC_ORDINAIRE
    while bloc < cadre + 8 * MARGE_EN_MOTS:
        bloc *= 2
    return bloc - cadre


def servie_dans_un_bloc(application):
    def enveloppe(environ, start_response):
        return dans_un_bloc(application, environ, start_response)

    enveloppe.application = application
    return enveloppe

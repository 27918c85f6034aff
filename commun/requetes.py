"""Requêtes figées : une lecture dont la forme ne change pas d'une page à l'autre, compilée une fois, ses valeurs
posées à chaque exécution.

Construire un QuerySet (clones, résolution des filtres, sous-requêtes `Exists`) puis le compiler en SQL coûte à
Django plus que PostgreSQL n'en met à répondre à une petite requête : 2,4 ms contre 0,9 ms pour la recherche de
véhicules libres sur un hôte lent, à chaque recherche, pour un SQL identique au caractère près d'une recherche à
l'autre, seules les dates, le bassin et le type changeant. `RequeteFigee` garde ce SQL : le QuerySet est écrit
une fois, par sa fabrique, avec des `Parametre` nommés à la place des valeurs ; son SQL est compilé au premier
appel pour chaque forme (les critères présents) et chaque base, puis chaque appel substitue aux `Parametre` les
valeurs du moment, préparées pour la base par le champ de chacun, exécute le SQL et fait les objets comme le
ferait le QuerySet (`Model.from_db`, convertisseurs), d'après ce que le compilateur a dit de ses colonnes.

La règle reste écrite une seule fois, avec l'ORM (les méthodes des QuerySet du modèle) : la requête figée n'est
que son SQL gardé. À réserver aux lectures dont le SQL ne dépend que de la forme et de la base : ni de
l'utilisateur (un périmètre par rôle ferait une forme par rôle, à passer dans la forme), ni du fuseau ou de la
langue de la requête en cours. La fabrique ne décide de rien d'après un `Parametre` (il n'a pas de valeur en
Python) ; `select_related` y est refusé et `prefetch_related` sans effet : ce que la page lit des objets liés passe
par des annotations.
"""

from django.db import connections, router
from django.db.models import Expression, Subquery


class Parametre(Expression):
    """Une valeur de requête figée, désignée par son `nom` et préparée pour la base par `output_field` (une date
    devient une chaîne sous SQLite, reste une date sous PostgreSQL). Son SQL est un simple marqueur de paramètre ;
    la valeur est posée à chaque exécution par `RequeteFigee`."""

    def __init__(self, nom, output_field):
        super().__init__(output_field=output_field)
        self.nom = nom

    def __repr__(self):
        return f"Parametre({self.nom!r})"

    def as_sql(self, compiler, connection):
        return "%s", [self]


class _Figee:
    """Ce qui est gardé d'une forme : le SQL, ses paramètres (avec leurs marqueurs), et ce que Django lit du
    compilateur pour faire les objets d'une lecture (`ModelIterable`) : les colonnes du modèle (noms d'attribut, place
    dans la ligne), les annotations, et les expressions des colonnes, d'où se tirent les conversions que demande la
    base (une date sous SQLite ; aucune d'ordinaire sous PostgreSQL). Rien n'y dépend de la connexion qui l'a
    compilée : chaque fil (gunicorn à fils, ASGI) la reprend telle quelle."""

    def __init__(self, queryset, alias):
        compilateur = queryset.query.get_compiler(using=alias)
        sql, params = compilateur.as_sql()
        info = compilateur.klass_info
        if info.get("related_klass_infos"):
            raise TypeError("Une requête figée ne suit pas select_related : lire les objets liés par annotations.")
        self.sql, self.params = sql, tuple(params)
        self.requete = queryset.query
        champs = info["select_fields"]
        self.debut, self.fin = champs[0], champs[-1] + 1
        self.noms = tuple(colonne[0].target.attname for colonne in compilateur.select[self.debut : self.fin])
        self.annotations = tuple(compilateur.annotation_col_map.items())
        self.expressions = [colonne[0] for colonne in compilateur.select]
        self.a_convertir = bool(compilateur.get_converters(self.expressions))

    def lignes(self, alias, connexion, rangs):
        """Les lignes lues, converties pour la connexion qui les a lues, comme le ferait le QuerySet."""
        if not self.a_convertir:
            return rangs
        compilateur = self.requete.get_compiler(using=alias, connection=connexion)
        return compilateur.apply_converters(rangs, compilateur.get_converters(self.expressions))


class RequeteFigee:
    """`fabrique(*forme, **parametres)` rend le QuerySet de la lecture, écrit avec les `Parametre` reçus (un par
    nom de `champs`) ; `forme` : les choix qui changent le SQL lui-même (un critère présent ou absent).

    `lignes(forme, **valeurs)` rend les objets du modèle lus par ce SQL, les valeurs posées, dans l'ordre de la
    requête ; les colonnes annotées deviennent des attributs, les champs non lus sont différés (les lire ferait
    une requête par objet : ne lire que ce que la requête sélectionne). Les objets sont faits comme ceux d'un
    QuerySet (`Model.from_db`, convertisseurs de la base), d'après ce que le compilateur a dit de chaque colonne à la
    compilation : sans `QuerySet.raw()`, qui retrouvait à chaque lecture la place de chaque colonne par son nom
    (un cinquième du CPU de la recherche de véhicules)."""

    def __init__(self, modele, fabrique, **champs):
        self.modele = modele
        self._fabrique = fabrique
        self._champs = champs
        self._sql = {}  # (alias de la base, son dialecte, forme) → _Figee

    def _compiler(self, alias, forme):
        parametres = {nom: Parametre(nom, champ) for nom, champ in self._champs.items()}
        queryset = self._fabrique(*forme, **parametres)
        if queryset.model is not self.modele:
            raise TypeError(f"La fabrique rend des {queryset.model.__name__}, pas des {self.modele.__name__}.")
        return _Figee(queryset, alias)

    def lignes(self, forme=(), **valeurs):
        manquants = set(self._champs) - set(valeurs)
        inconnus = set(valeurs) - set(self._champs)
        if manquants or inconnus:
            raise TypeError(f"Valeurs attendues : {sorted(self._champs)} ; reçues : {sorted(valeurs)}.")
        alias = router.db_for_read(self.modele)
        connexion = connections[alias]
        cle = (alias, connexion.vendor, tuple(forme))
        figee = self._sql.get(cle)
        if figee is None:
            figee = self._sql[cle] = self._compiler(alias, cle[2])
        prets = {nom: champ.get_db_prep_value(valeurs[nom], connexion) for nom, champ in self._champs.items()}
        posees = [prets[p.nom] if isinstance(p, Parametre) else p for p in figee.params]
        with connexion.cursor() as curseur:
            curseur.execute(figee.sql, posees)
            rangs = curseur.fetchall()
        rangs = figee.lignes(alias, connexion, rangs)
        objets = []
        # Une liste de noms neuve par lecture : `Model.from_db` la reçoit comme d'un QuerySet (un modèle à chargement
        # rapide y revérifie ses récepteurs de signaux à chaque lecture, commun.chargement).
        modele, noms, debut, fin, annotations = self.modele, list(figee.noms), figee.debut, figee.fin, figee.annotations
        for rang in rangs:
            objet = modele.from_db(alias, noms, rang[debut:fin])
            for nom, place in annotations:
                setattr(objet, nom, rang[place])
            objets.append(objet)
        return objets


class SousRequeteFigee(Subquery):
    """Une sous-requête (`Subquery`) dont le SQL est compilé une fois par expression résolue et par base, puis
    resservi. Les annotations d'une liste sont résolues une fois par processus (`selection_faite_une_fois`) et
    partagées par les copies de chaque page, mais Django recompile chacune à chaque page (compilateur, alias, noms
    entre guillemets) : la moitié de la compilation de la requête des lignes, 1 ms par page pour les cinq
    sous-requêtes de la liste des bénéficiaires sur un hôte lent. Le SQL d'une sous-requête résolue ne dépend que
    d'elle-même (ses alias sont posés à la résolution) et de la base (son dialecte) : il est gardé par base. Toute
    nouvelle expression faite à partir d'elle (résolue pour une autre requête, alias renommés quand la requête
    devient elle-même une sous-requête) passe par `copy()` et repart sans SQL gardé ; un appel avec un autre
    gabarit n'est pas gardé. À ne pas employer pour une valeur dont le SQL dépendrait de la requête en cours (fuseau
    horaire actif d'une troncature de date, langue) : il serait figé au premier appel."""

    def __init__(self, queryset, output_field=None, **extra):
        super().__init__(queryset, output_field, **extra)
        self._sql_par_base = {}

    def copy(self):
        copie = super().copy()
        copie._sql_par_base = {}
        return copie

    def as_sql(self, compiler, connection, template=None, **extra_context):
        if template is not None or extra_context:
            return super().as_sql(compiler, connection, template, **extra_context)
        cle = (connection.alias, connection.vendor)
        figee = self._sql_par_base.get(cle)
        if figee is None:
            sql, params = super().as_sql(compiler, connection)
            figee = self._sql_par_base[cle] = (sql, tuple(params))
        return figee[0], list(figee[1])

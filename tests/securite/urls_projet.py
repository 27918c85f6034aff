"""Découverte de toutes les URL nommées du projet, à partir du résolveur (une nouvelle page ne peut y échapper)."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    nom: str  # « espace:nom »
    motif: str
    vue: object

    @property
    def classe(self):
        return getattr(self.vue, "view_class", None)

    @property
    def accepte_post(self):
        """La vue traite POST (formulaire, action) : une vue classe avec `post`, ou une vue fonction non GET."""
        if self.classe is not None:
            return hasattr(self.classe, "post")
        return "post" in getattr(self.vue, "methodes_acceptees", ("post",))


def routes(exclure_espaces=("admin",)):
    trouvees = []

    def parcourir(motifs, prefixe, espace):
        for motif in motifs:
            if isinstance(motif, URLResolver):
                ns = motif.namespace
                nouvel = f"{espace}:{ns}" if espace and ns else (ns or espace)
                parcourir(motif.url_patterns, prefixe + str(motif.pattern), nouvel)
            elif isinstance(motif, URLPattern):
                if motif.name is None:
                    continue
                nom = f"{espace}:{motif.name}" if espace else motif.name
                trouvees.append(Route(nom=nom, motif=prefixe + str(motif.pattern), vue=motif.callback))

    parcourir(get_resolver().url_patterns, "", None)
    resultat = {}
    for r in trouvees:
        if r.nom.split(":")[0] in exclure_espaces:
            continue
        resultat.setdefault(r.nom, r)  # le premier motif d'un nom est celui que reverse() donne
    return resultat

"""`{% fragment_referentiel filter [variables…] %}…{% fin_fragment_referentiel %}` : un bloc qui ne dépend que du
formulaire de filtre, du référentiel et des variables nommées, gardé en cache sous la version du référentiel
(commun/fragments.py)."""

from django import template

from commun import fragments

register = template.Library()


class FragmentReferentielNode(template.Node):
    def __init__(self, nodelist, filterset, variables, ligne):
        self.nodelist, self.filterset, self.variables, self.ligne = nodelist, filterset, variables, ligne

    def render(self, context):
        filterset = self.filterset.resolve(context)
        request = context.get("request")
        if filterset is None or request is None:
            return self.nodelist.render(context)
        origine = getattr(self.origin, "name", None) or ""
        variables = [v.resolve(context) for v in self.variables]
        gabarit = f"{origine}:{fragments._empreinte_fichier(origine)}"
        cle = fragments.cle(request, filterset, gabarit, self.ligne, variables)
        return fragments.servir(
            cle, lambda: self.nodelist.render(context), gardable=lambda: fragments.cachable(filterset)
        )


@register.tag("fragment_referentiel")
def fragment_referentiel(parser, token):
    morceaux = token.split_contents()
    if len(morceaux) < 2:
        raise template.TemplateSyntaxError("{% fragment_referentiel filter [variables…] %} : le filtre manque.")
    nodelist = parser.parse(("fin_fragment_referentiel",))
    parser.delete_first_token()
    filterset, *variables = (parser.compile_filter(m) for m in morceaux[1:])
    return FragmentReferentielNode(nodelist, filterset, variables, token.lineno)

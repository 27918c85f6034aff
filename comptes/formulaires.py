"""Outils de formulaires communs aux applications."""


def rattacher_erreurs(form, erreur):
    """Rattache une ValidationError levée par un service aux champs du formulaire qu'elle nomme,
    sinon au formulaire entier : l'erreur s'affiche à côté du champ concerné."""
    if hasattr(erreur, "error_dict"):
        for champ, liste in erreur.error_dict.items():
            form.add_error(champ if champ in form.fields else None, liste)
    else:
        form.add_error(None, erreur)

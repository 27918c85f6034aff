"""Outils de formulaires communs aux applications."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import FormView


def rattacher_erreurs(form, erreur):
    """Rattache une ValidationError levée par un service aux champs du formulaire qu'elle nomme,
    sinon au formulaire entier : l'erreur s'affiche à côté du champ concerné."""
    if hasattr(erreur, "error_dict"):
        for champ, liste in erreur.error_dict.items():
            form.add_error(champ if champ in form.fields else None, liste)
    else:
        form.add_error(None, erreur)


class VueService(FormView):
    """Page à formulaire qui appelle un service : `executer(form)` rend l'objet écrit. Une ValidationError du
    service s'affiche sur les champs qu'elle nomme (rien n'est écrit : le service est atomique) ; sinon
    `message_succes` et redirection vers l'objet (`get_success_url`)."""

    message_succes = ""

    def executer(self, form):  # pragma: no cover - chaque page le définit
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.objet = self.executer(form)
        except ValidationError as erreur:
            rattacher_erreurs(form, erreur)
            return self.form_invalid(form)
        message = self.get_message_succes()
        if message:
            messages.success(self.request, message)
        return redirect(self.get_success_url())

    def get_message_succes(self):
        return self.message_succes

    def get_success_url(self):
        return self.objet.get_absolute_url()

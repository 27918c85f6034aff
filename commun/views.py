from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from . import autocompletion as autocompletion_sources
from .courrier import courrier_pdf
from .models import Canal, Message, Progression


def _destinataire_visible(message, user):
    """Le destinataire est-il dans le périmètre de l'utilisateur ? Le commun ne connaît pas l'application de la
    personne : il passe par le `visibles_par(user)` du modèle du destinataire (sinon, personne ne le voit)."""
    modele = ContentType.objects.get_for_id(message.type_destinataire_id).model_class()
    gestionnaire = getattr(modele, "objects", None) if modele else None
    if gestionnaire is None or not hasattr(gestionnaire, "visibles_par"):
        return False
    return gestionnaire.visibles_par(user).filter(pk=message.id_destinataire).exists()


def message_courrier(request, pk):
    """Le courrier d'un message, en PDF à imprimer : pour qui voit la personne (sinon 404)."""
    if getattr(request.user, "est_prestataire", False):
        raise PermissionDenied  # les messages aux personnes ne regardent pas le prestataire (comme leur fil)
    message = get_object_or_404(Message, pk=pk, canal=Canal.COURRIER)
    if not _destinataire_visible(message, request.user):
        raise Http404
    reponse = HttpResponse(courrier_pdf(message), content_type="application/pdf")
    reponse["Content-Disposition"] = f'inline; filename="courrier-{message.pk}.pdf"'
    return reponse


def progression(request, pk):
    """L'avancement d'une tâche longue, pour l'utilisateur qui l'a lancée (les autres : 404). La page se recharge
    seule toutes les deux secondes tant que la tâche n'est pas finie (sans JavaScript)."""
    avancement = get_object_or_404(Progression, pk=pk, utilisateur=request.user)
    return render(request, "commun/progression.html", {"avancement": avancement})


def autocompletion(request, nom):
    """Les choix d'une source d'autocomplétion (commun/autocompletion.py) qui correspondent au texte `q`, dans la
    portée de l'utilisateur connecté : au plus LIMITE, en JSON. Connexion requise ; texte trop long ou porteur
    d'un caractère de contrôle : 400."""
    if not request.user.is_authenticated:
        return JsonResponse({"erreur": "Connexion requise."}, status=401)
    trouvee = autocompletion_sources.source(nom)
    if trouvee is None:
        raise Http404
    texte = autocompletion_sources.nettoyer(request.GET.get("q", ""))
    if texte is None:
        return JsonResponse(
            {
                "erreur": f"Texte de recherche trop long (au plus {autocompletion_sources.LONGUEUR_MAX} caractères) "
                "ou invalide."
            },
            status=400,
        )
    resultats, suite = trouvee.resultats(request.user, texte)
    reponse = JsonResponse({"resultats": resultats, "suite": suite})
    reponse["Cache-Control"] = "private, no-store"
    return reponse

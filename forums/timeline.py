"""Les forums dans le fil chronologique d'une personne, et l'action « Inviter à un forum » de sa fiche."""

from django.db.models import Prefetch
from django.urls import reverse

from beneficiaires.fiche import action
from beneficiaires.timeline import Evenement, source
from commun.francais import compte, genre
from comptes.models import Role

from .models import Entretien, Participation

S = Participation.Statut


@source
def forums(beneficiaire, user):
    """Invitations, inscription (ou liste d'attente), présence, entretiens, embauche : 2 requêtes."""
    participations = (
        Participation.objects.visibles_par(user)
        .filter(beneficiaire=beneficiaire)
        .select_related("forum", "embauche_par__structure")
        .prefetch_related(
            Prefetch(
                "entretiens_menes",
                queryset=Entretien.objects.select_related("exposant__structure").order_by("exposant__structure__nom"),
            )
        )
    )
    evenements = []
    for p in participations:
        forum = p.forum
        url = p.get_absolute_url()

        def ev(date, titre, detail=""):
            evenements.append(Evenement(date=date, titre=titre, detail=detail, url=url, categorie="forums"))  # noqa: B023

        if p.date_invitation:
            ev(p.date_invitation, f"Invitation au forum « {forum.titre} »", f"Forum du {forum.date:%d/%m/%Y}")
        if p.date_inscription:
            if p.statut == S.ATTENTE:
                ev(p.date_inscription, f"Liste d'attente du forum « {forum.titre} »", f"Rang {p.rang_attente}")
            else:
                ev(p.date_inscription, f"Inscription au forum « {forum.titre} »", f"Forum du {forum.date:%d/%m/%Y}")
        if p.statut == S.PRESENT and p.date_pointage:
            ev(
                p.date_pointage,
                f"{genre('Présent', beneficiaire.civilite)} au forum « {forum.titre} »",
                f"{genre('Venu', beneficiaire.civilite)} sans inscription" if p.sur_place else "",
            )
        elif p.statut in (S.ABSENT, S.EXCUSE):
            ev(forum.date, f"{p.get_statut_display()} au forum « {forum.titre} »")
        entretiens = list(p.entretiens_menes.all())
        if entretiens:
            ev(
                forum.date,
                f"{compte(len(entretiens), 'entretien')} au forum « {forum.titre} »",
                ", ".join(e.exposant.structure.nom for e in entretiens),
            )
        if p.embauche_par_id:
            ev(
                p.embauche_date_debut,
                f"Embauche à la suite du forum « {forum.titre} »",
                f"{p.embauche_par.structure.nom} — {p.get_embauche_type_contrat_display()}",
            )
    return evenements


action(
    "Inviter à un forum",
    lambda b: reverse("forums:inscrire_personne") + f"?beneficiaire={b.pk}",
    roles=(Role.ADMINISTRATEUR, Role.REFERENT),
    ordre=50,
)

import django_tables2 as tables

from commun.tableaux import ColonneDate, Tableau

from .models import Entretien, Forum, OffreEmploi, Participation


class ForumTable(Tableau):
    titre = tables.Column(verbose_name="Forum", linkify=True)
    date = ColonneDate(verbose_name="Date")
    commune = tables.Column(verbose_name="Commune", accessor="commune__nom")
    bassin = tables.Column(verbose_name="Bassin", accessor="commune__bassin_emploi__nom", orderable=False)
    secteur = tables.Column(verbose_name="Secteur")
    statut = tables.Column(verbose_name="Statut")
    capacite = tables.Column(verbose_name="Places")
    nb_inscrits = tables.Column(verbose_name="Places prises", orderable=True)
    nb_presents = tables.Column(verbose_name="Présents", orderable=True)

    class Meta:
        model = Forum
        fields = ("titre", "date", "commune", "bassin", "secteur", "statut", "capacite", "nb_inscrits", "nb_presents")
        order_by = ("-date",)
        empty_text = "Aucun forum ne correspond à ces critères."


class ParticipationTable(Tableau):
    beneficiaire = tables.Column(verbose_name="Personne", linkify=lambda record: record.get_absolute_url())
    commune = tables.Column(verbose_name="Commune", accessor="beneficiaire__commune__nom")
    forum = tables.Column(
        verbose_name="Forum", accessor="forum__titre", linkify=lambda record: record.forum.get_absolute_url()
    )
    date_forum = ColonneDate(verbose_name="Date du forum", accessor="forum__date")
    statut = tables.Column(verbose_name="Statut")
    rang_attente = tables.Column(verbose_name="Rang d'attente")
    sur_place = tables.BooleanColumn(verbose_name="Sans inscription", yesno="oui,non")
    embauche = tables.Column(verbose_name="Embauche", accessor="embauche_par__structure__nom", default="")

    class Meta:
        model = Participation
        fields = ("beneficiaire", "commune", "forum", "date_forum", "statut", "rang_attente", "sur_place", "embauche")
        order_by = ("-date_forum", "beneficiaire")
        empty_text = "Aucune participation ne correspond à ces critères."

    def order_beneficiaire(self, queryset, is_descending):
        prefixe = "-" if is_descending else ""
        return queryset.order_by(f"{prefixe}beneficiaire__nom", f"{prefixe}beneficiaire__prenoms", "pk"), True


class OffreTable(Tableau):
    intitule = tables.Column(verbose_name="Poste")
    employeur = tables.Column(verbose_name="Employeur", accessor="exposant__structure__nom")
    forum = tables.Column(
        verbose_name="Forum",
        accessor="exposant__forum__titre",
        linkify=lambda record: record.exposant.forum.get_absolute_url(),
    )
    date_forum = ColonneDate(verbose_name="Date du forum", accessor="exposant__forum__date")
    type_contrat = tables.Column(verbose_name="Contrat")
    nombre_postes = tables.Column(verbose_name="Postes")

    class Meta:
        model = OffreEmploi
        fields = ("intitule", "employeur", "forum", "date_forum", "type_contrat", "nombre_postes")
        order_by = ("-date_forum", "employeur")
        empty_text = "Aucune offre ne correspond à ces critères."


class EntretienTable(Tableau):
    personne = tables.Column(
        verbose_name="Personne",
        accessor="participation__beneficiaire",
        linkify=lambda record: record.participation.get_absolute_url(),
        order_by=("participation__beneficiaire__nom", "participation__beneficiaire__prenoms"),
    )
    employeur = tables.Column(verbose_name="Employeur", accessor="exposant__structure__nom")
    forum = tables.Column(verbose_name="Forum", accessor="participation__forum__titre")
    date_forum = ColonneDate(verbose_name="Date du forum", accessor="participation__forum__date")
    embauche = tables.Column(verbose_name="Embauche par cet employeur", empty_values=(), orderable=False)

    class Meta:
        model = Entretien
        fields = ("personne", "employeur", "forum", "date_forum", "embauche")
        order_by = ("-date_forum", "employeur")
        empty_text = "Aucun entretien ne correspond à ces critères."

    def render_embauche(self, record):
        return "oui" if record.participation.embauche_par_id == record.exposant_id else "non"

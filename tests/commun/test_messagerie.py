"""Messages aux personnes : canal selon préférences et consentement, e-mail par un vrai serveur SMTP local,
SMS par le fichier de développement et par l'adaptateur Brevo (serveur HTTP local qui suit l'API documentée),
courrier PDF, fil de la personne, idempotence et essais limités."""

import datetime
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.urls import reverse

from beneficiaires import services as services_benef
from beneficiaires.timeline import evenements
from commun.messagerie import Coordonnees, choisir_canal, message_envoyer, message_preparer, numero_mobile
from commun.models import Canal, Message, ModeleMessage, Objet
from tests.beneficiaires.factories import BeneficiaireFactory


def test_numero_mobile():
    assert numero_mobile("06 12 34 56 78") == "+33612345678"
    assert numero_mobile("+33 7 12 34 56 78") == "+33712345678"
    assert numero_mobile("02 38 00 00 00") is None
    assert numero_mobile("") is None


@pytest.mark.parametrize(
    ("coordonnees", "attendu"),
    [
        (Coordonnees("A", "B", telephone="0612345678", canal_prefere="sms", consentement_sms=True), "sms"),
        # Pas de SMS sans consentement, ni sans numéro mobile : un courrier.
        (Coordonnees("A", "B", telephone="0612345678", adresse="1 rue", canal_prefere="sms"), "courrier"),
        (
            Coordonnees("A", "B", telephone="0238000000", adresse="1 rue", canal_prefere="sms", consentement_sms=True),
            "courrier",
        ),
        (Coordonnees("A", "B", email="a@b.fr", canal_prefere="email", consentement_email=True), "email"),
        (Coordonnees("A", "B", email="a@b.fr", adresse="1 rue", canal_prefere="email"), "courrier"),
        (Coordonnees("A", "B", email="a@b.fr", canal_prefere="email"), None),
    ],
)
def test_choix_du_canal(coordonnees, attendu):
    assert choisir_canal(coordonnees)[0] == attendu


@pytest.fixture
def serveur_smtp():
    """Un vrai serveur SMTP (aiosmtpd) sur 127.0.0.1, qui garde les messages reçus."""

    class Recepteur:
        def __init__(self):
            self.recus = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - nom imposé par aiosmtpd
            self.recus.append(envelope)
            return "250 Message accepted for delivery"

    recepteur = Recepteur()
    with socket.socket() as libre:  # un port libre
        libre.bind(("127.0.0.1", 0))
        port = libre.getsockname()[1]
    controleur = Controller(recepteur, hostname="127.0.0.1", port=port)
    controleur.start()
    try:
        yield controleur, recepteur
    finally:
        controleur.stop()


def _personne(referent, **champs):
    return BeneficiaireFactory(commune=referent.bassins.first().communes.first(), referent=referent, **champs)


def test_convocation_par_email_vers_un_vrai_serveur_smtp(
    serveur_smtp, referent, settings, django_capture_on_commit_callbacks
):
    controleur, recepteur = serveur_smtp
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controleur.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    personne = _personne(referent, email="lea@example.org", canal_prefere="email", consentement_email=True)
    with django_capture_on_commit_callbacks(execute=True):
        services_benef.evaluation_planifier(
            beneficiaire=personne,
            date=datetime.date(2026, 12, 10),
            heure=datetime.time(14, 30),
            lieu="Maison du Département, 15 rue de la République, Orléans",
            evaluateur=referent,
            par=referent,
        )
    message = Message.objects.get()
    assert message.statut == Message.Statut.ENVOYE and message.canal == Canal.EMAIL and message.date_envoi
    assert len(recepteur.recus) == 1
    recu = recepteur.recus[0]
    assert recu.rcpt_tos == ["lea@example.org"]
    texte = recu.content.decode("utf-8", "replace")
    assert "10/12/2026" in texte and "14 h 30" in texte
    # Une seule fois : la même convocation redemandée ne repart pas.
    with django_capture_on_commit_callbacks(execute=True):
        services_benef.evaluation_convoquer(evaluation=personne.evaluations.get(), par=referent)
    assert len(recepteur.recus) == 1 and Message.objects.count() == 1


def test_sms_de_developpement_ecrit_dans_un_fichier(referent, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.SMS_FOURNISSEUR, settings.SMS_FICHIER = "fichier", str(tmp_path / "sms.jsonl")
    personne = _personne(referent, telephone="06 11 22 33 44", canal_prefere="sms", consentement_sms=True)
    with django_capture_on_commit_callbacks(execute=True):
        message_preparer(
            objet=Objet.CONVOCATION_EVALUATION,
            destinataire=personne,
            coordonnees=personne.coordonnees(),
            contexte={"date": "10/12/2026", "heure": "9 h 00", "lieu": "Gien"},
            cle="essai-sms",
        )
    lignes = [json.loads(ligne) for ligne in (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lignes[0]["numero"] == "+33611223344" and "10/12/2026" in lignes[0]["texte"]
    assert Message.objects.get().statut == Message.Statut.ENVOYE


class _Brevo(BaseHTTPRequestHandler):
    """Bouchon local de l'API « SMS transactionnels » de Brevo (POST /v3/transactionalSMS/sms, en-tête api-key ;
    201 et une référence si la requête est valide, 401 sinon)."""

    recues = []
    refuser = False

    def do_POST(self):  # noqa: N802 - nom imposé par http.server
        corps = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).recues.append((self.path, self.headers["api-key"], corps))
        if type(self).refuser or self.headers["api-key"] != "cle-essai":
            self.send_response(401)
            self.end_headers()
            self.wfile.write(b'{"code":"unauthorized","message":"Key not found"}')
            return
        self.send_response(201)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"reference": "ab1cde2fgh3i4jklmno", "messageId": 1511882900176220}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def brevo(settings):
    _Brevo.recues, _Brevo.refuser = [], False
    serveur = HTTPServer(("127.0.0.1", 0), _Brevo)
    fil = threading.Thread(target=serveur.serve_forever, daemon=True)
    fil.start()
    settings.SMS_FOURNISSEUR = "brevo"
    settings.BREVO_API_CLE, settings.BREVO_SMS_EXPEDITEUR = "cle-essai", "Loiret"
    settings.BREVO_API_URL = f"http://127.0.0.1:{serveur.server_address[1]}/v3"
    yield _Brevo
    serveur.shutdown()
    serveur.server_close()


def test_sms_par_brevo(brevo, referent, django_capture_on_commit_callbacks):
    personne = _personne(referent, telephone="0711223344", canal_prefere="sms", consentement_sms=True)
    with django_capture_on_commit_callbacks(execute=True):
        message_preparer(
            objet=Objet.INVITATION_FORUM,
            destinataire=personne,
            coordonnees=personne.coordonnees(),
            contexte={"forum": "Forum de Gien", "date": "12/01/2027", "lieu": "Gien"},
            cle="essai-brevo",
        )
    chemin, cle, corps = brevo.recues[0]
    assert chemin == "/v3/transactionalSMS/sms" and cle == "cle-essai"
    assert corps["recipient"] == "33711223344" and corps["sender"] == "Loiret" and corps["type"] == "transactional"
    message = Message.objects.get()
    assert message.statut == Message.Statut.ENVOYE and "ab1cde2fgh3i4jklmno" in message.detail


def test_sms_refuse_reessaye_puis_en_echec(brevo, referent, django_capture_on_commit_callbacks):
    brevo.refuser = True
    personne = _personne(referent, telephone="0711223344", canal_prefere="sms", consentement_sms=True)
    with django_capture_on_commit_callbacks(execute=True):
        message_preparer(
            objet=Objet.INVITATION_FORUM,
            destinataire=personne,
            coordonnees=personne.coordonnees(),
            contexte={"forum": "F", "date": "12/01/2027", "lieu": "Gien"},
            cle="essai-refus",
        )
    message = Message.objects.get()
    # Six essais (le premier et cinq relances), puis l'échec est noté, visible dans le fil de la personne.
    assert len(brevo.recues) == 6 and message.tentatives == 6
    assert message.statut == Message.Statut.ECHEC and "HTTP 401" in message.detail
    # Rejouée, la tâche ne renvoie pas un message en échec.
    message_envoyer(message_id=message.pk)
    assert len(brevo.recues) == 6


def test_courrier_sans_consentement_pdf_et_fil(client, referent, referent_gien, django_capture_on_commit_callbacks):
    personne = _personne(referent, adresse="3 rue des Lilas", telephone="0612345678", canal_prefere="sms")
    with django_capture_on_commit_callbacks(execute=True):
        message = message_preparer(
            objet=Objet.FIN_CONTRAT,
            destinataire=personne,
            coordonnees=personne.coordonnees(),
            contexte={"date": "31/12/2026", "employeur": "Mairie de Gien"},
            cle="essai-courrier",
        )
    message.refresh_from_db()
    assert message.canal == Canal.COURRIER and message.statut == Message.Statut.A_IMPRIMER
    assert "3 rue des Lilas" in message.adresse
    titres = [(e.titre, e.detail) for e in evenements(personne, referent)]
    assert ("Message : Fin prochaine d'un contrat aidé", "Courrier — Courrier à imprimer") in titres
    client.force_login(referent)
    reponse = client.get(reverse("commun:message_courrier", args=[message.pk]))
    assert reponse.status_code == 200 and reponse["Content-Type"] == "application/pdf"
    assert reponse.content.startswith(b"%PDF")
    client.force_login(referent_gien)  # hors de son bassin : la personne n'existe pas pour lui
    assert client.get(reverse("commun:message_courrier", args=[message.pk])).status_code == 404


def test_personne_injoignable_le_fil_le_dit(referent, django_capture_on_commit_callbacks):
    personne = _personne(referent)
    with django_capture_on_commit_callbacks(execute=True):
        message = message_preparer(
            objet=Objet.FIN_CONTRAT,
            destinataire=personne,
            coordonnees=personne.coordonnees(),
            contexte={"date": "31/12/2026", "employeur": "X"},
            cle="essai-injoignable",
        )
    assert message.statut == Message.Statut.IMPOSSIBLE
    assert not mail.outbox


def test_modele_modifie_par_l_administrateur(referent, django_capture_on_commit_callbacks):
    ModeleMessage.objects.filter(objet=Objet.FIN_CONTRAT).update(
        sujet="Fin au {{ date }}", corps="Texte {{ employeur }}"
    )
    personne = _personne(referent, email="x@example.org", canal_prefere="email", consentement_email=True)
    with django_capture_on_commit_callbacks(execute=True):
        message_preparer(
            objet=Objet.FIN_CONTRAT,
            destinataire=personne,
            coordonnees=personne.coordonnees(),
            contexte={"date": "31/12/2026", "employeur": "Mairie"},
            cle="essai-modele",
        )
    assert mail.outbox[0].subject == "Fin au 31/12/2026" and mail.outbox[0].body == "Texte Mairie"


def test_modele_mal_ecrit_refuse():
    from django.core.exceptions import ValidationError

    modele = ModeleMessage(objet=Objet.FIN_CONTRAT, sujet="{% if %}", corps="x", corps_sms="x")
    with pytest.raises(ValidationError) as erreur:
        modele.clean()
    assert "sujet" in erreur.value.message_dict


@pytest.mark.parametrize(
    "civilite, attendu", [("MME", "vous êtes attendue pour"), ("M", "vous êtes attendu pour"), ("", "attendu(e) pour")]
)
def test_convocation_accordee_selon_la_civilite(referent, civilite, attendu, django_capture_on_commit_callbacks):
    personne = _personne(referent, email="x@example.org", canal_prefere="email", consentement_email=True)
    personne.civilite = civilite
    with django_capture_on_commit_callbacks(execute=True):
        message_preparer(
            objet=Objet.CONVOCATION_EVALUATION,
            destinataire=personne,
            coordonnees=personne.coordonnees(),
            contexte={"date": "15/12/2026", "heure": "10 h 00", "lieu": "Gien"},
            cle=f"essai-accord-{civilite}",
        )
    assert attendu in mail.outbox[0].body


def test_meme_cle_validee_entre_recherche_et_ecriture(referent, monkeypatch, django_capture_on_commit_callbacks):
    """Une autre tâche valide le message de même clé entre la recherche du message existant et son écriture :
    c'est l'IntegrityError de l'écriture, qui rend ce message, pas une ValidationError du contrôle d'unicité (un
    refus, que la stratégie de relance ne rejouerait pas : le reste du lot ne partirait jamais)."""
    from django.db.models import QuerySet

    personne = _personne(referent, adresse="3 rue des Lilas")
    arguments = {
        "objet": Objet.FIN_CONTRAT,
        "destinataire": personne,
        "coordonnees": personne.coordonnees(),
        "contexte": {"date": "31/12/2026", "employeur": "Mairie de Gien"},
        "cle": "essai-concurrence",
    }
    with django_capture_on_commit_callbacks():
        premier = message_preparer(**arguments)
    premiere_lecture = QuerySet.first
    lectures = []

    def rien_encore(queryset):  # la recherche du message existant, faite avant que l'autre tâche ne valide
        lectures.append(queryset.model)
        return None if len(lectures) == 1 else premiere_lecture(queryset)

    monkeypatch.setattr(QuerySet, "first", rien_encore)
    with django_capture_on_commit_callbacks() as taches:
        second = message_preparer(**arguments)
    assert second.pk == premier.pk and not taches and Message.objects.filter(cle="essai-concurrence").count() == 1

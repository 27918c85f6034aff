"""Courrier au format PDF (fpdf2, pure Python) : en-tête du Département, date, adresse, objet, texte."""

from django.conf import settings
from django.utils import formats, timezone
from fpdf import FPDF

# Les polices de base du PDF couvrent le Latin-1 : les quelques signes typographiques hors Latin-1 sont remplacés.
REMPLACEMENTS = {
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "œ": "oe",
    "Œ": "OE",
    "…": "...",
    "–": "-",
    "—": "-",
    "€": "EUR",
}


def _latin1(texte):
    for signe, remplacement in REMPLACEMENTS.items():
        texte = texte.replace(signe, remplacement)
    return texte.encode("latin-1", "replace").decode("latin-1")


def courrier_pdf(message):
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(message.sujet))
    pdf.set_author(_latin1(settings.DEPARTEMENT_NOM))
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin1(settings.DEPARTEMENT_NOM), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, _latin1("Plan départemental pour l'emploi"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)
    pdf.set_font("Helvetica", "", 11)
    pdf.set_x(110)
    pdf.multi_cell(80, 6, _latin1(message.adresse or ""), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    jour = formats.date_format(timezone.localtime(message.date_creation), "j F Y")
    pdf.cell(0, 6, _latin1(f"Le {jour}"), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(0, 6, _latin1(f"Objet : {message.sujet}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, _latin1(message.corps), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

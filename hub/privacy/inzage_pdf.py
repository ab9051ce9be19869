"""The inzage as a PDF to send to the citizen (fpdf2): the same rows as the page and the CSV."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import datetime

from fpdf import FPDF
from fpdf.fonts import FontFace

from hub.privacy.inzage import InzageRegel
from hub.privacy.inzage_gebruik import Inzage

KOPPEN = ("Tijdstip", "Rol", "Medewerker", "Doel", "Gegevens", "Resultaat")
_BREEDTES = (32, 30, 38, 80, 70, 22)


def _latin1(text: str) -> str:
    """fpdf2's built-in fonts are Latin-1; other letters lose their accent rather than the PDF."""
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        plain = unicodedata.normalize("NFKD", text)
        return (
            "".join(c for c in plain if not unicodedata.combining(c))
            .encode("latin-1", "replace")
            .decode("latin-1")
        )


def pdf_rij(regel: InzageRegel, tijd: Callable[[str], str]) -> tuple[str, ...]:
    """One table row as it is printed; tests compare these cells with the page and the CSV."""
    doel = regel.doel_omschrijving or regel.doel or "-"
    if regel.doel and regel.doel_omschrijving and regel.doel_omschrijving != regel.doel:
        doel = f"{regel.doel_omschrijving} ({regel.doel})"
    return (
        tijd(regel.tijdstip),
        regel.rol,
        regel.medewerker or "-",
        doel,
        ", ".join(regel.gegevens) or "-",
        regel.resultaat,
    )


def inzage_pdf(inzage: Inzage, tijd: Callable[[str], str], opgesteld: datetime) -> bytes:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_lang("nl")
    pdf.set_title(_latin1(f"Inzage verwerking persoonsgegevens - {inzage.organisatie}"))
    pdf.set_author(_latin1(inzage.organisatie))
    pdf.set_creator("KCC Hub")
    pdf.set_creation_date(opgesteld)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=15)
    pdf.cell(0, 9, "Inzage in de verwerking van uw persoonsgegevens (AVG artikel 15)")
    pdf.ln(11)
    pdf.set_font("Helvetica", size=10)
    for label, waarde in (
        ("Organisatie", inzage.organisatie),
        ("Betrokkene (BSN)", inzage.betrokkene),
        ("Opgesteld op", tijd(opgesteld.isoformat())),
        ("Aantal verwerkingen", str(len(inzage.regels))),
    ):
        pdf.cell(45, 6, _latin1(label + ":"))
        pdf.cell(0, 6, _latin1(waarde))
        pdf.ln(6)
    pdf.ln(3)
    if not inzage.regels:
        pdf.multi_cell(0, 6, "Er zijn geen verwerkingen van uw gegevens vastgelegd.")
    else:
        pdf.set_font("Helvetica", size=8)
        with pdf.table(
            col_widths=_BREEDTES,
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 242)),
            line_height=5,
            text_align="LEFT",
        ) as table:
            kop = table.row()
            for titel in KOPPEN:
                kop.cell(titel)
            for regel in inzage.regels:
                row = table.row()
                for cel in pdf_rij(regel, tijd):
                    row.cell(_latin1(cel))
    pdf.ln(4)
    pdf.set_font("Helvetica", size=8)
    pdf.multi_cell(
        0,
        4,
        "Elke raadpleging van uw gegevens door de hub wordt vastgelegd in een beveiligd logboek. "
        "Deze inzage bevat elke vastgelegde raadpleging en elke geweigerde poging, met het doel "
        "waarvoor die plaatsvond. Vragen? Neem contact op met de functionaris "
        "gegevensbescherming van de gemeente.",
    )
    return bytes(pdf.output())

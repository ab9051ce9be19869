"""A stacked bar chart of direct / doorverbonden / contactverzoek per week, as SVG geometry.

The teamleider page draws it server-side (no script, no CDN); the same figures stand in a
table next to it, which is the chart's text alternative.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.domain.klantcontacten import Afhandeling
from hub.domain.rapportages import Rapportage

BREEDTE, HOOGTE = 640, 240
MARGE_LINKS, MARGE_ONDER, MARGE_BOVEN = 48, 28, 8
SOORTEN = (Afhandeling.DIRECT, Afhandeling.DOORVERBONDEN, Afhandeling.CONTACTVERZOEK)


@dataclass(frozen=True)
class Blok:
    soort: str
    x: float
    y: float
    breedte: float
    hoogte: float
    aantal: int


@dataclass(frozen=True)
class Staaf:
    label: str
    x_midden: float
    blokken: list[Blok]


@dataclass(frozen=True)
class Grafiek:
    breedte: int
    hoogte: int
    basis_y: float
    maximum: int
    staven: list[Staaf]
    schaal: list[tuple[float, int]]  # (y, value) of the gridlines


def _maximum(r: Rapportage) -> int:
    hoogste = max((g.klantcontacten for g in r.groepen), default=0)
    # A round scale: 1, 2, 5, 10, 20, 50, … at or above the highest bar.
    stap = 1
    while stap < hoogste:
        for factor in (2, 5 / 2, 2):
            stap = int(stap * factor)
            if stap >= hoogste:
                break
    return max(stap, 1)


def grafiek(r: Rapportage) -> Grafiek:
    maximum = _maximum(r)
    hoog = HOOGTE - MARGE_ONDER - MARGE_BOVEN
    basis = HOOGTE - MARGE_ONDER
    vak = (BREEDTE - MARGE_LINKS) / max(len(r.groepen), 1)
    breedte = vak * 0.6
    staven: list[Staaf] = []
    for i, g in enumerate(r.groepen):
        x = MARGE_LINKS + i * vak + (vak - breedte) / 2
        y = basis
        blokken = []
        for soort in SOORTEN:
            aantal = getattr(g, soort.value).aantal
            h = hoog * aantal / maximum
            y -= h
            blokken.append(
                Blok(soort.value, round(x, 1), round(y, 1), round(breedte, 1), round(h, 1), aantal)
            )
        staven.append(Staaf(g.groep or "—", round(x + breedte / 2, 1), blokken))
    schaal = [(round(basis - hoog * k / 4, 1), maximum * k // 4) for k in range(5)]
    return Grafiek(BREEDTE, HOOGTE, basis, maximum, staven, schaal)

"""Line weight and colourability limits per audience: the one table (the README copies it).

Every size is in inches (areas in square inches) and turned into pixels at the page's DPI,
so a 6x9 and an 8.5x11 book are judged alike. Young children colour with crayons: bold
lines, few large areas, no near-miss gaps; adults colour with fine pens: fine lines and
small areas are the point.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.book.spec import Audience


@dataclass(frozen=True)
class StrokeRange:
    """The printed line width for an audience, in inches."""

    min_in: float
    max_in: float


@dataclass(frozen=True)
class QAThresholds:
    """The limits a cleaned page is held to (sizes in inches, areas in square inches)."""

    min_area_in2: float  # an area smaller than this is too small to colour
    max_small_share: float  # ... and at most this share of the closed areas may be so small
    min_closed: int  # fewer closed areas: too little to colour
    min_ink: float  # share of the page in ink: less is an empty page
    max_ink: float  # more: nothing left to colour
    max_solid: float  # share of the page in solid black (compact parts wider than `solid_in`)
    solid_in: float
    small_solid_in2: float  # ... and no one solid larger (a pupil, a nose, a mouth is detail)
    max_leaks: int  # gaps colour leaks through (or one per `leak_share` of the closed areas,
    leak_share: float  # if more): a line end short of another line by under `leak_in`, or
    leak_in: float  # two line ends facing each other across under `gap_in`
    gap_in: float
    max_specks: int  # isolated dots left (smaller than `speck_in` across)
    speck_in: float
    max_cut: int  # areas the art box's edge cuts open (a picture running off the page)
    stroke_tolerance: float  # the median stroke may miss its range by this share
    bold_max_in: float  # where a bold style is kept (pens: teens, adults), lines up to this
    # wide pass too (0: the range's top is the limit, as crayons need room inside the lines)
    drawn_style: bool  # the drawing's own small areas and narrow gaps are its style (pens),
    # judged only where the stage added them (`own`); crayons: every one counts
    # against the drawing the stage was given (when it is known): the stage's own damage
    max_lost: float  # share of the drawing's line length missing from the page ...
    min_lost_in: float  # ... and at least this many inches of it (a few pixels are no loss)
    max_new_blobs: int  # blobs where the drawing has none (dots at joints and line ends)
    max_solids_lost: int  # small solids of the drawing (pupils) hollowed or dropped
    max_area_change: float  # areas to colour gained or lost, as a share of the drawing's ...
    area_change_floor: int  # ... and in number (a change up to this many is allowed)


STROKES: dict[Audience, StrokeRange] = {
    Audience.AGES_3_5: StrokeRange(0.040, 0.060),
    Audience.AGES_6_8: StrokeRange(0.030, 0.045),
    Audience.AGES_9_12: StrokeRange(0.020, 0.035),
    Audience.TEENS: StrokeRange(0.015, 0.030),
    Audience.ADULTS: StrokeRange(0.010, 0.025),
}


def _limits(
    area: float, small: float, closed: int, leaks: int, bold: float = 0.0, pens: bool = False
) -> QAThresholds:
    return QAThresholds(
        min_area_in2=area,
        max_small_share=small,
        min_closed=closed,
        min_ink=0.002,  # a small drawing is still a drawing
        max_ink=0.35,
        max_solid=0.05,
        solid_in=0.10,
        small_solid_in2=2.0,
        max_leaks=leaks,
        leak_share=0.15,
        leak_in=0.10,
        gap_in=0.35,
        max_specks=5,
        speck_in=0.04,
        max_cut=0,
        stroke_tolerance=0.15,
        bold_max_in=bold,
        drawn_style=pens,
        max_lost=0.05,
        min_lost_in=1.0,
        max_new_blobs=2,
        max_solids_lost=1,
        max_area_change=0.25,
        area_change_floor=5,
    )


THRESHOLDS: dict[Audience, QAThresholds] = {
    Audience.AGES_3_5: _limits(0.10, 0.10, 1, 2),  # one big shape is a page
    Audience.AGES_6_8: _limits(0.02, 0.15, 3, 3),
    Audience.AGES_9_12: _limits(0.015, 0.20, 3, 4),
    Audience.TEENS: _limits(0.01, 0.25, 3, 6, bold=0.30, pens=True),  # a bold style is kept
    Audience.ADULTS: _limits(0.004, 0.30, 3, 8, bold=0.30, pens=True),
}

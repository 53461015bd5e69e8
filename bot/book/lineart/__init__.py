"""The line-art stage: any image to a clean 1-bit print page for its audience, with
colourability QA (see `stage` for the steps and `tables` for the limits)."""

from bot.book.lineart.qa import ACTIVITY, PAGE_KIND, QAReport, qa_page
from bot.book.lineart.stage import LineArtOptions, clean_page, fit_box
from bot.book.lineart.tables import STROKES, THRESHOLDS, QAThresholds, StrokeRange

__all__ = [
    "ACTIVITY",
    "PAGE_KIND",
    "STROKES",
    "THRESHOLDS",
    "LineArtOptions",
    "QAReport",
    "QAThresholds",
    "StrokeRange",
    "clean_page",
    "fit_box",
    "qa_page",
]

"""The procedural provider draws real coloring pages: deterministic, closed regions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

from bot.book.assets import AssetKind
from bot.book.providers import ImageRequest, get_provider
from bot.book.providers.procedural import LINE_PX, ProceduralProvider, choose_genre
from bot.book.spec import Audience
from bot.cli import main
from tests.conftest import minimal_spec, write_spec

SIZE = (1144, 1455)  # half of an 8.5x11 art box: keeps the suite quick


def request(
    subject: str,
    seed: int = 5,
    audience: Audience = Audience.ADULTS,
    size: tuple[int, int] | None = None,
) -> ImageRequest:
    return ImageRequest(AssetKind.PAGE, 0, subject, seed, *(size or SIZE), audience=audience)


@pytest.mark.parametrize(
    ("subject", "audience", "genre"),
    [
        ("mandala", Audience.ADULTS, "mandala"),
        ("Stained glass window", Audience.TEENS, "stained_glass"),
        ("Roman mosaic tiles", Audience.TEENS, "mosaic"),
        ("a maze to the cookie", Audience.AGES_6_8, "maze"),
        ("big stars", Audience.AGES_3_5, "shapes"),
        ("a friendly dog", Audience.AGES_3_5, "shapes"),
        ("a friendly dog", Audience.ADULTS, "mandala"),
    ],
)
def test_genre_choice(subject: str, audience: Audience, genre: str) -> None:
    assert choose_genre(request(subject, audience=audience)) == genre


@pytest.mark.parametrize("subject", ["mandala", "stained glass", "mosaic", "maze", "stars"])
def test_deterministic_per_seed(subject: str) -> None:
    provider = get_provider("procedural")
    a = provider.draw(request(subject, 1))
    b = provider.draw(request(subject, 1))
    c = provider.draw(request(subject, 2))
    assert a.tobytes() == b.tobytes()
    assert subject == "stars" or a.tobytes() != c.tobytes()
    assert a.size == SIZE and a.mode == "1"


@pytest.mark.parametrize(
    ("subject", "audience"),
    [
        ("mandala", Audience.ADULTS),
        ("stained glass", Audience.ADULTS),
        ("mandala", Audience.AGES_3_5),
        ("shapes", Audience.AGES_3_5),
    ],
)
def test_regions_are_closed_and_colourable(subject: str, audience: Audience) -> None:
    img = get_provider("procedural").generate([request(subject, 3, audience)])[0]
    white = np.asarray(img, dtype=bool)
    labels, count = ndimage.label(white)
    sizes = np.bincount(labels.ravel())[1:]
    page = white.size
    assert count >= 5  # closed shapes, not one open field
    tiny = sizes[sizes < page * 0.0002].sum()  # under ~0.005 sq in at this scale
    assert tiny < 0.01 * white.sum()  # almost no white is in uncolourable slivers
    assert 0.01 < 1 - white.mean() < 0.25  # ink is lines, not fills or scribbles


def test_young_children_get_thicker_lines_and_bigger_regions() -> None:
    provider = get_provider("procedural")
    kid = np.asarray(provider.draw(request("mandala", 3, Audience.AGES_3_5)), dtype=bool)
    adult = np.asarray(provider.draw(request("mandala", 3, Audience.ADULTS)), dtype=bool)
    assert ndimage.label(kid)[1] < ndimage.label(adult)[1]

    # line weight: a horizontal scan's ink runs are longer for small hands
    def median_run(white: np.ndarray) -> float:
        row = ~white[white.shape[0] // 2]
        edges = np.flatnonzero(np.diff(np.concatenate([[0], row.astype(int), [0]])))
        return float(np.median(edges[1::2] - edges[::2]))

    assert median_run(kid) > 2 * median_run(adult)


def test_cover_is_coloured_in() -> None:
    img = get_provider("procedural").generate(
        [ImageRequest(AssetKind.COVER, 0, "mandala", 9, 600, 500, Audience.ADULTS)]
    )[0]
    assert img.mode == "RGB"
    colours = img.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 5


def test_unknown_provider_names_the_field() -> None:
    from bot.errors import UserInputError

    with pytest.raises(UserInputError, match=r"providers\.cover: unknown provider 'dalle'"):
        get_provider("dalle", field="providers.cover")


@pytest.mark.parametrize(
    "subject", ["mandala", "stained glass", "mosaic", "maze", "stars", "circles"]
)
def test_another_seed_draws_another_page(subject: str) -> None:
    """What `/regenerate N` relies on: a new seed is a new picture, in every genre."""
    provider = get_provider("procedural")
    for audience in (Audience.AGES_3_5, Audience.ADULTS):
        a = provider.draw(ImageRequest(AssetKind.PAGE, 0, subject, 1, 600, 800, audience))
        b = provider.draw(ImageRequest(AssetKind.PAGE, 0, subject, 2, 600, 800, audience))
        assert a.tobytes() != b.tobytes(), (subject, audience)


@pytest.mark.parametrize("audience", list(Audience))
def test_every_genre_passes_the_line_art_qa(audience: Audience) -> None:
    from bot.book.lineart import LineArtOptions, clean_page

    for subject in ("mandala", "stained glass", "mosaic", "maze", "shapes"):
        img = ProceduralProvider().draw(request(subject, audience=audience, size=(2288, 2910)))
        _, report = clean_page(img, (2288, 2910), LineArtOptions(audience))
        assert not report.flagged, (subject, report.reasons)


def test_a_subject_it_cannot_draw_is_said_once_and_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = {"subjects": ["sea turtle", "mandala", "sea turtle", "lighthouse"]}
    spec = write_spec(tmp_path / "b.yaml", minimal_spec(pages=pages))
    assert main(["build", str(spec), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert err.count("cannot draw 'sea turtle'; drew a mandala instead") == 1
    assert "cannot draw 'lighthouse'" in err and "cannot draw 'mandala'" not in err
    book = json.loads((tmp_path / "out" / "provenance.json").read_text())
    assert book["not_drawn"] == ["lighthouse", "sea turtle"]


def test_the_maze_marks_start_and_finish_and_shapes_vary() -> None:
    maze = ProceduralProvider().draw(request("maze", audience=Audience.AGES_3_5, size=(2288, 2910)))
    ink = ~np.asarray(maze)
    rows = np.where(ink.any(axis=1))[0]
    top_band = ink[rows.min() : rows.min() + 100]  # the word above the entrance
    assert top_band[:, : 2288 // 2].sum() > top_band[:, 2288 // 2 :].sum()  # START at the left
    assert maze.info.get("ebook-bot.page") == "activity"
    shapes = ProceduralProvider().draw(
        request("stars", audience=Audience.AGES_3_5, size=(2288, 2910))
    )
    from bot.book.lineart.qa import closed_areas

    areas = np.round(closed_areas((~np.asarray(shapes)).astype(np.uint8), 300), 1)
    assert len(set(areas.tolist())) >= 2  # not one outline repeated


@pytest.mark.parametrize("size", [(2288, 2910), (2288, 2288), (2250, 2100)])
def test_mandala_keeps_clear_of_the_frame(size: tuple[int, int]) -> None:
    """Along the middle row and column, between the frame and the mandala's outer ring lies
    a white band at least 4 % of the short side wide: no pinched sliver where a circle
    meets the straight frame (square and near-square pages too)."""
    img = ProceduralProvider().draw(request("mandala", size=size))
    ink = ~np.asarray(img, dtype=bool)
    w, h = size
    least = 0.04 * min(w, h)
    for line in (ink[h // 2, :], ink[:, w // 2], ink[h // 2, ::-1], ink[::-1, w // 2]):
        runs = np.flatnonzero(np.diff(line.astype(np.int8)))  # edges of black runs
        frame_end, ring_start = runs[1], runs[2]  # the frame's line, then the mandala
        assert frame_end - runs[0] <= 1.5 * LINE_PX[Audience.ADULTS]  # the frame alone
        assert ring_start - frame_end >= least, (size, ring_start - frame_end)


def test_stained_glass_and_mosaic_look_different() -> None:
    """A mosaic is laid in rows: long straight horizontal lines (the tiles' top and bottom
    edges) that the stained-glass tiling, irregular cells, does not have."""

    def straight_rows(subject: str) -> int:
        ink = ~np.asarray(ProceduralProvider().draw(request(subject)), dtype=bool)
        inner = ink[20:-20, 20:-20]
        return int((inner.mean(axis=1) > 0.6).sum())

    assert straight_rows("mosaic") >= 5 * straight_rows("stained glass") + 10

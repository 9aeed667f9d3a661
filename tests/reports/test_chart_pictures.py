"""Chart pictures shared through Redis (roadmap.reports.pictures): two application instances on
one real Redis draw a picture once; new figures mean a new picture; without Redis, or with
Redis down, every process draws its own and the report still has its charts."""

from __future__ import annotations

import logging
import uuid

import pytest

from roadmap import create_app
from roadmap.reports import charts
from roadmap.reports.pictures import DRAWN_KEY, SharedPictures, picture_key, shared_pictures
from tests.conftest import make_config
from tests.production.conftest import REDIS_URL, redis_or_skip


@pytest.fixture
def redis_client():
    client = redis_or_skip()
    yield client
    client.close()


@pytest.fixture
def prefix(redis_client):
    """A prefix of this test alone: another run on the same Redis may draw the same chart."""
    value = f"test:{uuid.uuid4().hex}:chart:"
    yield value
    keys = list(redis_client.scan_iter(match=value + "*"))
    if keys:
        redis_client.delete(*keys)


def _app(tmp_path, name: str, **settings):
    instance = tmp_path / name
    instance.mkdir()
    return create_app(make_config(instance, f"sqlite:///{instance / 'db.sqlite3'}", **settings))


def _chart(accepted: int) -> charts.Chart:
    return charts.status_distribution({"planned": 3, "accepted": accepted})


def _drawn(redis_client, prefix: str) -> int:
    return int(redis_client.get(prefix + DRAWN_KEY) or 0)


def test_two_application_instances_draw_a_picture_once(tmp_path, redis_client, prefix):
    first = _app(tmp_path, "a", REDIS_URL=REDIS_URL, CHART_CACHE_PREFIX=prefix)
    second = _app(tmp_path, "b", REDIS_URL=REDIS_URL, CHART_CACHE_PREFIX=prefix)
    chart = _chart(5)
    charts.to_png.cache_clear()
    with first.app_context():
        picture = charts.to_png(chart, dpi=40)
    assert picture.startswith(b"\x89PNG") and _drawn(redis_client, prefix) == 1
    charts.to_png.cache_clear()  # the second instance has nothing of its own: as another worker
    with second.app_context():
        assert charts.to_png(chart, dpi=40) == picture
        assert _drawn(redis_client, prefix) == 1  # taken from Redis, not drawn again
        # The key is the chart's data: the same figures built anew are the same picture ...
        assert charts.to_png(_chart(5), dpi=40) == picture and _drawn(redis_client, prefix) == 1
        # ... and changed figures are a new one, drawn once.
        changed = charts.to_png(_chart(6), dpi=40)
    assert changed != picture and _drawn(redis_client, prefix) == 2
    assert redis_client.ttl(prefix + picture_key(repr((chart, 9.5, 40, True)))) > 0


def test_the_size_and_the_title_are_part_of_the_key():
    chart = _chart(5)
    keys = {picture_key(repr((chart, width, 40, title))) for width in (9.5, 6.5) for title in (True, False)}
    assert len(keys) == 4


def test_without_redis_each_process_draws_its_own(tmp_path):
    app = _app(tmp_path, "alone", REDIS_URL=None)
    off = _app(tmp_path, "off", REDIS_URL=REDIS_URL, CHART_SHARED_CACHE=False)
    assert shared_pictures(app) is None and shared_pictures(off) is None
    charts.to_png.cache_clear()
    with app.app_context():
        assert charts.to_png(_chart(7), dpi=40).startswith(b"\x89PNG")
    assert shared_pictures() is None  # no application: a script drawing charts


def test_redis_down_means_drawing_locally_without_waiting_for_it_again(tmp_path, caplog):
    app = _app(tmp_path, "down", REDIS_URL="redis://127.0.0.1:1/0")
    charts.to_png.cache_clear()
    with caplog.at_level(logging.WARNING), app.app_context():
        pictures = [charts.to_png(_chart(n), dpi=40) for n in (8, 9, 10)]
    assert all(p.startswith(b"\x89PNG") and len(p) > 1000 for p in pictures)
    # Tried once, then left alone for a while: one warning, not one per picture.
    assert caplog.text.count("Redis unavailable") == 1


def test_a_picture_round_trips_and_another_prefix_does_not_see_it(redis_client, prefix):
    store = SharedPictures(redis_client, ttl=60, prefix=prefix)
    store.put("k", b"\x89PNG-bytes")
    assert store.get("k") == b"\x89PNG-bytes"
    assert SharedPictures(redis_client, ttl=60, prefix=prefix + "other:").get("k") is None


def test_a_kept_figure_draws_the_same_picture_as_a_new_one():
    """PNG figures are kept per size and reused (charts._PNG_FIGURES): what the chart drawn before
    on that figure left behind (bars, labels, a legend, a title) must not show in the next."""
    pytest.importorskip("matplotlib")
    three_sections = [("Раздел А", _outcomes(3, 1)), ("Раздел Б", _outcomes(0, 4)), ("Раздел В", _outcomes(2, 2))]
    other = charts.progress_by_section(three_sections)
    chart = charts.progress_by_section(list(reversed(three_sections)))

    def drawn(reuse: bool) -> bytes:
        return charts._png(charts._figure(chart, 9.5, True, dpi=charts.PNG_DPI, reuse=reuse))

    fresh = drawn(reuse=False)
    charts._draw_png(other, 9.5, charts.PNG_DPI, True)  # the same size: it leaves its figure kept
    assert drawn(reuse=True) == fresh
    assert charts._draw_png(chart, 9.5, charts.PNG_DPI, True) == fresh
    # An empty chart turns its axes off; the next chart of its size has them back.
    one = charts.progress_by_section(three_sections[:1])
    alone = charts._png(charts._figure(one, 9.5, True, dpi=charts.PNG_DPI))
    charts._draw_png(charts.progress_by_section([]), 9.5, charts.PNG_DPI, True)
    assert charts._draw_png(one, 9.5, charts.PNG_DPI, True) == alone


def _outcomes(on_time: int, overdue: int):
    from roadmap.reports.queries import Figures

    return Figures(total=on_time + overdue, on_time=on_time, overdue=overdue)

"""The staff header reads as separate words and keeps every link on one line, in Dutch and in
English, on a laptop and on a tablet (it once ran "AttestKandidaten" together and broke links)."""

from __future__ import annotations

import pytest

from attest.models import Role
from tests.browser.staff import staff_login
from tests.factories import make_centre, make_user

pytestmark = pytest.mark.browser

LAYOUT = """() => {
  const bar = document.querySelector('header.topbar');
  const words = bar.querySelectorAll('nav a, nav .who, nav button');
  const parts = [bar.querySelector('.brand'), ...words];
  return parts.map(el => {
    const r = el.getBoundingClientRect();
    const line = parseFloat(getComputedStyle(el).lineHeight) || r.height;
    return {text: el.innerText.trim(), x: r.left, y: r.top, w: r.width, h: r.height, line};
  });
}"""


@pytest.mark.parametrize("width,lang", [(1280, "nl"), (1280, "en"), (800, "nl")])
def test_admin_header_words_stand_apart_and_links_do_not_break(
    live_server, browser, db, width, lang
):
    admin = make_user(db, role=Role.ADMIN, centre=make_centre(db))
    db.commit()
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    staff_login(page, live_server, admin.username)
    page.goto(f"{live_server}/admin/?lang={lang}")
    parts = page.evaluate(LAYOUT)
    texts = [p["text"] for p in parts]
    assert texts[0] == "Attest" and len(texts) >= 8, texts
    for part in parts:  # one line each: no link broken over two lines
        assert part["h"] < 1.9 * part["line"], part
    boxes = [(p["x"], p["y"], p["x"] + p["w"], p["y"] + p["h"]) for p in parts if p["w"]]
    for i, a in enumerate(boxes):  # no two words touch: at least 4 px between neighbours
        for b in boxes[i + 1 :]:
            same_line = min(a[3], b[3]) - max(a[1], b[1]) > 0
            if same_line:
                gap = max(b[0] - a[2], a[0] - b[2])
                assert gap >= 4, (texts, a, b)
    context.close()

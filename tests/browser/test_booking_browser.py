"""A person books a test on a phone, no account: the centre's public page, a slot, a hard real
name, the confirmation link read from a real SMTP server on loopback and followed in the
browser, then a cancel by the same link (with its mail); the slot's free places go down by one
and back up in the database. The form is usable by touch: buttons of at least 44 px, every
field with a visible label."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from attest.appointments import services
from attest.models import Booking, Role
from tests import smtp_server
from tests.browser.conftest import wait_for, wait_until
from tests.factories import make_centre, make_kiosk, make_user
from tests.hard_names import HARD_NAMES, stored

pytestmark = pytest.mark.browser

smtp_inbox = smtp_server.smtp_inbox  # the fixture: a loopback SMTP server and what it received
PURPOSE = "niveaubepaling"  # no waiting time between attempts (retake_rules.yaml)
CAPACITY = 3
MIN_TARGET = 44  # px, as the kiosk (tests/browser/test_kiosk_accessibility.py)
LINK = re.compile(r"https://attest\.example(/book/manage/[A-Za-z0-9_\-]+)")
_, FAMILY, GIVEN = next(name for name in HARD_NAMES if name[0] == "persian-zwnj")
EMAIL = "fereshteh@example.org"

# Every visible form control: its height, and whether a visible, non-empty label names it.
CONTROLS_JS = """() => [...document.querySelectorAll(
    'form button, form input:not([type=hidden]), form select, form textarea')].map(el => {
  const box = el.getBoundingClientRect();
  const label = el.id ? document.querySelector(`label[for="${el.id}"]`) : null;
  const labelBox = label ? label.getBoundingClientRect() : null;
  return {
    control: el.outerHTML.slice(0, 60),
    button: el.tagName === 'BUTTON',
    height: box.height,
    label: label && labelBox.width > 0 && labelBox.height > 0
      && getComputedStyle(label).visibility !== 'hidden' ? label.textContent.trim() : '',
  };
})"""


@pytest.fixture
def slot(db):
    centre = make_centre(db, code="GENT")
    for _ in range(CAPACITY):
        make_kiosk(db, centre=centre)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    slot = services.create_slot(db, centre.id, proctor, starts, 120, PURPOSE, CAPACITY)
    db.commit()
    return slot


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="nl-BE", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _free(db, slot) -> int:
    db.expire_all()
    return CAPACITY - services.holding_count(db, slot.id, datetime.now(UTC))


def _assert_touchable(page) -> None:
    controls = page.evaluate(CONTROLS_JS)
    assert controls
    small = [c for c in controls if c["button"] and c["height"] < MIN_TARGET]
    unlabelled = [c["control"] for c in controls if not c["button"] and not c["label"]]
    assert not small, small
    assert not unlabelled, unlabelled
    # nothing sticks out sideways on a phone
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_a_person_books_confirms_and_cancels_on_a_phone(db, live_server, phone, slot, smtp_inbox):
    page = phone
    assert _free(db, slot) == CAPACITY
    page.goto(f"{live_server}/book/GENT")
    _assert_touchable(page)
    labels = [c["label"] for c in page.evaluate(CONTROLS_JS) if c["label"]]
    assert "Familienaam" in labels and "Aanpassing nodig? (optioneel)" in labels

    page.select_option("#slot", str(slot.id))
    page.fill("#family_name", FAMILY)
    page.fill("#given_names", GIVEN)
    page.fill("#birth_date", "1994-02-11")
    page.fill("#email", EMAIL)
    page.select_option("#language", "fa")
    page.fill("#accommodation", "Extra tijd bij dyslexie")
    page.get_by_role("button", name="Afspraak aanvragen").click()
    wait_until(page, "document.querySelector('[data-testid=sent]')")

    [mail] = wait_for(lambda: smtp_inbox.to(EMAIL), what="the confirmation mail")
    assert mail["Subject"] == "Bevestig uw afspraak voor een test Nederlands"  # fa: Dutch
    assert stored(FAMILY) in smtp_inbox.text(mail)
    booking = db.scalar(sa.select(Booking))
    assert (booking.family_name, booking.given_names) == (stored(FAMILY), stored(GIVEN))
    assert booking.language == "fa" and booking.accommodation == "Extra tijd bij dyslexie"
    assert _free(db, slot) == CAPACITY - 1  # an unconfirmed booking holds its place

    link = live_server + LINK.search(smtp_inbox.text(mail)).group(1)
    page.goto(link)
    _assert_touchable(page)
    page.get_by_role("button", name="Afspraak bevestigen").click()
    wait_until(page, "document.querySelector('[data-testid=status]')?.innerText === 'bevestigd'")
    assert page.get_by_text("Uw afspraak is bevestigd.").is_visible()
    assert _free(db, slot) == CAPACITY - 1

    _assert_touchable(page)
    page.get_by_role("button", name="Afspraak annuleren").click()
    wait_until(page, "document.querySelector('[data-testid=cancelled]')")
    assert "geannuleerd" in page.get_by_test_id("cancelled").inner_text()
    assert _free(db, slot) == CAPACITY

    cancelled = wait_for(lambda: smtp_inbox.to(EMAIL)[1:], what="the cancellation mail")[0]
    assert cancelled["Subject"] == "Uw afspraak voor een test Nederlands is geannuleerd"
    page.goto(link)  # the link ended
    assert page.get_by_test_id("bad-link").is_visible()

import pytest
from axe_playwright_python.sync_playwright import Axe
from .test_accessibility import PAGES, open_page, library, describe, DESKTOP  # noqa
from .browser import PHONE
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Axe()

@pytest.mark.parametrize("name", PAGES)
def test_survey(name, live_server, browser_page, library):
    p = browser_page
    p.set_viewport_size(PHONE if name in ("home",) else DESKTOP)
    open_page(p, live_server.url, library, name)
    p.evaluate(AXE.axe_script)
    ids = p.evaluate("axe.getRules(['experimental']).map(r => r.ruleId)")
    opts = {"resultTypes": ["violations"], "rules": {i: {"enabled": True} for i in ids}}
    r = AXE.run(p, options=opts).response
    print("\nSURVEY", name, describe(r["violations"]), "| INCOMPLETE:", describe(r["incomplete"]))
    p.keyboard.press("Tab")
    r = AXE.run(p).response
    print("FOCUSED-SKIP", name, describe(r["violations"]))

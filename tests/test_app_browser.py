"""The interactive page (sim/runs/app.py): its model class, and the page itself in headless Chromium.

The browser test starts a fresh Solara server on loopback, loads the page, checks that every
slider shows its unit and current value (and that moving one updates it and, after Reset, the
model), presses STEP and checks that the lag plot renders the new month and that the upgrade
panel shows a plot or says the model has no upgrade-cadence series; it saves a screenshot under
its tmp dir (and into ``$RHYTHM_ARTIFACTS`` when set). It skips, saying why, where Playwright or Chromium is
missing (``.ci/run`` installs Debian's ``chromium``; never ``playwright install``).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


@pytest.fixture(scope="module")
def app():
    import sim.runs.app

    return sim.runs.app


def test_live_series_match_the_batch_run(app):
    """The page's plots read the recorder each month: the values equal a batch run's."""
    from sim import run_scenario

    model = app.LiveModel("collision", seed=3, months=18)
    for _ in range(20):   # two past the horizon: the model stops, nothing breaks
        model.step()
    assert model.t == 18 and model.running is False
    live = app.live_series(model)
    table = run_scenario("collision", seed=3, replicates=1, overrides=["months=18"])
    for metric, entity in [("delivery_lag_cycles", "country:US"), ("stockpile_cover_days", "magnet:US"),
                           ("circle_members", "circle:B"), ("circle_b_share_gdp", "world")]:
        batch = table[(table.metric == metric) & (table.entity == entity)].sort_values("month")["value"]
        np.testing.assert_allclose(live[(metric, entity)], batch.to_numpy())
    # the upgrade panel: the generation lag the batch run records, where the model has the layer
    lines = app.upgrade_lines(live)
    upgrades = table[table.metric == "generation_lag_cycles"]
    assert len(lines) == len([e for e in app.UPGRADES if e in set(upgrades.entity.astype(str))])
    for (label, values, _), entity in zip(lines, [e for e in app.UPGRADES if ("generation_lag_cycles", e) in live]):
        batch = upgrades[upgrades.entity == entity].sort_values("month")["value"]
        np.testing.assert_allclose(values, batch.to_numpy(), err_msg=label)


def test_upgrade_panel_lines_are_the_generation_lag_series_it_names(app):
    """US, circle A and US EV motors, in that order and labelled; none without the layer."""
    ramp = np.linspace(0.0, 1.0, 5)
    series = {("generation_lag_cycles", "ev:US"): ramp, ("generation_lag_cycles", "country:US"): 2 * ramp,
              ("generation_lag_cycles", "kr.k9"): 3 * ramp, ("delivery_lag_cycles", "circle:A"): ramp}
    lines = app.upgrade_lines(series)
    assert [label for label, _, _ in lines] == ["United States (as customer)", "EV traction motors (US)"]
    np.testing.assert_array_equal(lines[0][1], 2 * ramp)
    assert app.upgrade_lines({("delivery_lag_cycles", "country:US"): ramp}) == []
    assert app.NO_UPGRADES == "no upgrade-cadence series in this model"


def test_sliders_override_the_scenario_only_when_asked(app):
    """Unticked, the scenario's own levers hold; ticked, the four slider values reach the model."""
    kwargs = dict(months=12, vault_budget_bn=4.0, rated_order_share=0.2, pool_share=0.3, us_subsidy_usd_per_kg=20.0)
    own = app.LiveModel("collision", **kwargs)
    forced = app.LiveModel("collision", use_levers=True, **kwargs)
    us = own.world.countries.index("US")
    assert own.policy.months == forced.policy.months == 12
    assert own.policy.rated_share == 0.9 and forced.policy.rated_share == 0.2          # conf/scenario/collision.yaml
    assert own.policy.club.pool_share == 0.5 and forced.policy.club.pool_share == 0.3
    assert own.world.reserve_budget[us] == 1.2e9 and forced.world.reserve_budget[us] == 4.0e9
    assert own.world.subsidy[us] == 25.0 and forced.world.subsidy[us] == 20.0


def test_slider_labels_give_unit_and_current_value(app):
    """Mesa's sidebar shows a slider's label only: the label carries the unit and the value."""
    labels = {name: p.label for name, p in app.model_params.items() if isinstance(p, app.Slider)}
    assert labels == {"vault_budget_bn": "Project Vault budget (USD bn): 1.2",
                      "rated_order_share": "DPAS-rated share of US orders (0-1): 0.50",
                      "pool_share": "Club's pooled share (0-1): 0.10",
                      "us_subsidy_usd_per_kg": "US production subsidy (USD/kg): 9",
                      "months": "Horizon (months): 120", "seed": "Seed: 0"}
    slider = app.model_params["vault_budget_bn"]
    slider.value.set(2.3000000000000003)   # as the slider sets it, steps of 0.1 in binary
    try:
        assert slider.label == "Project Vault budget (USD bn): 2.3" and slider.get("value") == 2.3000000000000003
    finally:
        slider.value.set(app.DEFAULTS["vault_budget_bn"])


def test_slider_defaults_are_the_baseline_values(app):
    from sim.config.compose import compose_config

    base = compose_config("rhythm_embedded")
    assert app.DEFAULTS == {"vault_budget_bn": base.us.vault_budget_usd / 1e9,
                            "rated_order_share": base.us.rated_order_share, "pool_share": base.club.pool_share,
                            "us_subsidy_usd_per_kg": base.world.countries["US"].production_subsidy_usd_per_kg}
    for name, value in app.DEFAULTS.items():
        slider = app.model_params[name]
        assert slider.min <= value <= slider.max


def _chromium() -> str:
    """Path of a Chromium binary, or skip saying how to get one."""
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (uv sync installs the dev group)")
    found = [os.environ.get("CHROMIUM", "")] + [shutil.which("chromium") or ""] + list(CHROMIUM_PATHS)
    for path in found:
        if path and os.access(path, os.X_OK):
            return path
    pytest.skip("no Chromium found: install Debian's 'chromium' (apt-get install -y chromium, as .ci/run does) "
                "or set CHROMIUM=/path/to/chromium; the page test needs a real browser")


def _drawn_fraction(png: bytes) -> float:
    """Share of an image's pixels that are not (near) white: a drawn plot, not an empty box."""
    import io

    import matplotlib.image as mpimg

    pixels = mpimg.imread(io.BytesIO(png), format="png")[..., :3]
    return float((pixels.min(axis=2) < 0.9).mean())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chromium() -> str:
    return _chromium()


@pytest.fixture
def server(chromium, tmp_path):
    """A fresh Solara server of sim/runs/app.py on loopback (the module-level model is per server)."""
    solara = Path(sys.executable).with_name("solara")
    if not solara.exists():
        pytest.skip("the solara command is not installed (mesa[viz])")
    port = _free_port()
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false"}
    log = (tmp_path / "solara.log").open("w")
    proc = subprocess.Popen([str(solara), "run", "sim/runs/app.py", "--host", "127.0.0.1", "--port", str(port),
                             "--production", "--no-open"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(f"solara server did not start: {(tmp_path / 'solara.log').read_text()[-2000:]}")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.mark.browser
@pytest.mark.slow
def test_page_steps_and_draws_the_lag_plot(app, chromium, server, tmp_path):
    """Load the page, see each slider's unit and value, press STEP, and see the lag plot draw
    month 1; then a moved slider, reset to collision with the sliders applied."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"], headless=True)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(server, timeout=120_000)
            page.get_by_text("STEP").first.wait_for(timeout=120_000)   # the app has rendered
            page.get_by_text("no month run yet; press STEP").wait_for(timeout=60_000)
            for name, param in app.model_params.items():   # unit and current value in each slider's label
                if isinstance(param, app.Slider):
                    assert page.get_by_text(param.label, exact=True).is_visible(), param.label
            tracks = [page.locator(".v-input__slider .v-slider").nth(i).bounding_box()["width"]
                      for i in range(page.locator(".v-input__slider .v-slider").count())]
            assert len(tracks) >= 6 and min(tracks) > 150, tracks   # long labels do not squeeze the tracks
            step = page.get_by_role("button", name="Step")
            lag_img = page.locator("xpath=//*[text()='Delivery lag']/ancestor::div[.//img][1]//img").first
            step.click()
            page.get_by_text("Rhythm embedded (baseline): month 1 of 120 (2026-01)").wait_for(timeout=60_000)
            first_src = lag_img.get_attribute("src")
            for month in range(2, 7):
                step.click()
                page.get_by_text(f"month {month} of 120").wait_for(timeout=60_000)
            assert lag_img.get_attribute("src") != first_src   # redrawn with the new months
            assert _drawn_fraction(lag_img.screenshot()) > 0.02
            # the upgrade panel: a drawn plot, or one line saying the model has no such series
            page.get_by_text("Generations behind China's frontier", exact=True).wait_for(timeout=30_000)
            if not page.get_by_text(app.NO_UPGRADES, exact=True).count():
                upgrade_img = page.locator("xpath=//*[text()=\"Generations behind China's frontier\"]"
                                           "/ancestor::div[.//img][1]//img").first
                assert _drawn_fraction(upgrade_img.screenshot()) > 0.02
            shot = tmp_path / "app_page.png"
            page.screenshot(path=str(shot), full_page=True)
            # another scenario: choose it, Reset builds the model, STEP runs its first month
            page.get_by_text("rhythm_embedded", exact=True).click()
            page.get_by_role("option", name="collision").click()
            page.get_by_role("button", name="Reset").click()
            page.get_by_text("Collision: no month run yet; press STEP").wait_for(timeout=60_000)
            step.click()
            page.get_by_text("Collision: month 1 of 120 (2026-01)").wait_for(timeout=60_000)
            # move a slider one step: its label follows; with the sliders ticked, Reset applies it
            vault = page.get_by_role("slider", name=re.compile(r"^Project Vault budget"))
            vault.focus()
            page.keyboard.press("ArrowRight")
            page.get_by_text("Project Vault budget (USD bn): 1.3", exact=True).wait_for(timeout=30_000)
            page.get_by_text("Use the lever sliders").click()
            page.get_by_role("button", name="Reset").click()
            page.get_by_text("Project Vault budget: USD 1.30 bn").wait_for(timeout=60_000)
        finally:
            browser.close()
    assert shot.stat().st_size > 20_000   # a drawn page, not a blank one
    artifacts = os.environ.get("RHYTHM_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(artifacts) / "app_page.png")


def test_no_browser_means_a_skip_that_says_why(monkeypatch):
    me = sys.modules[__name__]
    monkeypatch.setattr(me, "CHROMIUM_PATHS", ())
    monkeypatch.setattr(me.shutil, "which", lambda name: None)
    monkeypatch.delenv("CHROMIUM", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Chromium found: install Debian's 'chromium'"):
        me._chromium()

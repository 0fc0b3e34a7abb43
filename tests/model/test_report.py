"""The one-page decision report (issue 13): sentence, embedded figures, every assumption, no
network, A4 print, Markdown variant."""

from __future__ import annotations

import base64
import dataclasses
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape  # the escaping the page uses (Jinja2 autoescape)

from ftroi_helpers.cost_model import Scenario, simulate
from ftroi_helpers.report import build_report, render_html, write_report
from ftroi_helpers.rules_of_thumb import decision_tree
from ftroi_helpers.scenario_file import example_scenario_file, from_dict
from ftroi_helpers.sensitivity import ASSUMPTION_LABELS, monte_carlo, share_text
from ftroi_helpers.sensitivity_plots import payback_sentence

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"


class _Page(HTMLParser):
    """Every tag's attributes, and the visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> _Page:
    p = _Page()
    p.feed(page)
    return p


@pytest.fixture(scope="module")
def example():
    return example_scenario_file()


@pytest.fixture(scope="module")
def page(example, tmp_path_factory):
    path = write_report(example, tmp_path_factory.mktemp("r") / "decision.html")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def markdown(example, tmp_path_factory):
    return write_report(example, tmp_path_factory.mktemp("r") / "decision.md").read_text(
        encoding="utf-8")


def test_the_page_states_the_decision_in_one_sentence(example, page):
    s = example.scenario
    # the parts, each recomputed with the workbook's own functions
    payback = payback_sentence(s, simulate(s))[0]
    tree = decision_tree(**example.tree_answers())
    ranges = example.ranges
    mc = monte_carlo(s, ranges, n_draws=10_000, seed=0, within_months=3,
                     distribution=example.settings()["distribution"])
    text = " ".join(parse(page).text)
    sentence = re.search(r"Run the eval before deciding: [^<]*?answer it\.", text)
    assert sentence, "the example has no eval yet: the sentence says to run it first"
    assert payback[1:] in sentence.group(0)
    assert (f"payback within 3 months in {share_text(mc.p_payback_within)} and within 12 "
            f"months in {share_text(mc.p_payback_within_horizon)} of 10,000 draws"
            in sentence.group(0))
    assert tree.recommendation == "run the eval first"


def test_the_figures_are_embedded_pngs_with_alt_text(page):
    images = [a for tag, a in parse(page).tags if tag == "img"]
    assert len(images) == 3
    for img in images:
        src = img["src"]
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == PNG
        assert img["alt"] and len(img["alt"]) > 40
    alts = " ".join(img["alt"] for img in images)
    assert "payback" in alts and "Tornado" in alts and "random draws" in alts


def test_nothing_is_fetched_to_view_the_page(page):
    tags = parse(page).tags
    for tag, attrs in tags:
        assert tag not in ("script", "link", "iframe", "object", "embed"), tag
        for name in ("src", "srcset", "data", "poster"):
            value = attrs.get(name) or ""
            assert not re.match(r"\s*(https?:)?//", value), (tag, name, value)
        if "href" in attrs:
            assert tag == "a", f"only plain citation links may point elsewhere, not <{tag}>"
    assert "@import" not in page and "url(" not in page


def test_every_assumption_appears_with_a_source_and_a_date(example, page):
    rows = re.findall(r"<tr><td>(.*?)</td><td class=\"num\">(.*?)</td><td class=\"num\">.*?</td>"
                      r"<td>(.*?)</td><td class=\"num\">(.*?)</td></tr>", page)
    labels = [r[0] for r in rows]
    for f in dataclasses.fields(Scenario):
        label = ASSUMPTION_LABELS.get(f.name, f.name.replace("_", " "))
        assert any(escape(label) in lab for lab in labels), label
    for question in range(1, 6):  # the decision-tree answers are assumptions too
        assert any(f"question {question}" in lab for lab in labels), question
    for _label, value, source, as_of in rows:
        assert value and source
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}|undated", as_of), as_of
    for entry in example.sources.values():
        assert escape(entry["source"]) in page


def test_the_path_through_the_tree_and_the_caveats_are_there(example, page):
    tree = decision_tree(**example.tree_answers())
    for step in tree.path:
        assert escape(step) in page
    assert 'id="caveats"' in page
    for caveat in example.caveats:
        assert escape(caveat) in page


def test_the_page_has_a4_print_css(page):
    assert re.search(r"@page\s*{\s*size:\s*A4", page)
    assert "@media print" in page


def test_the_markdown_variant_has_the_same_content_and_no_dollar_signs(page, markdown):
    assert markdown.startswith("# ")
    assert markdown.count("](data:image/png;base64,") == 3
    assert "$" not in markdown, "money is written USD 1,234 in Markdown"
    assert "**Run the eval before deciding:" in markdown
    assert "| assumption | value | range | source | as of |" in markdown
    assert "USD 400 one-time cost" in markdown


def test_a_file_with_tokens_reports_them(tmp_path):
    sf = from_dict({"workload": {"requests_per_month": 200_000, "system_prompt_tokens": 300,
                                 "few_shot_tokens": 1200, "input_tokens": 500,
                                 "output_tokens": 1000, "tokens_model": "gpt-4o"},
                    "prices": {"hosted_model": "gpt-4o-2024-08-06"}})
    page = render_html(build_report(sf))
    # 300 + 1,200 + 500 = 2,000 input tokens with the examples, 800 without
    assert "2,000 (exact, counted for gpt-4o)" in page
    assert ">800<" in page
    assert "tokens × per-token prices" in page


def test_a_scenario_that_never_pays_back_says_keep_prompting():
    r = build_report(Scenario(hosted_cost_per_1k_req=2.0))
    assert r.sentence.startswith("Keep prompting:") or r.sentence.startswith("Run the eval")
    assert "does not pay back" in r.sentence


def test_an_estimated_token_count_is_a_caveat():
    sf = from_dict({"workload": {"input_tokens": 100, "output_tokens": 10,
                                 "tokens_exact": False}})
    assert any("estimates" in c for c in build_report(sf).caveats)


def test_a_value_outside_its_range_is_a_caveat():
    sf = from_dict({"one_time": {"training_usd": 50.0}, "ranges": {"training_usd": [4, 40]}})
    assert any("outside its range" in c for c in build_report(sf).caveats)


def test_write_report_refuses_other_suffixes(tmp_path, example):
    with pytest.raises(ValueError, match="must end in .html or .md"):
        write_report(example, tmp_path / "d.pdf")
    with pytest.raises(TypeError, match="source must be"):
        write_report(42, tmp_path / "d.html")


def test_the_report_benchmark_script_runs():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "decision.py"), "--quick"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    for what in ("count_tokens o200k_base", "count_tokens cl100k_base",
                 "ftroi report -o decision.html", "ftroi report -o decision.md"):
        assert what in done.stdout


def _worksheet_like(tmp_path: Path) -> str:
    """A scenario file as lesson 07 builds it: prompt, tokens, prices, costs, ranges, answers."""
    from ftroi_helpers import calculators
    from ftroi_helpers.scenario_file import update

    path = tmp_path / "my.toml"
    calculators.prompt_cost(price_row="gpt-4o-2024-08-06").use_file(path)
    update(path, title="A title long enough to take two lines of the page's heading, as real "
           "ones do", prices={"finetuned_model": "gpt-4o-mini-2024-07-18"}, data_prep_usd=500,
           eval_harness_usd=200, monitoring_usd_per_month=20, retrain_every_months=6,
           ranges={"requests_per_month": [100_000, 300_000], "data_prep_usd": [250, 1_500],
                   "eval_harness_usd": [100, 500], "monitoring_usd_per_month": [0, 60],
                   "hosted_price_decline_per_year": [0.0, 0.3]},
           sources={"data_prep_usd": {"source": "my estimate", "as_of": "2026-06-01"}},
           caveats=["The volume is this year's; next year's may differ."])
    calculators.decision_tree(labeled_examples=1_000, quality_gap_pct=8).use_file(path)
    return render_html(build_report(path))


@pytest.mark.browser
@pytest.mark.parametrize("which", ["the example", "a worksheet's file"])
def test_the_page_prints_on_at_most_two_a4_pages(page, tmp_path, which):
    if which != "the example":
        page = _worksheet_like(tmp_path)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing: CI must run the browser tests")
        pytest.skip("chromium is not installed (make browser-deps)")
    html_path = tmp_path / "decision.html"
    html_path.write_text(page, encoding="utf-8")
    pdf = tmp_path / "decision.pdf"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--no-first-run", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", html_path.as_uri()],
                   capture_output=True, timeout=120, check=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))
    assert 1 <= pages <= 2, pages


def test_text_from_a_scenario_file_is_escaped_in_the_page_and_links_stay_links(example):
    import dataclasses

    from ftroi_helpers.report import build_report, render_html, render_markdown

    hostile = "<script>alert(1)</script> & see https://example.com/a?b=1&c=2 today"
    report = dataclasses.replace(build_report(example), title="<b>Mine</b>",
                                 caveats=[hostile])
    page = render_html(report)
    assert "<script>" not in page and "<b>Mine</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; see " in page
    assert '<a href="https://example.com/a?b=1&amp;c=2">https://example.com/a?b=1&amp;c=2</a>' in page
    text = render_markdown(report)
    assert text.startswith("# <b>Mine</b>\n") and f"- {hostile}" in text

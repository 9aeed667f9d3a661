"""Accessibility of every page: axe-core in Debian's chromium over the whole route list, for every
role, at 1280 px and at 375 px; no sideways scrolling on a phone; a visible focus ring.

The route list is app.url_map itself: a GET route that is neither scanned (PAGES) nor declared as
something other than a page (NOT_PAGES) fails `test_every_get_route_is_scanned`. Ids come from the
demo plus a few objects the demo lacks (a draft with problems, a report with a file, jobs).
A summary of each scan goes to test-artifacts/browser/axe-<role>-<width>.json.
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.browser.conftest import Session, demo_app, serve
from tests.npm_install import npm_ci_once

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Passing SelectField choices:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Object of type <Measure> not in session:sqlalchemy.exc.SAWarning"),
]

AXE_DIR = Path(__file__).parent / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

ROLES = {
    "anonymous": None,
    "admin": "admin",
    "coordinator": "coordinator",
    "observer": "observer",
    "executor": "school1",
}
WIDTHS = {
    1280: {"viewport": {"width": 1280, "height": 800}},
    375: {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True},
}

# GET routes that answer with something other than an HTML page: by rule prefix, then by endpoint.
NOT_PAGE_PREFIXES = {"/api/v1/": "the JSON API (its reference, /api/v1/docs, is a page and scanned)"}
NOT_PAGES = {
    "static": "static files",
    "ops.healthz": "JSON probe",
    "ops.readyz": "JSON probe",
    "ops.job": "JSON status of a job (its page is ops.progress)",
    "ops.download": "a job's file",
    "feeds.feed": "iCalendar feed",
    "tasks.attachment": "an attached file",
    "reports.my_export": "XLSX/DOCX/CSV download",
    "reports.roadmap_export_view": "XLSX/DOCX/CSV download",
    "plans.example": "example document download",
    "region.download": "the region's XLSX/DOCX download",
}


@dataclass
class Ids:
    """Ids of real objects for the parameterised routes."""

    published: int = 0
    draft: int = 0
    tasks: list[int] = field(default_factory=list)  # the executor's, one of each state
    task_states: dict[str, int] = field(default_factory=dict)
    proposals: list[int] = field(default_factory=list)  # one of each status
    own_dates_measure: int = 0
    organization: int = 0
    municipality: int = 0  # the executor's organization's
    user: int = 0
    jobs: list[str] = field(default_factory=list)  # a finished and a failed one, the coordinator's


def _pages(ids: Ids) -> dict[str, list[str]]:
    """Endpoint → the paths to scan (several where a page looks different by state)."""
    roadmaps = [ids.published, ids.draft]
    return {
        "auth.login": ["/login"],
        "main.index": ["/"],
        "auth.change_password": ["/account/password"],
        "account.reminders": ["/account/reminders"],
        "account.api_tokens": ["/account/api-tokens"],
        "api_docs.reference": ["/api/v1/docs"],
        "admin.audit_log": ["/admin/audit"],
        "admin.organizations": ["/admin/organizations"],
        "admin.organization_edit": ["/admin/organizations/new", f"/admin/organizations/{ids.organization}/edit"],
        "admin.organizations_import": ["/admin/organizations/import"],
        "contingent.mine": ["/contingent/"],
        "contingent.edit": [f"/contingent/{ids.organization}"],
        "admin.users": ["/admin/users", "/admin/users?page=2"],
        "admin.user_edit": ["/admin/users/new", f"/admin/users/{ids.user}/edit"],
        "feeds.subscriptions": ["/feeds/"],
        "ops.progress": [f"/jobs/{job}/progress" for job in ids.jobs],
        "tasks.notices": ["/notices"],
        "proposals.index": ["/proposals/"],
        "cascade.index": ["/cascade/"],
        "proposals.show": [f"/proposals/{proposal}" for proposal in ids.proposals],
        "proposals.measure": [f"/proposals/measure/{ids.own_dates_measure}"],
        "reports.my_reports": ["/reports/my"],
        "tasks.review_queue": ["/review"],
        "plans.index": ["/roadmaps/"],
        "plans.import_roadmap": ["/roadmaps/import"],
        "plans.show": [f"/roadmaps/{r}" for r in roadmaps],
        "plans.matrix": [f"/roadmaps/{ids.published}/matrix"],
        "region.summary": [
            f"/roadmaps/{ids.published}/municipalities",
            f"/roadmaps/{ids.published}/municipalities?order=coverage",
        ],
        "region.municipality": [f"/roadmaps/{ids.published}/municipalities/{ids.municipality}"],
        "plans.reimport": [f"/roadmaps/{ids.draft}/reimport"],
        "reports.roadmap_report": [f"/roadmaps/{ids.published}/report"],
        "analysis.conclusions": [f"/roadmaps/{ids.published}/report/conclusions"],
        "analysis.order": [f"/roadmaps/{ids.published}/report/order"],
        "plans.review": [f"/roadmaps/{r}/review" for r in roadmaps] + [f"/roadmaps/{ids.draft}/review?problems=1"],
        "tasks.my": ["/tasks"],
        "tasks.show": [f"/tasks/{task}" for task in ids.tasks],
    }


def _draft_docx(year: int) -> bytes:
    """A small Word roadmap with a deadline nobody can parse and a responsible body nobody knows."""
    from docx import Document

    document = Document()
    document.add_paragraph(f"План мероприятий по профориентации (черновик) на {year} год")
    rows = [
        ["№ п/п", "Мероприятие", "Сроки исполнения", "Ответственный"],
        ["1. Методическая работа", "", "", ""],
        ["1.1", "Семинар для ответственных за профориентацию", "сентябрь, ежегодно", "МКУ КНМЦ"],
        ["1.2", "Совещание с партнёрами по профориентации", "когда получится", "ООО Ромашка"],
        ["1.3", "Родительские собрания", "по плану ОО", "ОО"],
    ]
    table = document.add_table(rows=len(rows), cols=4)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    table.cell(1, 0).merge(table.cell(1, 3))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _prepare(ids: Ids):
    """What the demo lacks, added before the server starts; fills `ids`."""

    def prepare() -> None:
        from roadmap.accounts.api_tokens import create_api_token
        from roadmap.accounts.service import create_user
        from roadmap.clock import today_in
        from roadmap.extensions import db
        from roadmap.feeds.service import create_subscription
        from roadmap.importers import read_document
        from roadmap.jobs import enqueue
        from roadmap.models import DateProposal, Organization, ProposalStatus, Roadmap, RoadmapStatus, Role, Task, User
        from roadmap.plans.service import create_roadmap
        from roadmap.tasks.workflow import ReportInput, UploadedFile, mark_not_applicable, submit_report

        today = today_in()
        coordinator = db.session.scalar(select(User).where(User.login == "coordinator"))
        executor = db.session.scalar(select(User).where(User.login == ROLES["executor"]))
        published = db.session.scalar(select(Roadmap).where(Roadmap.status == RoadmapStatus.PUBLISHED))
        draft = create_roadmap(
            read_document(_draft_docx(today.year), "черновик.docx"), user=coordinator, filename="черновик.docx"
        )
        db.session.flush()
        tasks = db.session.scalars(
            select(Task).where(Task.organization_id == executor.organization_id).order_by(Task.due_on, Task.id)
        ).all()
        planned = [t for t in tasks if t.status == "planned"]
        overdue = [t for t in planned if t.due_effective_on < today]
        later = [t for t in planned if t.due_effective_on >= today]
        # A report with a file and a link on an overdue task; a claim "not applicable"; a cancelled task.
        submit_report(
            overdue[-1],
            executor,
            ReportInput(
                held_on=overdue[-1].due_on,
                comment="Проведено, справка во вложении.",
                links="https://example.org/news/1",
                files=[UploadedFile("справка.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")],
            ),
        )
        mark_not_applicable(later[-1], executor, "В школе нет 11 классов.")
        later[-2].is_cancelled, later[-2].cancel_reason = True, "мероприятие исключено из дорожной карты"
        db.session.flush()
        by_state: dict[str, int] = {}
        for task in tasks:
            state = "cancelled" if task.is_cancelled else str(task.status)
            if task.status == "planned" and not task.is_cancelled:
                state += "-overdue" if task.due_effective_on < today else "-later"
            by_state.setdefault(state, task.id)
        by_state["with-file"] = overdue[-1].id
        ids.tasks = sorted(set(by_state.values()))
        ids.task_states = by_state
        proposals = db.session.scalars(select(DateProposal).order_by(DateProposal.id)).all()
        seen: dict[ProposalStatus, int] = {}
        for proposal in proposals:
            seen.setdefault(proposal.status, proposal.id)
        ids.proposals = sorted(seen.values())
        ids.own_dates_measure = proposals[0].measure_id
        ids.published, ids.draft = published.id, draft.id
        ids.organization = executor.organization_id
        ids.municipality = executor.organization.municipality_id
        ids.user = executor.id
        assert db.session.get(Organization, ids.organization) is not None
        # enough accounts for the user list to have a second page (a pager to scan and to tab through)
        for number in range(1, 11):
            create_user(
                login=f"teacher{number}",
                full_name=f"Учитель {number}",
                password="demo2026-teacher",
                role=Role.EXECUTOR,
                organization=executor.organization,
            )
        create_api_token(coordinator, "Сводная таблица центра", read_only=True)
        create_api_token(executor, "Школьный сайт", read_only=True)
        create_subscription(executor, name="Телефон")
        create_subscription(coordinator, name="Рабочий календарь")
        db.session.commit()
        ids.jobs = [
            enqueue("roadmap.jobs.tasks.pause", 0, user_id=coordinator.id, description="Пауза для проверки"),
            enqueue("roadmap.jobs.tasks.generate_roadmap_tasks", 10**9, coordinator.id, user_id=coordinator.id),
        ]

    return prepare


def _submit(form: str, **fields: str):
    def act(page) -> None:
        for selector, value in fields.items():
            page.locator(f"{form} #{selector}").fill(value)
        page.locator(f"{form} [type=submit]").last.click()

    return act


def _refused_forms(ids: Ids) -> dict[str, list[tuple[str, str, object]]]:
    """Pages as they come back with a refused form (messages at the fields): role → (name, path, action)."""
    task = ids.task_states["planned-later"]
    return {
        "anonymous": [("/login (wrong password)", "/login", _submit("main form", login="nobody", password="wrong"))],
        "executor": [
            (
                f"/tasks/{task} (report refused)",
                f"/tasks/{task}",
                _submit('form[action$="/submit"]', coverage_total="-4"),
            )
        ],
        "coordinator": [("/roadmaps/import (no file)", "/roadmaps/import", _submit("main form"))],
        "admin": [("/admin/users/new (empty)", "/admin/users/new", _submit("main form"))],
    }


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed (pinned, package-lock.json) into tests/browser/axe on first use."""
    assert npm_ci_once(AXE_DIR), "npm is needed for the accessibility scan: apt-get install npm"
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def scan_server(chromium_path, tmp_path_factory):
    """A server of its own (the other browser tests change the demo): the demo and the extra objects."""
    ids = Ids()
    app = demo_app(tmp_path_factory.mktemp("a11y-instance"), prepare=_prepare(ids))
    with serve(app) as live:
        live.ids = ids
        yield live


@pytest.fixture(scope="session")
def scan_logins() -> dict:
    """Cookies of each login on the scan server (the other server's would not work here)."""
    return {}


def test_every_get_route_is_scanned(scan_server):
    pages = _pages(scan_server.ids)
    missing = []
    for rule in scan_server.app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        if rule.endpoint not in pages and any(rule.rule.startswith(prefix) for prefix in NOT_PAGE_PREFIXES):
            continue
        paths = pages.get(rule.endpoint)
        if not paths:
            missing.append(f"{rule.rule} ({rule.endpoint})")
    assert not missing, f"GET routes that the accessibility scan does not open: {missing}"
    assert not set(pages) & set(NOT_PAGES)
    assert len(scan_server.ids.tasks) >= 4, scan_server.ids.tasks  # several task states
    assert len(scan_server.ids.proposals) >= 3 and len(scan_server.ids.jobs) == 2


AXE_RUN = """async ([context, blocking]) => {
    const result = await axe.run(context || document, {resultTypes: ["violations"]});
    const found = [];
    for (const rule of result.violations) {
        const nodes = rule.nodes.filter((node) => blocking.includes(node.impact));
        if (nodes.length) {
            found.push({
                rule: rule.id,
                impact: rule.impact,
                help: rule.help,
                nodes: nodes.map((node) => ({
                    target: node.target.join(" "),
                    html: node.html.slice(0, 160),
                    summary: (node.failureSummary || "").replace(/\\s+/g, " ").slice(0, 300),
                })),
            });
        }
    }
    return found;
}"""

# A field marked invalid says so to a screen reader, and its message is part of its description.
UNLINKED_ERRORS = """() => [...document.querySelectorAll("main .is-invalid")].filter((el) => {
    const described = (el.getAttribute("aria-describedby") || "").split(" ").map((id) => document.getElementById(id));
    return el.getAttribute("aria-invalid") !== "true" || !described.some((d) => d && d.querySelector(".invalid-feedback"));
}).map((el) => el.outerHTML.slice(0, 120))"""
OPEN_DETAILS = "() => document.querySelectorAll('details').forEach((d) => { d.open = true; })"
# innerWidth alone is not enough: a mobile browser widens the layout to fit what overflows.
OVERFLOW = """(width) => {
    const wide = [];
    for (const el of document.body.querySelectorAll("*")) {
        const box = el.getBoundingClientRect();
        if (box.right > width + 1 && box.width > 0 && ![...el.children].some((c) => c.getBoundingClientRect().right > width + 1)) {
            wide.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")} (right ${Math.round(box.right)}): ${el.outerHTML.slice(0, 120)}`);
        }
    }
    return [document.scrollingElement.scrollWidth, window.innerWidth, document.documentElement.clientWidth, wide.slice(0, 3)];
}"""


class Scan:
    """What one role saw at one width: violations grouped by rule and node, with the pages."""

    def __init__(self, role: str, width: int):
        self.role, self.width = role, width
        self.found: dict[tuple[str, ...], list[str]] = {}
        self.overflow: list[str] = []
        self.by_rule: dict[str, int] = {}
        self.pages: list[str] = []

    def check(self, page, where: str, context: str | None = None) -> None:
        for rule in page.evaluate(AXE_RUN, [context, list(BLOCKING)]):
            self.by_rule[rule["rule"]] = self.by_rule.get(rule["rule"], 0) + len(rule["nodes"])
            for node in rule["nodes"]:
                key = (rule["rule"], rule["impact"], node["target"], node["html"], node["summary"])
                self.found.setdefault(key, []).append(where)

    def problems(self) -> list[str]:
        lines = []
        for (rule, impact, target, html, summary), pages in self.found.items():
            shown = ", ".join(pages[:3]) + (f" and {len(pages) - 3} more pages" if len(pages) > 3 else "")
            lines.append(f"[{self.role}, {self.width}px] {rule} ({impact}) on {shown}: {target} — {html} — {summary}")
        lines += [f"[{self.role}, {self.width}px] horizontal overflow: {item}" for item in self.overflow]
        return lines

    def report(self, artifacts: Path) -> None:
        summary = {"pages": self.pages, "by_rule": self.by_rule, "problems": self.problems()}
        path = artifacts / f"axe-{self.role}-{self.width}.json"
        path.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_has_no_serious_axe_violation(browser, scan_server, scan_logins, axe_source, artifacts, role, width):
    session = Session(browser, scan_server, artifacts, scan_logins, reduced_motion="reduce", **WIDTHS[width])
    session.context.add_init_script(script=axe_source)
    page = session.page
    if ROLES[role]:
        session.login(ROLES[role])
    scan = Scan(role, width)
    seen_final: set[str] = set()
    error_pages: set[int] = set()
    paths = [path for paths in _pages(scan_server.ids).values() for path in paths] + ["/no-such-page"]
    try:
        for path in paths:
            # a cheap request first: a page this role is refused or redirected from, when that answer
            # was scanned already, need not be rendered again
            probe = session.context.request.get(path, max_redirects=0)
            if probe.status in (301, 302, 303) and urlsplit(probe.headers.get("location", "")).path in seen_final:
                continue
            if 400 <= probe.status < 500 and probe.status in error_pages:
                continue
            response = page.goto(path)
            status = response.status if response else 0
            final = page.url.removeprefix(scan_server)
            if status >= 400:
                if status in error_pages:
                    continue  # the same error page again
                error_pages.add(status)
            elif final != path:
                final_path = final.split("?")[0]
                if final_path in seen_final:
                    continue  # redirected to a page already scanned (the login page for the anonymous)
                seen_final.add(final_path)
            else:
                seen_final.add(path.split("?")[0])
            where = path if final == path else f"{path} → {final} ({status})"
            started = time.monotonic()
            if width == 375:
                scroll, inner, client, wide = page.evaluate(OVERFLOW, width)
                if scroll > min(inner, client, width):
                    scan.overflow.append(f"{where}: {scroll}px wide in {min(inner, client, width)}px; {wide}")
                    session.shot(f"a11y-overflow-{role}{path.replace('/', '-').replace('?', '-')}")
            page.evaluate(OPEN_DETAILS)
            scan.check(page, where)
            scan.pages.append(f"{where} ({time.monotonic() - started:.2f} s)")
        for where, path, action in _refused_forms(scan_server.ids).get(role, []):
            page.goto(path)
            action(page)
            page.wait_for_load_state()
            refused = page.locator(".invalid-feedback, .alert-danger")
            assert refused.count(), f"{where}: the form was not refused, nothing to scan"
            unlinked = page.evaluate(UNLINKED_ERRORS)
            assert not unlinked, f"{where}: fields marked invalid without aria-invalid and their message: {unlinked}"
            page.evaluate(OPEN_DETAILS)
            scan.check(page, where)
            scan.pages.append(where)
        if ROLES[role]:
            # the menus, opened: the collapsed navigation on a phone, the user's menu everywhere
            page.goto("/")
            nav = page.get_by_role("navigation", name="Главное меню")
            if width == 375:
                nav.locator(".navbar-toggler").click()
                nav.locator(".navbar-collapse.show").wait_for()
            nav.locator(".dropdown-toggle").click()
            nav.locator(".dropdown-menu.show").wait_for()
            scan.check(page, "/ (menus open)", "nav")
    finally:
        scan.report(artifacts)
        session.close()
    problems = scan.problems()
    assert not problems, f"{len(problems)} accessibility problems ({scan.by_rule}):\n" + "\n".join(problems)


FOCUS_SNAPSHOT = """() => {
    window.__signature = (el) => {
        const s = getComputedStyle(el);
        return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.outlineOffset, s.boxShadow].join("|");
    };
    for (const el of document.querySelectorAll("*")) el.style.transition = "none";
}"""


# Each focusable element in turn, focused after a keyboard Tab (so that :focus-visible applies as
# for a keyboard user): does its ring differ from the unfocused look, and stand out (3:1) against the
# colour it is drawn on (the parent's background; its own for a ring drawn inside)?
FOCUS_CHECK = """() => {
    const parse = (c) => {
        const m = c.match(/rgba?\\(([^)]+)\\)/);
        if (!m) return null;
        const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
        return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    };
    const blend = (top, base) => [0, 1, 2].map((i) => top[i] * top[3] + base[i] * (1 - top[3]));
    const background = (start) => {
        const layers = [];
        for (let n = start; n; n = n.parentElement) {
            const c = parse(getComputedStyle(n).backgroundColor);
            if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
        }
        let base = [255, 255, 255];
        for (const c of layers.reverse()) base = blend(c, base);
        return base;
    };
    const lum = (rgb) => {
        const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * f(rgb[0]) + 0.7152 * f(rgb[1]) + 0.0722 * f(rgb[2]);
    };
    const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';
    const results = [];
    for (const el of document.querySelectorAll(selector)) {
        if (el.disabled || el.tabIndex < 0 || !el.getClientRects().length || getComputedStyle(el).visibility === "hidden") continue;
        if (document.activeElement === el) el.blur();
        const before = window.__signature(el);
        el.focus({preventScroll: true});
        if (document.activeElement !== el) continue;  // not focusable after all (e.g. inside a closed menu)
        const s = getComputedStyle(el);
        const behind = background(parseFloat(s.outlineOffset) < 0 ? el : el.parentElement);
        let best = 0;
        if (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) {
            const c = parse(s.outlineColor);
            if (c) best = contrast(blend(c, behind), behind);
        }
        const shadow = s.boxShadow !== "none" ? parse(s.boxShadow) : null;
        if (shadow) best = Math.max(best, contrast(blend(shadow, behind), behind));
        const changed = window.__signature(el) !== before;
        const kind = el.tagName.toLowerCase() + [...el.classList].filter((c) => !/^(m[setbxy]?|p[setbxy]?)-/.test(c)).map((c) => "." + c).join("");
        results.push({kind, ok: changed && best >= 3 && el.matches(":focus-visible"), contrast: Math.round(best * 100) / 100,
                      changed, visible: el.matches(":focus-visible"), html: el.outerHTML.slice(0, 140)});
    }
    return results;
}"""


def _focus_pages(ids: Ids) -> dict[str, list[str]]:
    task = ids.tasks[0]
    return {
        "anonymous": ["/login"],
        "coordinator": [
            "/roadmaps/",
            f"/roadmaps/{ids.published}",
            f"/roadmaps/{ids.draft}/review",
            "/review",
            f"/roadmaps/{ids.published}/municipalities",
        ],
        "executor": ["/tasks", f"/tasks/{task}", "/feeds/"],
        "admin": ["/admin/users", f"/admin/users/{ids.user}/edit", "/admin/users?page=2"],
    }


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_interactive_element_shows_a_visible_focus_ring(browser, scan_server, scan_logins, artifacts, width):
    """Pages with navbar links, the user menu, buttons, fields, checkboxes, summaries and page links:
    every focusable element, focused in keyboard mode, shows a ring that changes its look and reaches
    3:1 against what is around it."""
    failures: dict[str, str] = {}
    stops = 0
    kinds: set[str] = set()
    for role, paths in _focus_pages(scan_server.ids).items():
        login = ROLES[role]
        session = Session(browser, scan_server, artifacts, scan_logins, reduced_motion="reduce", **WIDTHS[width])
        page = session.page
        try:
            if login:
                session.login(login)
            for number, path in enumerate(paths):
                page.goto(path)
                if width == 375 and login:
                    # the collapsed menu, opened by keyboard like everything else below
                    page.locator(".navbar-toggler").focus()
                    page.keyboard.press("Enter")
                    page.locator(".navbar-collapse.show").wait_for()
                page.evaluate(OPEN_DETAILS)
                page.evaluate(FOCUS_SNAPSHOT)
                if login and number == 0:
                    # the user's menu, opened from the keyboard, so that its items are checked too
                    page.locator(".navbar .dropdown-toggle").focus()
                    page.keyboard.press("Enter")
                    page.locator(".dropdown-menu.show").wait_for()
                page.keyboard.press("Tab")  # keyboard use: from now on focus is shown as for the keyboard
                for result in page.evaluate(FOCUS_CHECK):
                    stops += 1
                    kinds.add(result["kind"])
                    if not result["ok"] and result["kind"] not in failures:
                        failures[result["kind"]] = f"{path} [{role}, {width}px]: {result}"
        finally:
            session.close()
    assert stops > 100, f"only {stops} focusable elements were checked"
    expected = [
        "a.nav-link",
        "a.dropdown-item",
        "button.dropdown-item",
        "input.form-control",
        "select.form-select",
        "textarea.form-control",
        "input.form-check-input",
        "summary",
        "a.btn",
        "button.btn",
        "a.page-link",
    ]
    missing = [kind for kind in expected if not any(seen == kind or seen.startswith(kind + ".") for seen in kinds)]
    assert not missing, f"the check never reached {missing}; it reached {sorted(kinds)}"
    assert not failures, "focus is not visible on:\n" + "\n".join(failures.values())

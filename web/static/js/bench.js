// HR's bench on the "Network health" page: bench strength for a role by site and function
// (stacked bars), the successors of each team lead and the promotion trap, in the scope the
// page's scope selector shows. Its own module beside health.js, asking /graphql alone.
import { gql } from "./api.js";
import { claims } from "./session.js";
import { failed, fill, h, loading, number, percent } from "./ui.js";

const PAGE = 10;
const CHART = { responsive: true, displayModeBar: false };
const LAYOUT = {
  barmode: "stack",
  margin: { l: 40, r: 10, t: 10, b: 70 },
  font: { family: "system-ui, sans-serif", size: 12 },
  legend: { orientation: "h", y: -0.35 },
  xaxis: { type: "category", automargin: true },
  yaxis: { title: { text: "people" }, rangemode: "tozero" },
};
const BUCKETS = [
  ["readyNow", "Ready now", "#1e7b45"],
  ["readySoon", "Ready soon", "#d08a1a"],
  ["further", "Further", "#9aa6b8"],
];

const BENCH = `query Bench($role: String!, $scope: BenchScope) {
  benchStrength(role: $role, scope: $scope) {
    role { id name }
    overall { readyNow readySoon further total }
    bySite { key readyNow readySoon further total }
    byFunction { key readyNow readySoon further total }
  }
}`;

const SUCCESSORS = `query Successors($scope: BenchScope, $offset: Int!, $first: Int!) {
  successors(scope: $scope, offset: $offset, first: $first) {
    lead { id name team { name site } }
    role { name }
    successors { readiness bucket person { id name } }
  }
}`;

const TRAP = `query Trap($scope: BenchScope, $offset: Int!, $first: Int!) {
  promotionTrap(scope: $scope, offset: $offset, first: $first) {
    person { id name team { name } }
    role { name }
    readiness
    gap { skill { key name } currentLevel requiredLevel }
    coaches { mentor { id name } explanation }
  }
}`;

// The scope the health page's selector shows (same keys as BenchScope), or the organisation.
function scope() {
  const form = document.getElementById("scope-form");
  const kind = form?.kind.value;
  const value = form?.value.value;
  return kind && value ? { [kind]: value } : null;
}

// ---------------------------------------------------------------- bench strength
function chart(id, rows) {
  const node = document.getElementById(id);
  if (!window.Plotly) return node.replaceChildren(h("p", { class: "error" }, "Charts could not load."));
  if (!rows.length) {
    window.Plotly.purge(node);
    return fill(node, h("p", { class: "empty" }, "Nobody in scope."));
  }
  for (const stale of node.querySelectorAll(":scope > p")) stale.remove();
  const keys = rows.map((r) => r.key);
  window.Plotly.react(node, BUCKETS.map(([field, name, color]) => ({
    type: "bar", name, x: keys, y: rows.map((r) => r[field]), marker: { color },
    hovertemplate: `%{x}: %{y} ${name.toLowerCase()}<extra></extra>`,
  })), LAYOUT, CHART);
}

async function loadBench() {
  const role = document.querySelector("#bench-form select[name=role]").value;
  const overall = document.getElementById("bench-overall");
  if (!role) return;
  overall.textContent = "Counting…";
  try {
    const { benchStrength: bench } = await gql(BENCH, { role, scope: scope() });
    const o = bench.overall;
    overall.textContent = `${number(o.total)} people in scope who are not ${bench.role.name} yet: ` +
      `${number(o.readyNow)} ready now, ${number(o.readySoon)} ready soon, ${number(o.further)} further.`;
    chart("chart-bench-site", bench.bySite);
    chart("chart-bench-function", bench.byFunction);
  } catch (error) {
    failed(overall, error);
  }
}

// ---------------------------------------------------------------- tables
// A table filled a page at a time: PAGE rows, and a button for the next page while there is one.
function pagedTable(tableId, buttonId, query, field, row, emptyText, columns) {
  const body = document.querySelector(`#${tableId} tbody`);
  const more = document.getElementById(buttonId);
  let shown = 0;
  let current = null;
  async function page(reset) {
    if (reset) {
      shown = 0;
      current = scope();
      loading(body);
    }
    more.disabled = true;
    try {
      const data = await gql(query, { scope: current, offset: shown, first: PAGE + 1 });
      const rows = data[field];
      const fresh = rows.slice(0, PAGE).map(row);
      if (reset) fill(body, fresh.length ? fresh : h("tr", {}, h("td", { colspan: columns, class: "empty" }, emptyText)));
      else body.append(...fresh);
      shown += fresh.length;
      more.hidden = rows.length <= PAGE;
    } catch (error) {
      if (reset) fill(body, h("tr", {}, h("td", { colspan: columns }, h("p", { class: "error", role: "alert" }, error.message))));
      else more.after(h("p", { class: "error", role: "alert" }, error.message));
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener("click", () => page(false));
  return () => page(true);
}

const successorRow = (s) => h("tr", { dataset: { lead: s.lead.id } },
  h("th", { scope: "row" }, s.lead.name,
    h("div", { class: "hint" }, [s.lead.team?.name, s.lead.team?.site].filter(Boolean).join(" · "))),
  h("td", {}, s.successors.length
    ? h("ul", { class: "successors" }, s.successors.map((c) =>
      h("li", { dataset: { person: c.person.id } }, `${c.person.name} `, h("span", { class: "readiness" }, percent(c.readiness)))))
    : h("span", { class: "empty" }, "Nobody in the team yet.")));

const trapRow = (t) => h("tr", { dataset: { person: t.person.id } },
  h("th", { scope: "row" }, t.person.name, h("div", { class: "hint" }, [t.role.name, t.person.team?.name].filter(Boolean).join(" · "))),
  h("td", { class: "num readiness" }, percent(t.readiness)),
  h("td", { class: "gap" }, t.gap.map((g) => `${g.skill.name} (${g.currentLevel}→${g.requiredLevel})`).join(", ")),
  h("td", { class: "coaches" }, t.coaches.length
    ? h("ul", {}, t.coaches.map((c) => h("li", { title: c.explanation }, c.mentor.name)))
    : h("span", { class: "empty" }, "No coach free.")));

// ---------------------------------------------------------------- page
async function start() {
  const role = claims()?.role;
  if (role !== "hr" && role !== "admin") return; // health.js says why the page is closed
  const select = document.querySelector("#bench-form select[name=role]");
  const successors = pagedTable("successors", "successors-more", SUCCESSORS, "successors", successorRow, "No team lead in scope.", 2);
  const trap = pagedTable("promotion-trap", "trap-more", TRAP, "promotionTrap", trapRow, "Every lead in scope meets their role's profile.", 4);
  try {
    const { roles } = await gql("{ roles { id name jobRole } }");
    select.replaceChildren(...roles.map((r) => h("option", { value: r.id }, r.name)));
    select.value = roles.find((r) => r.jobRole === "TEAM_LEAD")?.id ?? roles[0]?.id ?? "";
    select.disabled = false;
    select.addEventListener("change", loadBench);
  } catch (error) {
    return failed(document.getElementById("bench-overall"), error);
  }
  document.getElementById("bench-form").addEventListener("submit", (event) => event.preventDefault());
  const all = () => Promise.all([loadBench(), successors(), trap()]);
  document.getElementById("scope-form").addEventListener("submit", all);
  await all();
}

start();

// "Network health" for HR: headline numbers with their trend, charts, the at-risk skills,
// brokers, isolated people per team and a map of the detected communities, per scope.
import { gql } from "./api.js";
import { liveNotifications } from "./live.js";
import { requireSession, signInAgain, token } from "./session.js";
import { busy, failed, fill, h, loading, number, percent, renderHeader, toast } from "./ui.js";

const session = requireSession();

const REPORT = `query Report($scope: HealthScopeInput) {
  networkHealth(scope: $scope) {
    scope asOf people heavyStatus
    metrics { name value definition }
    loadDistribution { active mentors }
    skillBalance(first: 500) { skill { key name } holders supply demand }
    atRiskSkills(first: 100) { key name }
    brokers(first: 10) { person { id name team { name } } betweenness ties }
    isolated(first: 500) { id name team { name } }
    clusterMap { clusters { index size team teamShare function functionShare site x y } links { a b ties } }
  }
  networkHealthHistory(scope: $scope) {
    takenAt
    metrics(names: ["reach.isolated_share", "reach.goal_coverage", "load.utilisation", "ties.cross_team_share"]) { name value }
  }
}`;

// The headline tiles: metric, label, format, and which way is better (for the trend).
const HEADLINES = [
  ["people", "People in scope", "count", 0],
  ["reach.isolated_share", "Isolated", "percent", -1],
  ["reach.goal_coverage", "Goals covered", "percent", 1],
  ["load.utilisation", "Mentor capacity used", "percent", 0],
  ["load.over_capacity", "Mentors over capacity", "count", -1],
  ["skills.at_risk", "Skills at risk", "count", -1],
  ["skills.unteachable", "Skills nobody can teach", "count", -1],
  ["ties.cross_team_share", "Ties across teams", "percent", 1],
  ["reciprocity.share", "Peer exchanges", "percent", 1],
  ["load.pending", "Requests waiting", "count", -1],
];
const HISTORY_LINES = ["reach.isolated_share", "reach.goal_coverage", "load.utilisation", "ties.cross_team_share"];
const SHORT_LIST = 12;
const CHART = { responsive: true, displayModeBar: false };
const LAYOUT = { margin: { l: 50, r: 10, t: 10, b: 60 }, font: { family: "system-ui, sans-serif", size: 12 }, legend: { orientation: "h", y: -0.25 } };

let facets = null;
let teams = [];
let heavyRetry = null;

const format = (kind, v) => (kind === "percent" ? percent(v) : number(v));
const metricsOf = (list) => Object.fromEntries(list.map((m) => [m.name, m.value]));

// ---------------------------------------------------------------- scope
function scopeForm() {
  return document.getElementById("scope-form");
}

function currentScope() {
  const form = scopeForm();
  const kind = form.kind.value;
  const value = form.value.value;
  return kind && value ? { [kind]: value } : null;
}

function scopeLabel() {
  const form = scopeForm();
  if (!currentScope()) return "Whole organisation";
  return `${form.kind.selectedOptions[0].text}: ${form.value.selectedOptions[0].text}`;
}

function fillScopeValues() {
  const form = scopeForm();
  const kind = form.kind.value;
  const choices =
    kind === "site" ? facets.sites.map((s) => [s, s])
      : kind === "function" ? facets.functions.map((f) => [f, f])
        : kind === "team" ? teams.map((t) => [t.id, `${t.name} (${t.site})`]) : [];
  form.value.replaceChildren(...(choices.length ? choices : [["", "—"]]).map(([v, label]) => h("option", { value: v }, label)));
  form.value.disabled = !choices.length;
}

// ---------------------------------------------------------------- headline
function trendOf(value, before, better, kind) {
  if (before === null || before === undefined || value === null || Number.isNaN(before)) return null;
  const delta = value - before;
  const same = Math.abs(delta) < 1e-9;
  const cls = same || better === 0 ? "same" : delta * better > 0 ? "better" : "worse";
  const arrow = same ? "→" : delta > 0 ? "▲" : "▼";
  const shown = kind === "percent" ? `${(Math.abs(delta) * 100).toFixed(1)} pts` : number(Math.abs(delta));
  return h("span", { class: `trend ${cls}`, title: "Change since the last snapshot" }, `${arrow} ${same ? "no change" : shown}`);
}

function renderHeadline(report, history) {
  const now = metricsOf(report.metrics);
  now.people = report.people;
  const definitions = Object.fromEntries(report.metrics.map((m) => [m.name, m.definition]));
  const last = history.length ? metricsOf(history[history.length - 1].metrics) : null;
  const since = history.length ? new Date(history[history.length - 1].takenAt) : null;
  fill(document.getElementById("headline"), HEADLINES.map(([name, label, kind, better]) =>
    h("div", { class: "tile", dataset: { metric: name, value: String(now[name]) }, title: definitions[name] || "People in scope." },
      h("dt", {}, label),
      h("dd", {}, h("span", { class: "value" }, format(kind, now[name])), last ? trendOf(now[name], last[name], better, kind) : null))));
  document.getElementById("as-of").textContent =
    `${scopeLabel()} · computed ${new Date(report.asOf).toLocaleString()}` +
    (since ? ` · trends since the snapshot of ${since.toLocaleString()}` : " · take a snapshot to start the trend");
}

// ---------------------------------------------------------------- charts
function plot(id, traces, layout = {}) {
  const node = document.getElementById(id);
  if (!window.Plotly) {
    node.replaceChildren(h("p", { class: "error" }, "Charts could not load."));
    return;
  }
  for (const stale of node.querySelectorAll(":scope > p")) stale.remove(); // an earlier empty or error note
  window.Plotly.react(node, traces, { ...LAYOUT, ...layout }, CHART);
}

function renderCharts(report, history) {
  const rows = report.skillBalance.slice(0, 12).reverse(); // largest shortfall on top
  const names = rows.map((r) => r.skill.name);
  plot("chart-balance", [
    { type: "bar", orientation: "h", name: "Supply (people at level 4+)", y: names, x: rows.map((r) => r.supply), marker: { color: "#1e7b45" } },
    { type: "bar", orientation: "h", name: "Demand (people wanting it)", y: names, x: rows.map((r) => r.demand), marker: { color: "#b3261e" } },
  ], { barmode: "group", margin: { l: 10, r: 10, t: 10, b: 40 }, yaxis: { automargin: true } });
  plot("chart-load", [
    { type: "bar", name: "Mentors", x: report.loadDistribution.map((l) => String(l.active)), y: report.loadDistribution.map((l) => l.mentors), marker: { color: "#1f5fbf" } },
  ], { xaxis: { title: { text: "active mentees" }, type: "category" }, yaxis: { title: { text: "mentors" } } });
  const times = history.map((s) => s.takenAt);
  const points = history.map((s) => metricsOf(s.metrics));
  const labels = Object.fromEntries(HEADLINES.map(([n, l]) => [n, l]));
  const historyNode = document.getElementById("chart-history");
  if (history.length) {
    plot("chart-history", HISTORY_LINES.map((name) => ({
      type: "scatter", mode: "lines+markers", name: labels[name], x: times, y: points.map((p) => p[name]),
    })), { yaxis: { tickformat: ".0%", rangemode: "tozero" } });
  } else {
    if (window.Plotly) window.Plotly.purge(historyNode);
    fill(historyNode, h("p", { class: "empty" }, "No snapshots yet: take one to start the history."));
  }
}

async function renderReach(scope) {
  const node = document.getElementById("chart-reach");
  const title = document.getElementById("reach-title");
  let groups;
  if (scope?.site) {
    groups = teams.filter((t) => t.site === scope.site).map((t) => [t.name, { team: t.id }]);
    title.textContent = `Reach by team in ${scope.site}`;
  } else if (scope?.team) {
    fill(node, h("p", { class: "empty" }, "One team is in scope: see the headline numbers."));
    title.textContent = "Reach";
    return;
  } else {
    groups = facets.sites.map((s) => [s, { site: s, ...(scope?.function ? { function: scope.function } : {}) }]);
    title.textContent = "Reach by site";
  }
  groups = groups.slice(0, 15); // the API's alias limit
  const variables = Object.fromEntries(groups.map(([, g], i) => [`s${i}`, g]));
  const query = `query Reach(${groups.map((_, i) => `$s${i}: HealthScopeInput`).join(", ")}) {
    ${groups.map((_, i) => `s${i}: networkHealth(scope: $s${i}) { people metrics { name value } }`).join("\n")}
  }`;
  try {
    const data = groups.length ? await gql(query, variables) : {};
    const rows = groups.map(([label], i) => [label, metricsOf(data[`s${i}`].metrics)]);
    if (window.Plotly) window.Plotly.purge(node);
    node.replaceChildren();
    plot("chart-reach", [
      { type: "bar", name: "Isolated", x: rows.map((r) => r[0]), y: rows.map((r) => r[1]["reach.isolated_share"]), marker: { color: "#b3261e" } },
      { type: "bar", name: "Goals covered", x: rows.map((r) => r[0]), y: rows.map((r) => r[1]["reach.goal_coverage"]), marker: { color: "#1e7b45" } },
    ], { barmode: "group", yaxis: { tickformat: ".0%", range: [0, 1] } });
  } catch (error) {
    failed(node, error);
  }
}

function renderClusters(map) {
  const node = document.getElementById("chart-clusters");
  if (!map.clusters.length) {
    if (window.Plotly) window.Plotly.purge(node);
    fill(node, h("p", { class: "empty" }, "No clusters yet."));
    return;
  }
  node.replaceChildren();
  const at = Object.fromEntries(map.clusters.map((c) => [c.index, c]));
  const heaviest = Math.max(...map.links.map((l) => l.ties), 1);
  const bands = [[0, 0.34, 1], [0.34, 0.67, 2.5], [0.67, 1.01, 4]]; // line width by share of the heaviest link
  const lines = bands.map(([lo, hi, width]) => {
    const x = [];
    const y = [];
    for (const link of map.links.filter((l) => l.ties / heaviest >= lo && l.ties / heaviest < hi)) {
      x.push(at[link.a].x, at[link.b].x, null);
      y.push(at[link.a].y, at[link.b].y, null);
    }
    return { type: "scatter", mode: "lines", x, y, hoverinfo: "skip", showlegend: false, line: { width, color: "#9aa6b8" } };
  });
  const label = (c) => `${c.team ?? "—"}${c.teamShare < 0.999 ? ` (${Math.round(c.teamShare * 100)}%)` : ""}`;
  const dots = {
    type: "scatter", mode: "markers+text", showlegend: false,
    x: map.clusters.map((c) => c.x), y: map.clusters.map((c) => c.y),
    text: map.clusters.map((c) => (c.index < 8 ? label(c) : "")), textposition: "top center",
    hovertext: map.clusters.map((c) => `${c.size} people · mostly ${label(c)} · ${c.function} (${Math.round(c.functionShare * 100)}%) · ${c.site}`),
    hoverinfo: "text",
    marker: { size: map.clusters.map((c) => 8 + 4 * Math.sqrt(c.size)), color: map.clusters.map((c) => c.functionShare), colorscale: "Blues", cmin: 0, cmax: 1, line: { width: 1, color: "#12325e" } },
  };
  plot("chart-clusters", [...lines, dots], { xaxis: { visible: false }, yaxis: { visible: false }, margin: { l: 10, r: 10, t: 20, b: 10 } });
}

// ---------------------------------------------------------------- tables
function renderTables(report) {
  const balance = Object.fromEntries(report.skillBalance.map((r) => [r.skill.key, r]));
  const risk = document.querySelector("#at-risk tbody");
  const atRisk = report.atRiskSkills
    .map((s) => [s, balance[s.key] ?? { holders: 0, supply: 0, demand: 0 }])
    .sort((a, b) => b[1].demand - a[1].demand || a[0].name.localeCompare(b[0].name));
  const riskRow = ([s, b]) => h("tr", { dataset: { skill: s.key } }, h("th", { scope: "row" }, s.name),
    h("td", { class: "num" }, b.holders), h("td", { class: "num" }, b.supply), h("td", { class: "num" }, b.demand));
  const showRisk = (count) => {
    const more = atRisk.length - count;
    fill(risk, atRisk.length ? atRisk.slice(0, count).map(riskRow)
      : h("tr", {}, h("td", { colspan: 4, class: "empty" }, "No skill rests on fewer than two experts.")),
    more > 0 ? h("tr", {}, h("td", { colspan: 4 }, h("button", { type: "button", class: "secondary", onclick: () => showRisk(atRisk.length) }, `Show all ${atRisk.length}`))) : null);
  };
  showRisk(SHORT_LIST);

  const status = document.getElementById("heavy-status");
  status.textContent = {
    ready: "Current.",
    stale: "From a slightly older graph; being recomputed.",
    computing: "Being computed; this page updates when they are ready.",
  }[report.heavyStatus] ?? "";
  fill(document.querySelector("#brokers tbody"), report.brokers.length
    ? report.brokers.map((b) => h("tr", {}, h("th", { scope: "row" }, b.person.name), h("td", {}, b.person.team?.name ?? "—"),
      h("td", { class: "num" }, b.betweenness.toFixed(3)), h("td", { class: "num" }, b.ties)))
    : h("tr", {}, h("td", { colspan: 4, class: "empty" }, report.heavyStatus === "ready" ? "No brokers: nobody links otherwise separate people." : "Not computed yet.")));

  const byTeam = new Map();
  for (const p of report.isolated) {
    const team = p.team?.name ?? "No team";
    if (!byTeam.has(team)) byTeam.set(team, []);
    byTeam.get(team).push(p.name);
  }
  const total = metricsOf(report.metrics)["reach.isolated"];
  const teamsSorted = [...byTeam.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  const teamRow = ([team, names]) =>
    h("li", { dataset: { team } }, h("details", {}, h("summary", {}, `${team}: ${names.length}`), h("p", { class: "hint" }, names.join(", "))));
  const isolated = document.getElementById("isolated");
  const showTeams = (count) => {
    const more = teamsSorted.length - count;
    fill(isolated,
      h("p", { class: "hint" }, total > report.isolated.length
        ? `The first ${report.isolated.length} of ${number(total)} isolated people, by team (most first):`
        : `${number(total)} isolated people, by team (most first):`),
      teamsSorted.length ? h("ul", { class: "rows" }, teamsSorted.slice(0, count).map(teamRow)) : h("p", { class: "empty" }, "Nobody is isolated."),
      more > 0 ? h("button", { type: "button", class: "secondary", onclick: () => showTeams(teamsSorted.length) }, `Show all ${teamsSorted.length} teams`) : null);
  };
  showTeams(SHORT_LIST);
}

// ---------------------------------------------------------------- page
async function load() {
  clearTimeout(heavyRetry);
  const scope = currentScope();
  loading(document.getElementById("headline"), "Computing the report…");
  try {
    const data = await gql(REPORT, { scope });
    const report = data.networkHealth;
    renderHeadline(report, data.networkHealthHistory);
    renderCharts(report, data.networkHealthHistory);
    renderTables(report);
    renderClusters(report.clusterMap);
    renderReach(scope);
    if (report.heavyStatus !== "ready") heavyRetry = setTimeout(load, 3000);
  } catch (error) {
    failed(document.getElementById("headline"), error);
  }
}

async function downloadCsv(event) {
  event.preventDefault();
  const query = new URLSearchParams(currentScope() ?? {});
  const response = await fetch(`/health.csv?${query}`, { headers: { Authorization: `Bearer ${token()}` } }).catch(() => null);
  if (!response) return toast("Skillweave cannot be reached.");
  if (response.status === 401) return signInAgain("Your session has expired; sign in again.");
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    return toast(body?.errors?.[0]?.message ?? `The download failed (HTTP ${response.status}).`);
  }
  const url = URL.createObjectURL(await response.blob());
  const scope = currentScope();
  const link = h("a", { href: url, download: `network-health-${scope ? Object.values(scope)[0] : "org"}.csv` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function start() {
  try {
    const data = await gql("{ me { id name } facets { sites functions } teams { id name site } }");
    renderHeader(data.me);
    liveNotifications();
    facets = data.facets;
    teams = data.teams;
  } catch (error) {
    return failed(document.getElementById("headline"), error);
  }
  const form = scopeForm();
  form.kind.addEventListener("change", fillScopeValues);
  form.kind.disabled = false; // the choices are known from here on
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  document.getElementById("csv").addEventListener("click", downloadCsv);
  document.getElementById("snapshot").addEventListener("click", (event) =>
    busy(event.currentTarget, async () => {
      try {
        await gql("mutation($scope: HealthScopeInput) { takeHealthSnapshot(scope: $scope) { takenAt } }", { scope: currentScope() });
        toast("Snapshot stored: trends now start from it.");
        await load();
      } catch (error) {
        toast(error.message);
      }
    }));
  await load();
}

if (session) start();

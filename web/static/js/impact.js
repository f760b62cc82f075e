// "Impact" on the HR page: mentees' level gain on their focus skills against comparable
// colleagues never mentored on them, mentees' ratings and mentors' answer times
// and community sessions attended (docs/health.md, "Impact"). A module of its own beside health.js: it reads the same scope
// form, asks for `impactReport` and fills #impact. Text goes in through ui.js's h(), never
// as markup.
import { gql } from "./api.js";
import { failed, fill, h, loading, number, percent } from "./ui.js";

const IMPACT = `query Impact($scope: HealthScopeInput) {
  impactReport(scope: $scope) {
    items leftOut minComparison afterDays
    during { items mentoredGain comparisonGain difference }
    after { items mentoredGain comparisonGain difference }
    cells(first: 10) { skill { name } function startLevel items comparable during { mentoredGain comparisonGain difference } }
    ratings { count mean distribution }
    responses { requests answered answeredShare medianHours p90Hours }
    sessions { attended attendees sessions }
  }
}`;

const signed = (v) => (v === null || v === undefined ? "—" : `${v > 0 ? "+" : ""}${number(v, 2)}`);
const hours = (v) => (v === null || v === undefined ? "—" : v < 48 ? `${number(v, 1)} h` : `${number(v / 24, 1)} days`);

function scope() {
  const form = document.getElementById("scope-form");
  const kind = form?.kind.value;
  const value = form?.value.value;
  return kind && value ? { [kind]: value } : null;
}

function tile(name, label, value, title) {
  return h("div", { class: "tile", dataset: { metric: name }, title }, h("dt", {}, label), h("dd", {}, h("span", { class: "value" }, value)));
}

function render(node, r) {
  const d = r.during;
  const a = r.after;
  const tiles = h(
    "dl",
    { class: "tiles", id: "impact-tiles" },
    tile("difference", "Gain vs comparable", signed(d.difference), "Mean level gain of mentees on their focus skills, minus that of comparable colleagues over the same windows."),
    tile("mentored", "Mentees' gain", signed(d.mentoredGain), "Mean level gain, start to end of the mentorship."),
    tile("comparison", "Comparable colleagues' gain", signed(d.comparisonGain), "Same skill, starting level and function; never mentored on it."),
    tile("after", `Gain vs comparable, ${r.afterDays} days on`, signed(a.difference), `Mentorships ended at least ${r.afterDays} days ago (${a.items} compared).`),
    tile("rating", "Mean rating", r.ratings.count ? `${number(r.ratings.mean, 1)} / 5` : "—", `${r.ratings.count} ratings of ended mentorships.`),
    tile("answered", "Requests answered", percent(r.responses.answeredShare), "Accepted or declined, over answered and expired."),
    tile("median", "Median answer", hours(r.responses.medianHours), "Time from request to answer."),
    tile("p90", "Slowest 10% answer after", hours(r.responses.p90Hours), "90th percentile of the time from request to answer."),
    tile("sessions", "Community sessions attended", String(r.sessions.attended), `${r.sessions.attendees} people at ${r.sessions.sessions} sessions.`),
  );
  const note = h(
    "p",
    { class: "hint", id: "impact-note" },
    `${d.items} of ${r.items} mentored focus skills compared; ${r.leftOut} left out (fewer than ${r.minComparison} comparable colleagues). `,
    "An association, not proof that mentoring caused it: people who seek a mentor differ from those who do not, and levels are self-reported.",
  );
  const ratings = r.ratings.count
    ? h("p", { class: "hint", id: "impact-ratings" }, "Ratings: ", r.ratings.distribution.map((n, i) => `${i + 1}★ ${n}`).join(" · "))
    : null;
  const rows = r.cells.map((c) =>
    h(
      "tr",
      {},
      h("th", { scope: "row" }, c.skill.name),
      h("td", {}, c.function || "—"),
      h("td", { class: "num" }, String(c.startLevel)),
      h("td", { class: "num" }, String(c.items)),
      h("td", { class: "num" }, String(c.comparable)),
      h("td", { class: "num" }, signed(c.during.mentoredGain)),
      h("td", { class: "num" }, signed(c.during.comparisonGain)),
      h("td", { class: "num" }, signed(c.during.difference)),
    ),
  );
  const heads = ["Skill", "Function", "Start level", "Mentored", "Comparable", "Mentees' gain", "Their gain", "Difference"];
  const table = rows.length
    ? h(
        "div",
        { class: "scroll-x" },
        h(
          "table",
          { id: "impact-cells" },
          h("caption", { class: "hint" }, "By skill, function and level at the start; the most mentorships first."),
          h("thead", {}, h("tr", {}, heads.map((t, i) => h("th", { scope: "col", class: i > 1 ? "num" : null }, t)))),
          h("tbody", {}, rows),
        ),
      )
    : h("p", { class: "empty" }, "Nothing to compare yet in this scope.");
  fill(node, tiles, note, ratings, table);
}

async function load() {
  const node = document.getElementById("impact");
  if (!node) return;
  loading(node);
  try {
    const data = await gql(IMPACT, { scope: scope() });
    render(node, data.impactReport);
  } catch (error) {
    failed(node, error);
  }
}

document.getElementById("scope-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});
load();

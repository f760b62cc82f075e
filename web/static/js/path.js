// "My path": choose a target role, see how ready I am for it, and the steps there, each with
// mentors I can ask from the step itself, and a squad or community working on its skill.
import { gql, newKey } from "./api.js";
import { requireSession } from "./session.js";
import { busy, failed, fill, h, loading, percent, renderHeader, toast } from "./ui.js";

const session = requireSession();

const PATH = `{
  me {
    id name
    currentRole { id name }
    targetRole { since role { id name } }
    path {
      role { id name }
      readiness bucket progressSinceTarget
      gap { skill { key } }
      steps {
        skill { key name } currentLevel requiredLevel weight
        prerequisites { key name }
        mentors { mentor { id name title site } explanation }
        squad { id name }
        community { id name memberCount }
      }
    }
  }
}`;

const SET_TARGET = `mutation($role: String) { setTargetRole(role: $role) { id targetRole { role { id name } } } }`;

const REQUEST = `mutation($mentorId: ID!, $focusSkills: [String!]!, $key: String) {
  requestMentorship(mentorId: $mentorId, focusSkills: $focusSkills, idempotencyKey: $key) { id status mentor { name } }
}`;

const BUCKETS = {
  READY_NOW: ["Ready now", "ready"],
  READY_SOON: ["Ready soon", "soon"],
  FURTHER: ["Further to go", "further"],
};

const levelWord = (level) => (level ? `level ${level}` : "not held");

// ---------------------------------------------------------------- readiness
function progressLine(path, target) {
  if (path.progressSinceTarget === null || path.progressSinceTarget === undefined) return null;
  const points = path.progressSinceTarget * 100;
  const since = target?.since ? ` since you chose it on ${new Date(target.since).toLocaleDateString()}` : " since you chose it";
  const change = Math.abs(points) < 0.05 ? "No change" : `${points > 0 ? "+" : "−"}${Math.abs(points).toFixed(1)} points`;
  return h("p", { id: "progress", class: `hint ${points < -0.05 ? "worse" : points > 0.05 ? "better" : ""}` }, `${change}${since}.`);
}

function renderReadiness(me) {
  const node = document.getElementById("readiness");
  const path = me.path;
  const current = me.currentRole ? h("p", { class: "hint" }, `Your current role: ${me.currentRole.name}.`) : null;
  if (!path) {
    return fill(node, current, h("p", { class: "empty", id: "no-target" }, "Choose a role you want to grow towards to see how ready you are and the way there."));
  }
  const value = Math.round(path.readiness * 1000) / 10; // one decimal, as the text says
  const [bucket, cls] = BUCKETS[path.bucket] ?? [path.bucket, "further"];
  fill(node,
    current,
    h("div", { class: "readiness-head" },
      h("strong", {}, `Readiness for ${path.role.name}`),
      h("span", { class: `bucket ${cls}`, id: "bucket" }, bucket)),
    h("div", {
      class: "progress", role: "progressbar", id: "readiness-bar",
      "aria-label": `Readiness for ${path.role.name}`,
      "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(value),
      "aria-valuetext": `${percent(path.readiness)}, ${bucket.toLowerCase()}`,
    }, h("span", { class: cls, style: { width: `${Math.min(100, Math.max(0, value))}%` } })),
    h("p", { class: "readiness-value" }, h("span", { id: "readiness-percent" }, percent(path.readiness)),
      ` of the weighted skills ${path.role.name} needs.`),
    progressLine(path, me.targetRole),
  );
}

// ---------------------------------------------------------------- steps
function requestButton(step, suggestion, status) {
  const key = newKey(); // one per mentor and step: a retry cannot ask twice
  return h("button", {
    type: "button", class: "secondary request",
    "aria-label": `Request ${suggestion.mentor.name} as mentor for ${step.skill.name}`,
    onclick: (event) => {
      const button = event.currentTarget;
      busy(button, async () => {
        status.className = "request-status hint";
        status.textContent = "Sending…";
        try {
          const data = await gql(REQUEST, { mentorId: suggestion.mentor.id, focusSkills: [step.skill.key], key });
          status.className = "request-status ok";
          status.textContent = `Request sent to ${data.requestMentorship.mentor.name} for ${step.skill.name}.`;
        } catch (error) {
          status.className = "request-status error";
          status.textContent = `${error.code}: ${error.message}`;
        }
      }).then(() => {
        if (status.classList.contains("ok")) button.disabled = true; // asked; see it on "Find a mentor"
      });
    },
  }, "Request");
}

function mentorItem(step, suggestion) {
  const status = h("p", { class: "request-status", role: "status", "aria-live": "polite" });
  const m = suggestion.mentor;
  return h("li", { class: "path-mentor", dataset: { mentorId: m.id } },
    h("div", { class: "grow" },
      h("strong", { class: "mentor-name" }, m.name),
      m.title ? h("span", { class: "hint" }, ` · ${m.title}`) : null,
      h("p", { class: "hint explanation", title: suggestion.explanation }, suggestion.explanation)),
    requestButton(step, suggestion, status),
    status);
}

function stepItem(step, index) {
  const places = [
    step.squad ? h("li", { class: "squad-link" }, "Squad: ", h("strong", {}, step.squad.name)) : null,
    step.community ? h("li", { class: "community-link" }, "Community: ", h("strong", {}, step.community.name),
      ` (${step.community.memberCount} members)`) : null,
  ].filter(Boolean);
  return h("li", { class: "step", dataset: { skill: step.skill.key } },
    h("h3", {}, h("span", { class: "step-number" }, `${index + 1}. `), step.skill.name),
    h("p", { class: "levels" },
      h("span", { class: "current" }, levelWord(step.currentLevel)), " → ",
      h("span", { class: "required" }, `level ${step.requiredLevel}`),
      h("span", { class: "hint" }, ` · weight ${step.weight}`)),
    step.prerequisites.length
      ? h("p", { class: "hint prerequisites" }, `After: ${step.prerequisites.map((p) => p.name).join(", ")}`)
      : null,
    step.mentors.length
      ? h("ul", { class: "rows mentors", "aria-label": `Mentors for ${step.skill.name}` }, step.mentors.map((s) => mentorItem(step, s)))
      : h("p", { class: "empty" }, "No mentor with spare capacity for this skill right now."),
    places.length ? h("ul", { class: "places" }, places) : null,
  );
}

function renderSteps(me) {
  const list = document.getElementById("steps");
  const path = me.path;
  if (!path) return fill(list, h("li", { class: "empty" }, "No target role yet."));
  if (!path.steps.length) {
    return fill(list, h("li", { class: "empty", id: "no-gap" }, `You meet every skill ${path.role.name} asks for: nothing left to grow.`));
  }
  fill(list, path.steps.map(stepItem));
}

// ---------------------------------------------------------------- page
async function loadPath() {
  loading(document.getElementById("readiness"), "Loading your path…");
  loading(document.getElementById("steps"), "Finding the steps and their mentors…");
  try {
    const data = await gql(PATH);
    renderReadiness(data.me);
    renderSteps(data.me);
    return data.me;
  } catch (error) {
    failed(document.getElementById("readiness"), error);
    fill(document.getElementById("steps"));
    return null;
  }
}

async function chooseTarget(select) {
  const status = document.getElementById("target-status");
  const role = select.value || null;
  await busy(select, async () => {
    try {
      const data = await gql(SET_TARGET, { role });
      const chosen = data.setTargetRole.targetRole?.role;
      status.textContent = chosen ? `Target set: ${chosen.name}.` : "Target cleared.";
    } catch (error) {
      status.textContent = "";
      toast(`${error.code}: ${error.message}`);
    }
  });
  await loadPath();
}

async function start() {
  const select = document.querySelector("#target-form select[name=role]");
  try {
    const data = await gql("{ me { id name targetRole { role { id } } } roles { id name } }");
    renderHeader(data.me);
    const first = select.options[0];
    select.replaceChildren(first, ...data.roles.map((r) => h("option", { value: r.id }, r.name)));
    select.value = data.me.targetRole?.role.id ?? "";
    select.disabled = false;
    select.addEventListener("change", () => chooseTarget(select));
    document.getElementById("target-form").addEventListener("submit", (event) => event.preventDefault());
  } catch (error) {
    return failed(document.getElementById("readiness"), error);
  }
  await loadPath();
}

if (session) start();

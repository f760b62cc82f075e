// "Build a squad": pick a pool and focus skills, get suggested squads, adjust their
// members and create them; the active squads and the communities of practice.
import { allPeople, gql, newKey } from "./api.js";
import { liveNotifications } from "./live.js";
import { requireSession } from "./session.js";
import { busy, failed, fill, h, loading, number, options, renderHeader, splitList, titleCase, toast } from "./ui.js";

const session = requireSession();

const MAX_POOL = 2000;

const START = `{
  me { id name }
  facets { sites functions shifts }
}`;

const SUGGEST = `query Suggest($pool: [ID!]!, $size: Int!, $count: Int!, $focusSkills: [String!]) {
  suggestSquads(pool: $pool, size: $size, count: $count, focusSkills: $focusSkills) {
    coverage coverageBound learnersServed leftOut
    squads {
      squadInput { name purpose focusSkills members { personId role } }
      memberIds
      members { id name function site }
      focusSkills { key name }
      covered { key name }
      missing { key name }
      functions
      learnersServed
    }
  }
}`;

const CREATE_SQUAD = `mutation Create($input: SquadInput!, $key: String) {
  createSquad(input: $input, idempotencyKey: $key) { id name members { role person { id } } }
}`;

const SQUADS = `{
  squads(status: ACTIVE) {
    id name purpose
    focusSkills { key name }
    members { role person { id name } }
  }
}`;

const COMMUNITIES = `{ communities { id name description memberCount topicSkills { key name } } }`;

// The pool last loaded (id → person) and the people of it in no squad card right now.
let pool = new Map();
let available = new Set();
let cards = [];

// ---------------------------------------------------------------- form helpers
function functionChecks(functions) {
  fill(document.getElementById("functions"), functions.map((f) =>
    h("label", {}, h("input", { type: "checkbox", name: "function", value: f }), titleCase(f))));
}

async function loadSkillNames() {
  const data = await gql("{ skills { key name } }");
  fill(document.getElementById("skill-names"), data.skills.map((s) => h("option", { value: s.name })));
}

function setStatus(text, isError = false) {
  const status = document.getElementById("pool-status");
  status.textContent = text;
  status.className = isError ? "error" : "hint";
  if (isError) status.setAttribute("role", "alert");
  else status.removeAttribute("role");
}

// ---------------------------------------------------------------- pool
// Everyone matching the form's site and shift, in any of the checked functions (all of
// them when none is checked), de-duplicated and capped at MAX_POOL.
async function loadPool(form) {
  const base = {};
  const { site, shift } = form.elements;
  if (site.value) base.site = site.value;
  if (shift.value) base.shift = shift.value;
  const functions = [...form.querySelectorAll("input[name=function]:checked")].map((i) => i.value);
  const filters = functions.length ? functions.map((f) => ({ ...base, function: f })) : [base];
  const found = new Map();
  let doneTotal = 0;
  let capped = false;
  setStatus("Loading the pool…");
  for (const filter of filters) {
    const room = MAX_POOL - found.size;
    if (room <= 0) {
      capped = true;
      break;
    }
    const before = found.size;
    const { people, total } = await allPeople(Object.keys(filter).length ? filter : null, {
      limit: room,
      fields: "id name function site shift",
      onPage: (loaded, pageTotal) =>
        setStatus(`Loading the pool… ${number(before + loaded)} of ${number(doneTotal + pageTotal)} people`),
    });
    for (const person of people) found.set(person.id, person);
    if (total > people.length) capped = true;
    doneTotal += total;
  }
  return { people: found, capped };
}

// ---------------------------------------------------------------- plan
function summary(plan) {
  const parts = [];
  if (plan.coverageBound) parts.push(`${plan.coverage} of ${plan.coverageBound} focus slots covered`);
  else parts.push("No focus skills asked for");
  parts.push(`${plan.learnersServed} learner(s) served`);
  parts.push(`${plan.leftOut.length} ${plan.leftOut.length === 1 ? "person" : "people"} left out`);
  return `${parts.join(" · ")}.`;
}

function renderPlan(plan) {
  available = new Set(plan.leftOut.map(String));
  cards = plan.squads.map((suggestion, index) => squadCard(suggestion, index));
  document.getElementById("plan-summary").textContent = summary(plan);
  fill(document.getElementById("plan"), cards.length
    ? cards.map((c) => c.node)
    : h("p", { class: "empty" }, "No squads could be suggested from this pool."));
  refreshAddLists();
}

// Every open card's "Add member" list shows the pool's people in no card right now.
function refreshAddLists() {
  const people = [...available].map((id) => pool.get(id)).filter(Boolean)
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const card of cards) card.renderAddList(people);
}

function coverageView(s) {
  if (!s.focusSkills.length) return h("p", { class: "hint" }, "No focus skills: grouped by what members want to learn.");
  const share = s.focusSkills.length ? Math.round((100 * s.covered.length) / s.focusSkills.length) : 0;
  return h("div", { class: "coverage" },
    h("p", { class: "hint" }, `Covers ${s.covered.length} of ${s.focusSkills.length} focus skill(s)`),
    h("div", { class: "meter", role: "img", "aria-label": `${share}% of the focus skills covered` },
      h("span", { style: { width: `${share}%` } })),
    s.covered.length
      ? h("ul", { class: "chips covered", "aria-label": "Covered focus skills" },
          s.covered.map((k) => h("li", { class: "chip" }, `✓ ${k.name}`)))
      : null,
    s.missing.length
      ? h("ul", { class: "chips missing", "aria-label": "Missing focus skills" },
          s.missing.map((k) => h("li", { class: "chip" }, `✗ ${k.name} (nobody strong)`)))
      : null,
  );
}

function squadCard(s, index) {
  const roles = new Map(s.squadInput.members.map((m) => [String(m.personId), m.role]));
  let members = s.members.map((p) => ({ ...p, id: String(p.id), role: roles.get(String(p.id)) || "MEMBER" }));
  let created = false;

  const nameId = `squad-name-${index}`;
  const addId = `squad-add-${index}`;
  const nameInput = h("input", { id: nameId, name: "name", value: s.squadInput.name, maxlength: 120, required: true });
  const memberList = h("ul", { class: "rows members", "aria-label": "Members" });
  const count = h("span", { class: "hint member-count" });
  const addSelect = h("select", { id: addId, name: "add" });
  const addButton = h("button", { type: "button", class: "secondary" }, "Add");
  const createButton = h("button", { type: "button", class: "create" }, "Create squad");
  const state = h("span", { class: "created-state" });

  const node = h("article", { class: "squad", dataset: { index }, "aria-labelledby": `${nameId}-heading` },
    h("h3", { id: `${nameId}-heading` }, `Squad ${index + 1}`, " ", state),
    h("label", { for: nameId }, "Name", nameInput),
    coverageView(s),
    h("p", { class: "hint functions" }, `Functions: ${s.functions.map(titleCase).join(" · ") || "—"}`),
    h("h4", {}, "Members ", count),
    memberList,
    h("div", { class: "inline" },
      h("label", { for: addId }, "Add member", addSelect),
      addButton),
    h("div", { class: "inline" }, createButton),
  );

  function renderMembers() {
    count.textContent = `(${members.length})`;
    fill(memberList, members.length
      ? members.map((m) => h("li", { dataset: { personId: m.id } },
          h("div", { class: "grow" }, h("div", { class: "member-name" }, m.name),
            h("div", { class: "hint" }, `${titleCase(m.function)} · ${titleCase(m.role)}`)),
          h("button", { type: "button", class: "secondary", "aria-label": `Remove ${m.name}`, disabled: created,
            onclick: () => removeMember(m.id) }, "Remove")))
      : h("li", { class: "empty" }, "No members: add someone below."));
  }

  function removeMember(id) {
    const gone = members.find((m) => m.id === id);
    members = members.filter((m) => m.id !== id);
    if (pool.has(id)) available.add(id);
    renderMembers();
    refreshAddLists();
    toast(`Removed ${gone?.name ?? "the member"} from ${nameInput.value.trim() || "the squad"}.`);
    // Keep the keyboard where it was: on the next remove button, else on the add list.
    (memberList.querySelector("button") || addSelect).focus();
  }

  function renderAddList(people) {
    const chosen = addSelect.value;
    addSelect.replaceChildren(
      h("option", { value: "" }, people.length ? `Choose from ${people.length} not placed…` : "Nobody left to add"),
      ...people.map((p) => h("option", { value: p.id }, `${p.name} · ${titleCase(p.function)}`)),
    );
    if (people.some((p) => p.id === chosen)) addSelect.value = chosen;
    addSelect.disabled = created || !people.length;
    addButton.disabled = created || !people.length;
  }

  addButton.addEventListener("click", () => {
    const id = addSelect.value;
    if (!id) return toast("Choose someone to add first.");
    const person = pool.get(id);
    if (!person) return;
    members = [...members, { ...person, id, role: "MEMBER" }];
    available.delete(id);
    renderMembers();
    refreshAddLists();
    toast(`Added ${person.name}.`);
  });

  const key = newKey(); // one squad meant per card, however many attempts
  createButton.addEventListener("click", (event) => {
    const name = nameInput.value.trim();
    if (!members.length) return toast("This squad has no members: add some before creating it.");
    if (!name) {
      toast("Give the squad a name first.");
      return nameInput.focus();
    }
    const input = {
      name,
      purpose: s.squadInput.purpose,
      focusSkills: s.squadInput.focusSkills,
      members: members.map((m) => ({ personId: m.id, role: m.role })),
    };
    busy(event.currentTarget, async () => {
      try {
        await gql(CREATE_SQUAD, { input, key });
        created = true;
        toast(`Created squad ${name}.`);
        await loadSquads();
      } catch (error) {
        toast(error.message);
      }
    }).then(() => {
      if (!created) return;
      node.dataset.created = "true";
      node.setAttribute("aria-disabled", "true");
      for (const control of node.querySelectorAll("input, select, button")) control.disabled = true;
      state.replaceChildren(h("span", { class: "status ACTIVE" }, "Created"));
    });
  });

  renderMembers();
  return { node, renderAddList };
}

function bindPoolForm() {
  const form = document.getElementById("pool-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const plan = document.getElementById("plan");
    const planSummary = document.getElementById("plan-summary");
    busy(event.submitter || form.querySelector("button[type=submit]"), async () => {
      try {
        const loaded = await loadPool(form);
        pool = loaded.people;
        if (!pool.size) {
          setStatus("Nobody matches this site, shift and functions: widen the pool.", true);
          return;
        }
        const size = Number(form.elements.size.value);
        const count = Number(form.elements.count.value);
        const focus = splitList(form.elements.focus.value);
        const poolText = `${number(pool.size)} people in the pool${loaded.capped ? ` (capped at ${number(MAX_POOL)})` : ""}`;
        setStatus(`Suggesting ${count} squad(s) of ${size} from ${poolText}…`);
        planSummary.textContent = "";
        loading(plan, "Suggesting squads…");
        const data = await gql(SUGGEST, { pool: [...pool.keys()], size, count, focusSkills: focus.length ? focus : null });
        setStatus(`${poolText[0].toUpperCase()}${poolText.slice(1)}.`);
        renderPlan(data.suggestSquads);
      } catch (error) {
        // BAD_USER_INPUT (pool too small, unknown skill, …) and anything else: the API's words.
        setStatus(error.message, true);
        planSummary.textContent = "No suggestions: change the pool or the focus and try again.";
        cards = [];
        fill(plan);
      }
    });
  });
}

// ---------------------------------------------------------------- active squads
async function loadSquads() {
  const list = document.getElementById("squad-list");
  try {
    const data = await gql(SQUADS);
    fill(list, data.squads.length
      ? data.squads.map(squadRow)
      : h("li", { class: "empty" }, "No active squads yet."));
  } catch (error) {
    failed(list, error);
  }
}

function squadRow(q) {
  const names = q.members.map((m) => m.person.name);
  return h("li", { dataset: { squadId: q.id } },
    h("div", { class: "grow" },
      h("strong", { class: "squad-name" }, q.name),
      h("div", { class: "hint" }, [
        `${q.members.length} member${q.members.length === 1 ? "" : "s"}`,
        q.focusSkills.length ? `focus ${q.focusSkills.map((s) => s.name).join(", ")}` : "no focus skills",
      ].join(" · ")),
      names.length ? h("div", { class: "hint" }, names.join(", ")) : null),
    h("button", { type: "button", class: "danger", "aria-label": `Archive ${q.name}`, onclick: (event) =>
      busy(event.currentTarget, async () => {
        try {
          await gql("mutation($id: ID!) { archiveSquad(squadId: $id) { id status } }", { id: q.id });
          toast(`Archived ${q.name}.`);
          await loadSquads();
        } catch (error) {
          toast(error.message);
        }
      }) }, "Archive"));
}

// ---------------------------------------------------------------- communities
async function loadCommunities() {
  const list = document.getElementById("community-list");
  try {
    const data = await gql(COMMUNITIES);
    fill(list, data.communities.length
      ? data.communities.map((c) => h("li", { dataset: { communityId: c.id } },
          h("div", {},
            h("strong", { class: "community-name" }, c.name),
            h("div", { class: "hint" }, [
              `${c.memberCount} member${c.memberCount === 1 ? "" : "s"}`,
              c.topicSkills.length ? `topics ${c.topicSkills.map((s) => s.name).join(", ")}` : "",
            ].filter(Boolean).join(" · ")),
            c.description ? h("div", { class: "hint" }, c.description) : null)))
      : h("li", { class: "empty" }, "No communities yet."));
  } catch (error) {
    failed(list, error);
  }
}

function bindCommunityForm() {
  const form = document.getElementById("community-form");
  let key = newKey();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = form.elements.name.value.trim();
    if (!name) return toast("Give the community a name.");
    busy(event.submitter || form.querySelector("button[type=submit]"), async () => {
      try {
        await gql("mutation($input: CommunityInput!, $key: String) { createCommunity(input: $input, idempotencyKey: $key) { id name } }", {
          key,
          input: {
            name,
            description: form.elements.description.value.trim(),
            topicSkills: splitList(form.elements.topics.value),
          },
        });
        toast(`Created the community ${name}.`);
        form.reset();
        key = newKey();
        await loadCommunities();
      } catch (error) {
        toast(error.message);
      }
    });
  });
}

// ---------------------------------------------------------------- page
async function start() {
  const squadList = document.getElementById("squad-list");
  const communityList = document.getElementById("community-list");
  try {
    const data = await gql(START);
    renderHeader(data.me);
    liveNotifications();
    const form = document.getElementById("pool-form");
    options(form.elements.site, data.facets.sites);
    options(form.elements.shift, data.facets.shifts, titleCase);
    functionChecks(data.facets.functions);
    bindPoolForm();
    bindCommunityForm();
    await Promise.all([loadSkillNames(), loadSquads(), loadCommunities()]);
  } catch (error) {
    setStatus(error.message, true);
    failed(squadList, error);
    failed(communityList, error);
  }
}

if (session) start();

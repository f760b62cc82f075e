// "Find a mentor": my skills and goals, ranked mentors with their reasons, my mentorships,
// and the communities recommended for me.
import { gql, newKey } from "./api.js";
import { liveNotifications } from "./live.js";
import { requireSession } from "./session.js";
import { busy, failed, fill, h, loading, options, renderHeader, splitList, titleCase, toast } from "./ui.js";

const session = requireSession();

const ME = `{
  me {
    id name site shift languages autoRequestNextPick
    skills { level skill { key name } }
    learningGoals { priority skill { key name } }
    communities { id name memberCount }
  }
  facets { sites shifts languages }
}`;

const SUGGESTIONS = `query Suggestions($filter: MentorFilter) {
  mentorSuggestions(first: 10, filter: $filter) {
    score responsiveness
    mentor { id name title site shift languages team { name } }
    matchedSkills { teacherLevel learnerLevel skill { key name } via { name } }
    taughtBack { teacherLevel learnerLevel skill { key name } }
    preferences { name detail }
  }
}`;

const MENTORSHIPS = `{
  me { id openToMentoring responseRate { answered expired rate medianResponseHours } }
  notifications(first: 20) { edges { node { id kind personId personName focusSkills } } }
  mentorships {
    id status message requestedAt expiresAt
    mentor { id name } mentee { id name }
    focusSkills { key name }
  }
}`;

const RECOMMENDED = `{ recommendCommunities(first: 5) { communityId name learn { name } share { name } knownMembers { name } } }`;

let me = null;

// ---------------------------------------------------------------- profile
function renderProfile() {
  const body = document.getElementById("profile-body");
  const skills = [...me.skills].sort((a, b) => b.level - a.level || a.skill.name.localeCompare(b.skill.name));
  const remove = (mutation, skill, what) => (event) =>
    busy(event.currentTarget, async () => {
      try {
        await gql(`mutation($skill: String!) { ${mutation}(skill: $skill) { id } }`, { skill: skill.key });
        toast(`Removed ${what} ${skill.name}.`);
        await refreshAll();
      } catch (error) {
        toast(error.message);
      }
    });
  fill(
    body,
    h("h3", {}, "I can teach or practise"),
    skills.length
      ? h("ul", { class: "chips", id: "my-skills" }, skills.map((s) =>
          h("li", { class: "chip" }, `${s.skill.name} · ${s.level}`,
            h("button", { type: "button", class: "secondary", "aria-label": `Remove skill ${s.skill.name}`, onclick: remove("removeSkill", s.skill, "skill") }, "×"))))
      : h("p", { class: "empty" }, "No skills yet."),
    h("h3", {}, "I want to learn"),
    me.learningGoals.length
      ? h("ul", { class: "chips", id: "my-goals" }, me.learningGoals.map((g) =>
          h("li", { class: "chip" }, `${g.skill.name} · ${titleCase(g.priority)}`,
            h("button", { type: "button", class: "secondary", "aria-label": `Drop goal ${g.skill.name}`, onclick: remove("removeLearningGoal", g.skill, "goal") }, "×"))))
      : h("p", { class: "empty" }, "No learning goals yet: add one to get mentor suggestions."),
    h("label", { class: "inline" },
      h("input", { type: "checkbox", id: "auto-next-pick", checked: me.autoRequestNextPick, onchange: async (event) => {
        const on = event.currentTarget.checked;
        try {
          await gql("mutation($on: Boolean!) { updateProfile(input: {autoRequestNextPick: $on}) { id } }", { on });
          toast(on ? "When a request expires, your next best mentor is asked for you." : "When a request expires, your next best mentor is offered to you.");
        } catch (error) {
          toast(error.message);
        }
      } }),
      "When a request expires, ask my next best mentor for me"),
  );
}

async function loadSkillNames() {
  const data = await gql("{ skills { key name } }");
  fill(document.getElementById("skill-names"), data.skills.map((s) => h("option", { value: s.name })));
}

function bindProfileForms() {
  const skillForm = document.getElementById("skill-form");
  skillForm.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(event.submitter, async () => {
      try {
        await gql("mutation($skill: String!, $level: Int!) { setSkill(skill: $skill, level: $level) { id } }",
          { skill: skillForm.skill.value.trim(), level: Number(skillForm.level.value) });
        toast(`Saved ${skillForm.skill.value.trim()}.`);
        skillForm.reset();
        await refreshAll();
      } catch (error) {
        toast(error.message);
      }
    });
  });
  const goalForm = document.getElementById("goal-form");
  goalForm.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(event.submitter, async () => {
      try {
        await gql("mutation($skill: String!, $priority: Priority!) { addLearningGoal(skill: $skill, priority: $priority) { id } }",
          { skill: goalForm.skill.value.trim(), priority: goalForm.priority.value });
        toast(`Added the goal ${goalForm.skill.value.trim()}.`);
        goalForm.reset();
        await refreshAll();
      } catch (error) {
        toast(error.message);
      }
    });
  });
}

// ---------------------------------------------------------------- suggestions
function filterValues() {
  const form = document.getElementById("filters");
  const filter = {};
  for (const name of ["site", "shift", "language"]) if (form[name].value) filter[name] = form[name].value;
  return Object.keys(filter).length ? filter : null;
}

function requestForm(suggestion) {
  const key = newKey();
  const focus = suggestion.matchedSkills.map((m) => m.skill);
  const form = h("form", { class: "stack request-form", "aria-label": `Request ${suggestion.mentor.name} as mentor` },
    h("fieldset", {}, h("legend", {}, "Focus skills"),
      h("div", { class: "checks" }, focus.map((s) =>
        h("label", {}, h("input", { type: "checkbox", name: "focus", value: s.key, checked: true }), s.name)))),
    h("label", {}, "Message", h("textarea", { name: "message", rows: 2, maxlength: 1000, placeholder: "Hi! I'd love your help with…" })),
    h("div", { class: "inline" },
      h("button", { type: "submit" }, "Send request"),
      h("button", { type: "button", class: "secondary", onclick: () => form.remove() }, "Cancel")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const focusSkills = [...form.querySelectorAll("input[name=focus]:checked")].map((i) => i.value);
    if (!focusSkills.length) return toast("Choose at least one focus skill.");
    busy(event.submitter, async () => {
      try {
        await gql("mutation($mentorId: ID!, $focusSkills: [String!]!, $message: String!, $key: String) { requestMentorship(mentorId: $mentorId, focusSkills: $focusSkills, message: $message, idempotencyKey: $key) { id status } }",
          { mentorId: suggestion.mentor.id, focusSkills, message: form.message.value, key });
        toast(`Request sent to ${suggestion.mentor.name}.`);
        await Promise.all([loadMentorships(), loadSuggestions()]);
      } catch (error) {
        toast(error.message);
      }
    });
  });
  return form;
}

// One short sentence, then each skill once in its bullet, then the preferences once.
// (The API's `explanation` says all of it in one long sentence; the card splits it.)
function summary(s, first) {
  const goals = s.matchedSkills.length;
  let sentence = `${first} can help with ${goals === 1 ? "one of your goals" : `${goals} of your goals`}`;
  if (s.taughtBack.length) sentence += ", and you can help them back";
  sentence += ".";
  if (s.responsiveness < 1) sentence += ` Answers ${Math.round(s.responsiveness * 100)}% of requests.`;
  return sentence;
}

const yourLevel = (level) => (level ? `you are at ${level}` : "new to you");

function suggestionCard(s) {
  const m = s.mentor;
  const first = m.name.split(" ")[0];
  const card = h("li", { class: "suggestion", dataset: { mentorId: m.id } },
    h("header", {}, h("strong", { class: "mentor-name" }, m.name), h("span", { class: "score", title: "Match score" }, s.score.toFixed(2))),
    h("div", { class: "hint" }, [m.title, m.team?.name, m.site, m.shift].filter(Boolean).join(" · ")),
    h("p", { class: "explanation" }, summary(s, first)),
    h("ul", { class: "facts" },
      s.matchedSkills.map((x) => h("li", {}, h("strong", {}, x.skill.name),
        `: ${first} at ${x.teacherLevel}${x.via ? ` (via ${x.via.name})` : ""}, ${yourLevel(x.learnerLevel)}`)),
      s.taughtBack.map((x) => h("li", { class: "back" }, "You teach back ", h("strong", {}, x.skill.name),
        `: you at ${x.teacherLevel}, ${first} at ${x.learnerLevel}`)),
    ),
    s.preferences.length
      ? h("p", { class: "hint preferences" }, s.preferences.map((p) => p.detail).join(" · "))
      : null,
  );
  const button = h("button", { type: "button", class: "request", onclick: () => {
    if (!card.querySelector("form")) card.append(requestForm(s));
    card.querySelector("textarea").focus();
  } }, "Request as mentor");
  card.append(button);
  return card;
}

async function loadSuggestions() {
  const list = document.getElementById("suggestions-list");
  loading(list, "Finding mentors…");
  try {
    const data = await gql(SUGGESTIONS, { filter: filterValues() });
    fill(list, data.mentorSuggestions.length
      ? data.mentorSuggestions.map(suggestionCard)
      : h("li", { class: "empty" }, me?.learningGoals.length
        ? "No mentor with spare capacity matches these filters right now."
        : "Add a learning goal to get suggestions."));
  } catch (error) {
    failed(list, error);
  }
}

// ---------------------------------------------------------------- mentorships
function mentorshipRow(m, myId) {
  const iMentor = m.mentor.id === myId;
  const other = iMentor ? m.mentee : m.mentor;
  const actions = h("div", { class: "inline" });
  const act = (label, mutation, variables, done, cls) =>
    h("button", { type: "button", class: cls, onclick: (event) => busy(event.currentTarget, async () => {
      try {
        await gql(mutation, variables);
        toast(done);
        await Promise.all([loadMentorships(), loadSuggestions()]);
      } catch (error) {
        toast(error.message);
      }
    }) }, label);
  if (iMentor && m.status === "REQUESTED") {
    const respond = "mutation($id: ID!, $accept: Boolean!) { respondToMentorship(id: $id, accept: $accept) { id status } }";
    actions.append(
      act("Accept", respond, { id: m.id, accept: true }, `You now mentor ${other.name}.`),
      act("Decline", respond, { id: m.id, accept: false }, `Declined ${other.name}'s request.`, "danger"),
    );
  }
  if (m.status === "ACTIVE") {
    actions.append(h("button", { type: "button", class: "secondary", onclick: (event) => {
      const row = event.currentTarget.closest("li");
      if (!row.querySelector("form")) row.append(endForm(m, other));
    } }, "End…"));
  }
  return h("li", { dataset: { mentorshipId: m.id, status: m.status } },
    h("div", {},
      h("strong", {}, iMentor ? `Mentoring ${other.name}` : `Mentored by ${other.name}`), " ",
      h("span", { class: `status ${m.status}` }, titleCase(m.status)),
      h("div", { class: "hint" }, m.focusSkills.map((s) => s.name).join(", "),
        m.status === "REQUESTED" && m.expiresAt ? ` · answer by ${new Date(m.expiresAt).toLocaleDateString()}` : ""),
      m.message ? h("div", { class: "hint" }, `“${m.message}”`) : null),
    actions);
}

function endForm(m, other) {
  const form = h("form", { class: "stack", "aria-label": `End the mentorship with ${other.name}` },
    h("label", {}, "How useful was it? (1–5)",
      h("select", { name: "rating" }, [5, 4, 3, 2, 1].map((n) => h("option", { value: n }, n)))),
    h("label", {}, "Feedback", h("textarea", { name: "comment", rows: 2, maxlength: 2000 })),
    h("button", { type: "submit" }, "End mentorship"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(event.submitter, async () => {
      try {
        await gql("mutation($id: ID!, $feedback: FeedbackInput!) { endMentorship(id: $id, feedback: $feedback) { id status } }",
          { id: m.id, feedback: { rating: Number(form.rating.value), comment: form.comment.value } });
        toast(`Ended the mentorship with ${other.name}. Thank you for the feedback.`);
        await loadMentorships();
      } catch (error) {
        toast(error.message);
      }
    });
  });
  return form;
}

// A next pick offered after a request lapsed (NEXT_PICK_OFFERED), with a one-click request.
function nextPickRow(n) {
  const ask = (event) => busy(event.currentTarget, async () => {
    try {
      await gql("mutation($mentorId: ID!, $focusSkills: [String!]!, $key: String) { requestMentorship(mentorId: $mentorId, focusSkills: $focusSkills, idempotencyKey: $key) { id } }",
        { mentorId: n.personId, focusSkills: n.focusSkills, key: `next-pick-${n.id}` });
      toast(`Request sent to ${n.personName}.`);
      await Promise.all([loadMentorships(), loadSuggestions()]);
    } catch (error) {
      toast(error.message);
    }
  });
  return h("li", { dataset: { nextPick: n.personId } },
    h("div", {}, h("strong", {}, `Next pick: ${n.personName}`),
      h("div", { class: "hint" }, `A request of yours lapsed; ${n.personName} could mentor you instead.`)),
    h("button", { type: "button", onclick: ask }, "Request"));
}

function responseRateLine(me) {
  const r = me.responseRate;
  if (!r || !(me.openToMentoring || r.answered + r.expired)) return null;
  if (!(r.answered + r.expired)) return h("p", { class: "hint", id: "response-rate" }, "No requests to answer yet.");
  const median = r.medianResponseHours === null ? "" : `, in ${r.medianResponseHours.toFixed(1)} h (median)`;
  return h("p", { class: "hint", id: "response-rate" },
    `You answered ${Math.round(r.rate * 100)}% of requests (${r.answered} of ${r.answered + r.expired})${median}.`);
}

async function loadMentorships() {
  const body = document.getElementById("mentorships-body");
  try {
    const data = await gql(MENTORSHIPS);
    const shown = data.mentorships.filter((m) => m.status !== "DECLINED" && m.status !== "EXPIRED");
    const past = data.mentorships.length - shown.length;
    const open = new Set(shown.filter((m) => m.mentee.id === data.me.id).map((m) => m.mentor.id));
    const offers = new Map();
    for (const { node } of data.notifications.edges) {
      if (node.kind === "NEXT_PICK_OFFERED" && node.personId && !open.has(node.personId) && !offers.has(node.personId)) offers.set(node.personId, node);
    }
    fill(body,
      responseRateLine(data.me),
      offers.size ? h("ul", { class: "rows", id: "next-picks" }, [...offers.values()].map(nextPickRow)) : null,
      shown.length ? h("ul", { class: "rows", id: "mentorship-list" }, shown.map((m) => mentorshipRow(m, data.me.id)))
        : h("p", { class: "empty" }, "No mentorships yet: request a mentor below."),
      past ? h("p", { class: "hint" }, `${past} declined or expired request(s) not shown.`) : null);
  } catch (error) {
    failed(body, error);
  }
}

// ---------------------------------------------------------------- communities
async function membership(mutation, id, name, joined) {
  await gql(`mutation($id: ID!) { ${mutation}(communityId: $id) { id } }`, { id });
  toast(joined ? `You joined ${name}.` : `You left ${name}.`);
  await refreshAll();
}

async function loadCommunities() {
  const recommended = document.getElementById("recommended");
  fill(document.getElementById("my-communities"), me.communities.length
    ? me.communities.map((c) => h("li", {}, h("span", {}, c.name, h("span", { class: "hint" }, ` · ${c.memberCount} members`)),
        h("button", { type: "button", class: "danger", onclick: (e) => busy(e.currentTarget, () => membership("leaveCommunity", c.id, c.name, false).catch((err) => toast(err.message))) }, "Leave")))
    : h("li", { class: "empty" }, "None yet."));
  try {
    const data = await gql(RECOMMENDED);
    fill(recommended, data.recommendCommunities.length
      ? data.recommendCommunities.map((c) => h("li", {},
          h("div", {}, h("strong", {}, c.name),
            h("div", { class: "hint" }, [
              c.learn.length ? `learn ${c.learn.map((s) => s.name).join(", ")}` : "",
              c.share.length ? `share ${c.share.map((s) => s.name).join(", ")}` : "",
              c.knownMembers.length ? `you know ${c.knownMembers.map((p) => p.name).join(", ")}` : "",
            ].filter(Boolean).join(" · "))),
          h("button", { type: "button", onclick: (e) => busy(e.currentTarget, () => membership("joinCommunity", c.communityId, c.name, true).catch((err) => toast(err.message))) }, "Join")))
      : h("li", { class: "empty" }, "No recommendations right now."));
  } catch (error) {
    failed(recommended, error);
  }
}

// ---------------------------------------------------------------- page
async function refreshAll() {
  const data = await gql(ME);
  me = data.me;
  renderProfile();
  await Promise.all([loadSuggestions(), loadCommunities()]);
  return data;
}

async function start() {
  try {
    const data = await refreshAll();
    renderHeader(me);
    // a request, an answer, an ending or a match shows up in "My mentorships" without a reload
    liveNotifications((n) => {
      if (n.mentorshipId) loadMentorships();
    });
    const form = document.getElementById("filters");
    options(form.site, data.facets.sites);
    options(form.shift, data.facets.shifts);
    options(form.language, data.facets.languages);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      loadSuggestions();
    });
    bindProfileForms();
    await Promise.all([loadMentorships(), loadSkillNames()]);
  } catch (error) {
    failed(document.getElementById("profile-body"), error);
  }
}

if (session) start();

// Sign-in: paste a token, or pick a demo person when the server runs with --demo.
import { claims, expired, forget, landing, remember } from "./session.js";
import { h } from "./ui.js";

const params = new URLSearchParams(location.search);
const form = document.getElementById("token-form");
const errorBox = document.getElementById("signin-error");

function showReason() {
  const reason = params.get("reason");
  if (!reason) return;
  const node = document.getElementById("reason");
  node.textContent = reason;
  node.hidden = false;
}

function nextPage(role) {
  const next = params.get("next");
  return next && /^\/app\/[a-z]+$/.test(next) ? next : landing(role);
}

function refuse(message) {
  forget();
  errorBox.textContent = message;
  errorBox.hidden = false;
}

// Check the token with the API itself before keeping it: a wrong one is refused here.
async function signIn(value) {
  errorBox.hidden = true;
  const c = claims(value);
  if (!c) return refuse("That is not a Skillweave token: it should look like eyJ…, in three parts.");
  if (expired(c)) return refuse("That token has expired; ask for a new one.");
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${value.trim()}` },
      body: JSON.stringify({ query: "{ me { id name } }" }),
    });
  } catch {
    return refuse("Skillweave cannot be reached; try again in a moment.");
  }
  const body = await response.json().catch(() => null);
  if (response.status === 401) return refuse(`The token was refused: ${body?.errors?.[0]?.message ?? "sign in again"}`);
  if (body?.errors?.length) return refuse(body.errors[0].message);
  if (!body?.data?.me) return refuse(`Skillweave answered with an error (HTTP ${response.status}).`);
  remember(value);
  location.assign(nextPage(c.role));
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  signIn(form.token.value);
});

async function offerDemoUsers() {
  const response = await fetch("/app/demo-users").catch(() => null);
  if (!response || !response.ok) return;
  const { users } = await response.json();
  const list = document.getElementById("demo-users");
  list.replaceChildren(
    ...users.map((u) =>
      h("li", {}, h("button", { type: "button", class: "secondary", dataset: { role: u.role }, onclick: () => signIn(u.token) },
        `${u.name} — ${u.role}`)),
    ),
  );
  document.getElementById("demo").hidden = false;
}

showReason();
offerDemoUsers();

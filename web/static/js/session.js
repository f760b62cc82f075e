// The signed-in user's token, kept in this tab's sessionStorage (gone when the tab closes).
const KEY = "skillweave.token";

export function token() {
  return sessionStorage.getItem(KEY);
}

export function remember(value) {
  sessionStorage.setItem(KEY, value.trim());
}

export function forget() {
  sessionStorage.removeItem(KEY);
}

// The token's claims, read without checking the signature: only to choose pages and
// notice expiry early. The server checks every request.
export function claims(value = token()) {
  if (!value) return null;
  try {
    const part = value.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "=")));
  } catch {
    return null;
  }
}

export function expired(c = claims()) {
  return !c || (typeof c.exp === "number" && c.exp * 1000 <= Date.now());
}

// Back to sign-in, saying why; the page the user was on is kept to return to.
export function signInAgain(reason) {
  forget();
  const back = location.pathname.startsWith("/app/") && location.pathname !== "/app/" ? location.pathname : "";
  const query = new URLSearchParams({ reason });
  if (back) query.set("next", back);
  location.assign(`/app/?${query}`);
}

// Pages each role may open, first one the landing page. The API enforces the same rules.
export const PAGES_BY_ROLE = {
  agent: ["mentor", "path"],
  moderator: ["squads", "mentor", "path"],
  hr: ["health", "mentor", "path"],
  admin: ["health", "squads", "mentor", "path"],
};

export const PAGE_TITLES = { mentor: "Find a mentor", path: "My path", squads: "Build a squad", health: "Network health" };

export function landing(role) {
  return `/app/${(PAGES_BY_ROLE[role] || ["mentor"])[0]}`;
}

// For a page that needs a signed-in user: their claims, or off to sign-in.
export function requireSession() {
  const c = claims();
  if (!token() || !c) {
    signInAgain("Sign in to continue.");
    return null;
  }
  if (expired(c)) {
    signInAgain("Your session has expired; sign in again.");
    return null;
  }
  return c;
}

// The one way the pages talk to Skillweave: GraphQL over fetch with the bearer token.
import { token, signInAgain } from "./session.js";
import { banner, clearBanner } from "./ui.js";

export class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const UNREACHABLE =
  "Skillweave cannot be reached. Check your connection; the page will work again once the service answers.";
const STORE_DOWN =
  "The skills graph is not answering right now, so nothing could be loaded or saved. Try again in a moment.";

let lastFailed = null;

// The graph version the last answer was read at. Sent back with every call, so that behind
// several service processes a page always reads at least what it last saw or wrote
// (docs/projection.md, "Freshness").
const VERSION = "X-Skillweave-Version";
let seenVersion = null;

// Run a query or mutation; resolve to its data or reject with an ApiError carrying the
// API's extensions.code. Being signed out (401) leads back to the sign-in page; an
// unreachable service or store shows the banner with a retry.
export async function gql(query, variables = {}) {
  let response;
  try {
    const headers = { "Content-Type": "application/json", Authorization: `Bearer ${token() || ""}` };
    if (seenVersion) headers[VERSION] = seenVersion;
    response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    lastFailed = () => location.reload();
    banner(UNREACHABLE, lastFailed);
    throw new ApiError("UNAVAILABLE", UNREACHABLE);
  }
  seenVersion = response.headers.get(VERSION) || seenVersion;
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.status === 401) {
    const message = body?.errors?.[0]?.message || "Your session has expired; sign in again.";
    signInAgain(message);
    throw new ApiError("UNAUTHENTICATED", message);
  }
  if (!body) {
    banner(`Skillweave answered with an error (HTTP ${response.status}). Try again in a moment.`, () => location.reload());
    throw new ApiError("INTERNAL_SERVER_ERROR", `HTTP ${response.status}`);
  }
  if (body.errors?.length) {
    const first = body.errors[0];
    const code = first.extensions?.code || "INTERNAL_SERVER_ERROR";
    if (code === "UNAVAILABLE") banner(STORE_DOWN, () => location.reload());
    throw new ApiError(code, first.message);
  }
  clearBanner();
  return body.data;
}

// A fresh idempotency key: made once per thing the user means to create, and sent with
// each attempt, so a retry after a lost answer cannot create it twice.
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// Fetch every page of the people directory matching `filter` (up to `limit` people).
export async function allPeople(filter, { limit = 2000, fields = "id name function site shift", onPage } = {}) {
  const found = [];
  let after = null;
  for (;;) {
    const data = await gql(
      `query Pool($filter: PeopleFilter, $after: String) {
         people(filter: $filter, first: 100, after: $after) {
           totalCount edges { node { ${fields} } } pageInfo { hasNextPage endCursor }
         }
       }`,
      { filter, after },
    );
    const page = data.people;
    found.push(...page.edges.map((e) => e.node));
    if (onPage) onPage(found.length, page.totalCount);
    if (!page.pageInfo.hasNextPage || found.length >= limit) return { people: found.slice(0, limit), total: page.totalCount };
    after = page.pageInfo.endCursor;
  }
}

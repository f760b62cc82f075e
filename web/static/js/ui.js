// Small DOM helpers shared by the pages: elements built from data (never innerHTML with
// data, so names cannot inject markup), the banner, the toast and the navigation.
import { claims, forget, PAGES_BY_ROLE, PAGE_TITLES } from "./session.js";

// h("li", {class: "x", onclick: f}, "text", child) → an element. Handlers are listeners and
// `style` is an object set through the CSSOM ({ width: "40%" }): the Content-Security-Policy
// refuses inline handlers and style attributes.
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "style") Object.assign(node.style, value);
    else if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Replace a select's choices after its first ("any") option.
export function options(select, values, label = (v) => v) {
  const first = select.options[0];
  select.replaceChildren(first, ...values.map((v) => h("option", { value: v }, label(v))));
}

export function fill(container, ...children) {
  container.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
  container.removeAttribute("aria-busy");
  container.classList.remove("loading");
}

export function loading(container, text = "Loading…") {
  container.setAttribute("aria-busy", "true");
  container.replaceChildren(h("p", { class: "loading" }, text));
}

// An error in place of a section's content, with the API's message.
export function failed(container, error) {
  container.removeAttribute("aria-busy");
  container.replaceChildren(h("p", { class: "error", role: "alert" }, error.message || String(error)));
}

export function banner(message, retry) {
  const node = document.getElementById("banner");
  if (!node) return;
  node.replaceChildren(h("span", {}, message), retry ? h("button", { type: "button", onclick: retry }, "Retry") : null);
  node.hidden = false;
}

export function clearBanner() {
  const node = document.getElementById("banner");
  if (node) node.hidden = true;
}

let toastTimer = null;
export function toast(message) {
  const node = document.getElementById("toast");
  node.textContent = message;
  node.classList.add("show");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => node.classList.remove("show"), 4000);
}

// Disable a button while `work` runs, so a double click cannot send twice.
export async function busy(button, work) {
  button.disabled = true;
  try {
    return await work();
  } finally {
    button.disabled = false;
  }
}

export function renderHeader(me) {
  const c = claims();
  const nav = document.getElementById("nav");
  const here = document.body.dataset.page;
  nav.replaceChildren(
    ...(PAGES_BY_ROLE[c?.role] || []).map((page) =>
      h("a", { href: `/app/${page}`, "aria-current": page === here ? "page" : null }, PAGE_TITLES[page]),
    ),
  );
  const who = document.getElementById("who");
  who.replaceChildren(
    h("span", { id: "signed-in-as" }, `${me.name} · ${c?.role ?? ""}`),
    h("button", { type: "button", onclick: () => { forget(); location.assign("/app/"); } }, "Sign out"),
  );
}

export const percent = (v) => (v === null || v === undefined || Number.isNaN(v) ? "—" : `${(v * 100).toFixed(1)}%`);
export const number = (v, digits = 0) =>
  v === null || v === undefined || Number.isNaN(v) ? "—" : Number(v).toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const splitList = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);
export const titleCase = (s) => s.charAt(0) + s.slice(1).toLowerCase().replace(/_/g, " ");

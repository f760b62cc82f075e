// The header's unread badge, kept current by the `notifications` subscription over
// graphql-transport-ws (docs/notifications.md). The socket signs in like every call, with the
// token in its connection_init payload; it reconnects after a drop, asking for what came
// after the last notification it saw, and stops for good when the token is refused (4403), or
// when the subscription ends because the token expired or its person left (UNAUTHENTICATED):
// then it goes back to sign-in, saying why, as a refused HTTP call does.
import { gql } from "./api.js";
import { signInAgain, token } from "./session.js";
import { h, toast } from "./ui.js";

const INBOX = `{ notifications(first: 1) { unreadCount edges { node { sequence } } } }`;
const SUBSCRIBE = `subscription($after: Int) {
  notifications(after: $after) { id sequence kind summary mentorshipId squadId communityId sessionId personId focusSkills }
}`;
const MARK_ALL = `mutation($upTo: Int) { markNotificationsRead(upTo: $upTo) { unreadCount } }`;
const REFUSED = 4403;

let unread = 0;
let lastSeen = null;
let signedOut = false;

function badge() {
  let node = document.getElementById("notifications-badge");
  if (!node) {
    node = h("button", { type: "button", id: "notifications-badge", class: "badge", onclick: markAllRead });
    document.getElementById("who")?.prepend(node);
  }
  return node;
}

function show() {
  const node = badge();
  node.textContent = unread ? `${unread} new` : "No new";
  node.dataset.unread = String(unread);
  node.setAttribute("aria-label", `${unread} unread notification${unread === 1 ? "" : "s"}; mark all read`);
  node.classList.toggle("has-unread", unread > 0);
}

async function markAllRead() {
  if (lastSeen === null) return;
  try {
    const data = await gql(MARK_ALL, { upTo: lastSeen });
    unread = data.markNotificationsRead.unreadCount;
    show();
  } catch (error) {
    toast(error.message);
  }
}

function connect(onNotification, delay) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}/graphql`, "graphql-transport-ws");
  socket.addEventListener("open", () => {
    socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${token() || ""}` } }));
  });
  socket.addEventListener("message", (message) => {
    const data = JSON.parse(message.data);
    if (data.type === "connection_ack") {
      delay = 1000;
      socket.send(JSON.stringify({ id: "notifications", type: "subscribe", payload: { query: SUBSCRIBE, variables: { after: lastSeen } } }));
    } else if (data.type === "ping") {
      socket.send(JSON.stringify({ type: "pong" }));
    } else if (data.type === "next" && data.payload?.errors?.[0]?.extensions?.code === "UNAUTHENTICATED") {
      signedOut = true;
      socket.close();
      signInAgain(data.payload.errors[0].message);
    } else if (data.type === "next" && data.payload?.data?.notifications) {
      const n = data.payload.data.notifications;
      lastSeen = Math.max(lastSeen ?? 0, n.sequence);
      unread += 1;
      show();
      toast(n.summary);
      onNotification?.(n);
    }
  });
  socket.addEventListener("close", (event) => {
    if (event.code === REFUSED || signedOut) return; // the token was refused: the next call signs out
    setTimeout(() => connect(onNotification, Math.min(delay * 2, 30000)), delay);
  });
}

// Show the badge and listen for new notifications; `onNotification(n)` is called with each.
export async function liveNotifications(onNotification) {
  try {
    const data = await gql(INBOX);
    unread = data.notifications.unreadCount;
    lastSeen = data.notifications.edges[0]?.node.sequence ?? 0;
  } catch {
    return; // the page shows why its own calls failed
  }
  show();
  connect(onNotification, 1000);
}

// The agent console's Conversations section: inbox views over REST, the open conversation and live updates over
// the agent socket (docs/CHAT-PROTOCOL.md). Everything people typed is shown with textContent, never as HTML.
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("console");
  if (!root) return;
  const strings = JSON.parse(root.dataset.strings || "{}");
  const t = (key, args) => {
    let text = strings[key] || key;
    for (const [name, value] of Object.entries(args || {})) text = text.replace("{" + name + "}", value);
    return text;
  };
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  let view = new URLSearchParams(location.search).get("view") || "all";
  let current = null, currentState = null, socket = null, retry = 0, shown = new Set(), refreshTimer = null;
  const pending = new Map();

  async function api(method, path, body) {
    const response = await fetch(path, {
      method, credentials: "same-origin",
      headers: body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((data.error && data.error.message) || response.status);
    return data;
  }

  function contactName(c) {
    if (c && c.contact && (c.contact.name || c.contact.email)) return c.contact.name || c.contact.email;
    return t("visitor") + " " + c.id.slice(0, 4);
  }

  async function loadInbox() {
    const data = await api("GET", "/api/v1/conversations?view=" + view + "&status=bot,open,pending");
    document.querySelectorAll("[data-view]").forEach((tab) => tab.setAttribute("aria-selected", String(tab.dataset.view === view)));
    for (const [name, count] of Object.entries(data.counts)) {
      const badge = root.querySelector('[data-count="' + name + '"]');
      if (badge) badge.textContent = count ? String(count) : "";
    }
    const list = $("inbox");
    list.replaceChildren();
    for (const c of data.conversations) {
      const item = el("li", "console-item" + (current === c.id ? " active" : ""));
      const link = el("a");
      link.href = "?view=" + view + "#" + c.id;
      link.dataset.conversation = c.id;
      link.appendChild(el("strong", null, contactName(c)));
      link.appendChild(el("span", "badge status-" + c.status, t("status_" + c.status)));
      if (c.queued_at) {
        const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(c.queued_at)) / 60000));
        link.appendChild(el("span", "badge queued", t("queued", { minutes: String(minutes) })));
      }
      if (c.left_message_at) link.appendChild(el("span", "badge left-message", t("left_message")));
      link.appendChild(el("span", "preview", c.preview || ""));
      link.addEventListener("click", (event) => { event.preventDefault(); open(c.id); });
      item.appendChild(link);
      list.appendChild(item);
    }
    $("inbox-empty").hidden = data.conversations.length > 0;
  }
  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => loadInbox().catch(() => {}), 300);
  }

  function eventLine(m) {
    const e = m.event || {};
    if (e.event === "assigned") return t("assigned", { name: e.name });
    if (e.event === "resolved") return t("resolved_line", { name: e.name });
    if (e.event === "reopened") return t("reopened_line", { name: e.name });
    if (e.event === "unassigned") return t("unassigned_line");
    if (e.event === "action") {
      return t("action_line", { name: e.name, outcome: e.outcome, detail: e.detail, values: e.values || "" });
    }
    if (e.event === "ticket") return t("ticket_line", { number: e.number });
    if (e.event === "left_message") {
      return t("left_message_line", { contact: [e.name, e.email, e.phone].filter(Boolean).join(" · ") });
    }
    return e.event || "";
  }

  // Images inline (linking to the full size), other files as downloads; file names are text.
  function fileView(file) {
    const link = el("a", "file");
    link.href = file.url;
    link.target = "_blank";
    link.rel = "noopener";
    if (/^image\//.test(file.content_type)) {
      const image = el("img");
      image.src = file.url;
      image.alt = file.name;
      image.loading = "lazy";
      link.appendChild(image);
    } else {
      link.textContent = file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)";
      link.setAttribute("download", file.name);
    }
    return link;
  }

  function render(m) {
    if (m.conversation_id !== current || shown.has(m.seq)) return;
    shown.add(m.seq);
    if (m.client_id && pending.has(m.client_id)) { pending.get(m.client_id).remove(); pending.delete(m.client_id); }
    const item = el("li", "console-message " + m.sender + (m.private ? " private" : ""));
    item.dataset.seq = String(m.seq);
    if (m.kind === "event") {
      const e = m.event || {};
      if (e.event === "ticket" && e.ticket) {
        const link = el("a", "line", eventLine(m));
        link.href = "/app/tickets/" + encodeURIComponent(e.ticket);
        item.appendChild(link);
      } else {
        item.appendChild(el("span", "line", eventLine(m)));
      }
    } else {
      item.appendChild(el("span", "who", m.private ? t("note") : t("sender_" + m.sender)));
      item.appendChild(m.attachment ? fileView(m.attachment) : el("p", "text", m.text));
      if (m.flags && m.flags.length) item.appendChild(el("p", "flag", t("flagged") + m.flags.join(", ")));
      if (m.sources && m.sources.length) {
        const sources = el("p", "hint");
        m.sources.forEach((s) => sources.appendChild(el("span", "source", s.title)));
        item.appendChild(sources);
      }
      if (m.bot) {
        const why = el("details", "why");
        why.appendChild(el("summary", null, t("why")));
        const intents = m.bot.intents.map((i) => i.label + " " + Math.round(i.probability * 100) + "%").join(", ");
        why.appendChild(el("p", null, m.bot.decision + " · " + intents));
        why.appendChild(el("p", null, m.bot.reasons.join(", ")));
        item.appendChild(why);
      }
    }
    const thread = $("thread");
    let after = null;
    for (let i = thread.children.length - 1; i >= 0; i--) {
      const other = thread.children[i];
      if (!other.dataset.seq || Number(other.dataset.seq) < m.seq) break;
      after = other;
    }
    thread.insertBefore(item, after);
    thread.scrollTop = thread.scrollHeight;
  }

  function showState(c) {
    currentState = c;
    $("thread-title").textContent = contactName(c);
    $("thread-status").textContent = t("status_" + c.status);
    const canReply = root.dataset.canReply === "1";
    $("take").hidden = !canReply || c.status === "resolved" || c.assignee_id === root.dataset.user;
    $("resolve").hidden = !canReply || c.status === "resolved";
    $("make-ticket").hidden = !canReply;
    $("reopen").hidden = !canReply || c.status !== "resolved";
    $("composer").hidden = !canReply;
    $("transfer").hidden = !canReply || c.status === "resolved";
    const handoff = c.handoff;
    $("handoff").hidden = !handoff;
    if (handoff) {
      $("handoff-intent").textContent = (handoff.intent || "—") + " (" + Math.round(handoff.confidence * 100) + "%)";
      $("handoff-sentiment").textContent = t("anger") + " " + handoff.anger.toFixed(2) + " · " + t("urgency") + " " + handoff.urgency.toFixed(2);
      $("handoff-summary").textContent = handoff.summary;
    }
    if (c.contact) {
      const fields = $("contact-fields");
      fields.replaceChildren();
      for (const [key, value] of [["name", c.contact.name], ["email", c.contact.email], ["phone", c.contact.phone], ["seen", c.contact.last_seen_at]]) {
        if (!value) continue;
        fields.appendChild(el("dt", null, t(key)));
        fields.appendChild(el("dd", null, value));
      }
      $("contact").hidden = false;
    }
  }

  async function open(id) {
    if (current && socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "unsubscribe", conversation: current }));
    current = id;
    shown = new Set();
    $("thread").replaceChildren();
    history.replaceState(null, "", "?view=" + view + "#" + id);
    const detail = await api("GET", "/api/v1/conversations/" + id);
    showState(detail.conversation);
    document.dispatchEvent(new CustomEvent("kefu:opened", { detail: detail.conversation }));
    subscribe();
    refreshSoon();
  }
  function subscribe() {
    if (!current || !socket || socket.readyState !== 1) return;
    const last = shown.size ? Math.max(...shown) : 0;
    socket.send(JSON.stringify({ type: "subscribe", conversation: current, last_seq: last }));
  }

  function connect() {
    socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/v1/agent");
    let opened = false;
    socket.onopen = () => { opened = true; retry = 0; socket.send(JSON.stringify({ type: "hello", v: 1 })); };
    socket.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "welcome") { $("thread-typing").textContent = ""; subscribe(); }
      else if (frame.type === "message") render(frame.message);
      else if (frame.type === "conversation") {
        if (frame.conversation === current && currentState) showState(Object.assign({}, currentState, frame.state, { contact: currentState.contact }));
        refreshSoon();
      } else if (frame.type === "typing" && frame.conversation === current) {
        $("thread-typing").textContent = frame.typing ? t("sender_customer") + " " + t("typing") : "";
      } else if (frame.type === "ticket_alert") {
        ticketAlert(frame);
      } else if (frame.type === "presence") {
        document.dispatchEvent(new CustomEvent("kefu:presence", { detail: frame }));
      } else if (frame.type === "ack" && pending.has(frame.id)) {
        pending.get(frame.id).classList.remove("pending");
      } else if (frame.type === "error" && frame.id && pending.has(frame.id)) {
        pending.get(frame.id).querySelector(".who").textContent = t("failed") + frame.detail;
      }
    };
    socket.onclose = (event) => {
      $("thread-typing").textContent = t("offline");
      // A refused upgrade or a 4401 close: if the session is over, sign in again instead of retrying.
      if (!opened || event.code === 4401) {
        fetch("/api/v1/me", { credentials: "same-origin" }).then((r) => {
          if (r.status === 401) location.assign("/login?next=" + encodeURIComponent(location.pathname));
        }).catch(() => {});
      }
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 500 * 2 ** (retry - 1));
    };
  }

  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("composer-text").value.trim();
    if (!text || !current) return;
    const isPrivate = $("composer-private").checked;
    const id = "a-" + (crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2));
    const item = el("li", "console-message agent pending" + (isPrivate ? " private" : ""));
    item.appendChild(el("span", "who", isPrivate ? t("note") : t("sender_agent")));
    item.appendChild(el("p", "text", text));
    $("thread").appendChild(item);
    pending.set(id, item);
    $("composer-text").value = "";
    const frame = { type: "send", id, conversation: current, text, private: isPrivate };
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(frame));
    else api("POST", "/api/v1/conversations/" + current + "/messages", { text, client_id: id, private: isPrivate }).then(render).catch((e) => { item.querySelector(".who").textContent = t("failed") + e.message; });
  });
  $("composer-file").addEventListener("change", async () => {
    const input = $("composer-file");
    const file = input.files && input.files[0];
    input.value = "";
    if (!file || !current) return;
    const isPrivate = $("composer-private").checked;
    const id = "a-" + (crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2));
    const item = el("li", "console-message agent pending" + (isPrivate ? " private" : ""));
    item.appendChild(el("span", "who", t("uploading")));
    item.appendChild(el("p", "text", file.name));
    $("thread").appendChild(item);
    pending.set(id, item);
    const query = "?name=" + encodeURIComponent(file.name) + "&client_id=" + encodeURIComponent(id) + "&private=" + isPrivate;
    try {
      const response = await fetch("/api/v1/conversations/" + current + "/attachments" + query, {
        method: "POST", credentials: "same-origin", headers: { "content-type": "application/octet-stream" }, body: file,
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error((data.error && data.error.message) || response.status);
      render(data);
    } catch (e) {
      item.querySelector(".who").textContent = t("failed") + e.message;
    }
  });
  $("composer-text").addEventListener("keydown", (event) => {
    // While the canned-reply list is open, Enter picks from it (console-tools.js).
    const choosing = $("canned") && !$("canned").hidden;
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !choosing) { event.preventDefault(); $("composer").requestSubmit(); }
  });
  // Transfer: to a colleague or a team, with a note only colleagues see.
  let transferTargets = null;
  $("transfer-box").addEventListener("toggle", async () => {
    if (!$("transfer-box").open || transferTargets) return;
    const [members, teams] = await Promise.all([api("GET", "/api/v1/members?limit=100"), api("GET", "/api/v1/teams")]);
    transferTargets = true;
    const select = $("transfer-to");
    select.replaceChildren();
    for (const m of members.data) {
      if (m.user_id === root.dataset.user) continue;
      const option = el("option", null, m.display_name + " · " + m.email);
      option.value = "agent:" + m.user_id;
      select.appendChild(option);
    }
    for (const team of teams) {
      const option = el("option", null, t("transfer_team", { name: team.name }));
      option.value = "team:" + team.id;
      select.appendChild(option);
    }
  });
  $("transfer-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!current) return;
    const [kind, id] = $("transfer-to").value.split(":");
    const body = kind === "team" ? { assignee_id: null, team_id: id } : { assignee_id: id };
    const note = $("transfer-note").value.trim();
    if (note) body.note = note;
    const state = await api("POST", "/api/v1/conversations/" + current + "/assign", body).catch((e) => { alert(e.message); return null; });
    if (!state) return;
    $("transfer-note").value = "";
    $("transfer-box").open = false;
    showState(Object.assign({}, currentState, state, { contact: currentState && currentState.contact }));
    refreshSoon();
  });
  $("make-ticket").addEventListener("click", async () => {
    if (!current) return;
    const ticket = await api("POST", "/api/v1/conversations/" + current + "/ticket", {}).catch((e) => { alert(e.message); return null; });
    if (ticket) location.assign("/app/tickets/" + encodeURIComponent(ticket.id));
  });

  // SLA warnings and breaches of any ticket, live: a note in the corner linking to the ticket.
  function ticketAlert(frame) {
    let box = $("console-alerts");
    if (!box) {
      box = el("div", "console-alerts");
      box.id = "console-alerts";
      box.setAttribute("role", "status");
      document.body.appendChild(box);
    }
    const note = el("div", "console-alert " + frame.alert);
    const link = el("a", null, t(frame.alert === "breach" ? "ticket_alert_breach" : "ticket_alert_warning",
      { number: frame.number, metric: t("metric_" + frame.metric) }));
    link.href = "/app/tickets/" + encodeURIComponent(frame.ticket);
    note.appendChild(link);
    const close = el("button", "link", "×");
    close.type = "button";
    close.setAttribute("aria-label", t("dismiss"));
    close.addEventListener("click", () => note.remove());
    note.appendChild(close);
    box.prepend(note);
    while (box.children.length > 5) box.lastChild.remove();
  }

  for (const action of ["take", "resolve", "reopen"]) {
    $(action).addEventListener("click", async () => {
      if (!current) return;
      const state = await api("POST", "/api/v1/conversations/" + current + "/" + action, {}).catch((e) => { alert(e.message); return null; });
      if (state) showState(Object.assign({}, currentState, state, { contact: currentState && currentState.contact }));
      refreshSoon();
    });
  }
  document.querySelectorAll("[data-view]").forEach((tab) => tab.addEventListener("click", () => { view = tab.dataset.view; loadInbox(); }));

  // What console-tools.js builds on: the open conversation, opening one, the texts and the API helper.
  window.kefuConsole = { current: () => current, open, t, el, api };
  loadInbox().catch(() => {});
  connect();
  if (location.hash.length > 1) open(location.hash.slice(1)).catch(() => {});
});

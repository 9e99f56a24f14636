// The console's tools around a conversation: canned replies (type /shortcut), message search, the agent's presence
// and the customer panel (profile editing, other conversations). Builds on window.kefuConsole from console.js.
document.addEventListener("DOMContentLoaded", () => {
  const kefu = window.kefuConsole;
  if (!kefu) return;
  const { t, el, api } = kefu;
  const $ = (id) => document.getElementById(id);

  // Presence: the chosen status, shown while this console is open.
  const presence = $("presence");
  const me = document.getElementById("console").dataset.user;
  api("GET", "/api/v1/presence").then((data) => {
    const mine = data.data.find((a) => a.user_id === me);
    if (mine && mine.status === "away") presence.value = "away";
  }).catch(() => {});
  presence.addEventListener("change", () => api("PUT", "/api/v1/me/presence", { status: presence.value }).catch(() => {}));

  // Search over messages; results replace the inbox until closed.
  const panel = $("search-panel");
  function closeSearch() { $("inbox-panel").hidden = false; panel.hidden = true; $("search-q").value = ""; }
  $("search-close").addEventListener("click", closeSearch);
  $("search").addEventListener("submit", async (event) => {
    event.preventDefault();
    const q = $("search-q").value.trim();
    if (!q) return closeSearch();
    const data = await api("GET", "/api/v1/search/messages?q=" + encodeURIComponent(q)).catch(() => ({ data: [] }));
    const list = $("search-results");
    list.replaceChildren();
    for (const hit of data.data) {
      const item = el("li", "console-item");
      const link = el("a");
      link.href = "#" + hit.conversation.id;
      const who = hit.conversation.contact && (hit.conversation.contact.name || hit.conversation.contact.email);
      link.appendChild(el("strong", null, who || t("visitor") + " " + hit.conversation.id.slice(0, 4)));
      link.appendChild(el("span", "preview", hit.message.text));
      link.addEventListener("click", (e) => { e.preventDefault(); kefu.open(hit.conversation.id); });
      item.appendChild(link);
      list.appendChild(item);
    }
    $("search-none").hidden = data.data.length > 0;
    $("inbox-panel").hidden = true;
    panel.hidden = false;
  });

  // Canned replies: "/" at the start of the reply box lists them, filled in for this conversation.
  const box = $("composer-text"), menu = $("canned");
  let replies = null, repliesFor = null, choices = [], active = 0;
  // One request per conversation, shared by the keystrokes that wait for it.
  function load() {
    if (repliesFor !== kefu.current()) {
      repliesFor = kefu.current();
      replies = api("GET", "/api/v1/canned-replies?conversation=" + repliesFor).then((d) => d.data).catch(() => []);
    }
    return replies;
  }
  function hide() { menu.hidden = true; choices = []; box.removeAttribute("aria-activedescendant"); }
  function show() {
    menu.replaceChildren();
    choices.forEach((reply, index) => {
      const option = el("li", "canned-option" + (index === active ? " active" : ""));
      option.id = "canned-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", String(index === active));
      option.appendChild(el("code", null, "/" + reply.shortcut));
      option.appendChild(el("span", null, " " + (reply.rendered ?? reply.body)));
      option.addEventListener("mousedown", (e) => { e.preventDefault(); pick(index); });
      menu.appendChild(option);
    });
    menu.hidden = choices.length === 0;
    if (choices.length) box.setAttribute("aria-activedescendant", "canned-" + active);
  }
  function pick(index) {
    const reply = choices[index];
    if (!reply) return;
    box.value = reply.rendered ?? reply.body;
    hide();
    box.focus();
  }
  box.addEventListener("input", async () => {
    if (!/^\/\S*$/.test(box.value)) return hide();
    const all = await load();
    // Read the box again: more keys may have arrived while the list loaded.
    const match = /^\/(\S*)$/.exec(box.value);
    if (!match) return hide();
    const prefix = match[1].toLowerCase();
    choices = all.filter((r) => r.shortcut.startsWith(prefix)).slice(0, 8);
    active = 0;
    show();
  });
  box.addEventListener("keydown", (event) => {
    if (menu.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : choices.length - 1)) % choices.length;
      show();
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      pick(active);
    } else if (event.key === "Escape") {
      hide();
    }
  });
  box.addEventListener("blur", () => setTimeout(hide, 150));

  // The customer panel: attributes, other conversations, and editing the profile.
  let contactID = null;
  async function loadContact(conversation) {
    contactID = conversation.contact_id;
    if (!contactID) return;
    const data = await api("GET", "/api/v1/contacts/" + contactID).catch(() => null);
    if (!data || kefu.current() !== conversation.id) return;
    const fields = $("contact-attributes");
    fields.replaceChildren();
    for (const [key, value] of Object.entries(data.contact.attributes || {})) {
      fields.appendChild(el("dt", null, key));
      fields.appendChild(el("dd", null, value));
    }
    $("contact-name").value = data.contact.name || "";
    $("contact-email").value = data.contact.email || "";
    $("contact-phone").value = data.contact.phone || "";
    $("contact-status").textContent = "";
    const others = $("contact-conversations");
    others.replaceChildren();
    for (const c of data.conversations.filter((c) => c.id !== conversation.id)) {
      const item = el("li");
      const link = el("a", null, t("status_" + c.status) + " · " + (c.preview || c.id.slice(0, 8)));
      link.href = "#" + c.id;
      link.addEventListener("click", (e) => { e.preventDefault(); kefu.open(c.id); });
      item.appendChild(link);
      others.appendChild(item);
    }
  }
  document.addEventListener("kefu:opened", (event) => loadContact(event.detail));
  $("contact-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!contactID) return;
    const body = {};
    for (const key of ["name", "email", "phone"]) {
      const value = $("contact-" + key).value.trim();
      if (value) body[key] = value;
    }
    try {
      await api("PATCH", "/api/v1/contacts/" + contactID, body);
      $("contact-status").textContent = t("saved_contact");
    } catch (e) {
      $("contact-status").textContent = t("failed") + e.message;
    }
  });
});

// Kefu chat widget: <script src="https://HOST/static/widget.js" data-key="wk_…" async></script>
// No framework. Speaks docs/CHAT-PROTOCOL.md v1; keeps its visitor token, conversation, last sequence number and
// unacknowledged messages in localStorage, so a reload or a dropped network resumes without losing or doubling.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.key) return;
  var key = script.dataset.key;
  var base = new URL(script.src, location.href);
  var origin = base.origin;
  var storeKey = "kefu:" + key;
  var state = load();
  var texts = {};
  var socket = null, retry = 0, unread = 0, open = false, shown = {}, pingTimer = null, typingTimer = null;
  // Whether people answer now (from the settings, then from queue frames), and the leave-a-message frame in flight.
  var availability = { available: true }, leaveID = null;
  var typingSentAt = 0, readSent = 0;
  // Errors that a resend cannot cure: the message is dropped from the queue and marked as not sent.
  var final = { validation_failed: true, not_found: true, conflict: true, forbidden: true, body_too_large: true };

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
  }
  function save() {
    try { localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* private mode: this page only */ }
  }
  function t(name) { return texts[name] || name; }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;  // always text: nothing a customer or agent typed is HTML
    return node;
  }
  // A drawn paperclip: emoji fonts are not on every machine.
  function paperclip() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "18");
    svg.setAttribute("height", "18");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5");
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "1.8");
    path.setAttribute("stroke-linecap", "round");
    svg.appendChild(path);
    return svg;
  }
  function uid() {
    if (window.crypto && crypto.randomUUID) return "w-" + crypto.randomUUID();
    return "w-" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  var host = el("div");
  host.id = "kefu-widget";
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var style = el("link");
  style.rel = "stylesheet";
  style.href = origin + "/static/widget.css";
  root.appendChild(style);
  var launcher = el("button", "launcher");
  launcher.type = "button";
  var launcherText = el("span", "label");
  var badge = el("span", "badge");
  badge.hidden = true;
  launcher.appendChild(launcherText);
  launcher.appendChild(badge);
  var panel = el("section", "panel");
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  var header = el("header");
  var title = el("h2");
  var closeButton = el("button", "close", "×");
  closeButton.type = "button";
  header.appendChild(title);
  header.appendChild(closeButton);
  var log = el("ol", "log");
  log.setAttribute("aria-live", "polite");
  var status = el("p", "status");
  status.setAttribute("role", "status");
  // The customer's place in the queue while they wait for an agent.
  var queueNote = el("p", "queue");
  queueNote.setAttribute("role", "status");
  queueNote.hidden = true;
  // Leaving a message (留言) when nobody can answer: a way back, and the message unless the chat already says it.
  var leave = el("form", "leave");
  leave.hidden = true;
  leave.noValidate = true;
  var leaveIntro = el("p", "intro");
  var leaveName = field("text", 100, "name");
  var leaveEmail = field("email", 254, "email");
  var leavePhone = field("tel", 32, "tel");
  var leaveText = el("textarea");
  leaveText.rows = 3;
  leaveText.maxLength = 5000;
  var leaveError = el("p", "error");
  leaveError.setAttribute("role", "alert");
  var leaveSubmit = el("button", "leave-send");
  leaveSubmit.type = "submit";
  // Folded behind a button while the chat goes on (the composer stays usable); unfolded when there is no chat yet.
  var leaveOpen = el("button", "leave-open");
  leaveOpen.type = "button";
  var leaveFields = el("div", "fields");
  [leaveName.label, leaveEmail.label, leavePhone.label, leaveText, leaveError, leaveSubmit].forEach(function (node) {
    leaveFields.appendChild(node);
  });
  leave.appendChild(leaveIntro);
  leave.appendChild(leaveOpen);
  leave.appendChild(leaveFields);
  var form = el("form");
  var input = el("textarea");
  input.rows = 2;
  input.maxLength = 5000;
  var fileInput = el("input");
  fileInput.type = "file";
  fileInput.hidden = true;
  fileInput.accept = "image/png,image/jpeg,image/gif,image/webp,application/pdf,application/zip,text/plain";
  var attachButton = el("button", "attach");
  attachButton.type = "button";
  attachButton.appendChild(paperclip());
  var humanButton = el("button", "human");
  humanButton.type = "button";
  var sendButton = el("button", "send");
  sendButton.type = "submit";
  form.appendChild(input);
  form.appendChild(fileInput);
  form.appendChild(attachButton);
  form.appendChild(humanButton);
  form.appendChild(sendButton);
  panel.appendChild(header);
  panel.appendChild(queueNote);
  panel.appendChild(log);
  panel.appendChild(status);
  panel.appendChild(form);
  // After the composer in the document (its textarea and send button come first), shown above the log (CSS order).
  panel.appendChild(leave);
  root.appendChild(launcher);
  root.appendChild(panel);

  function field(type, max, autocomplete) {
    var label = el("label");
    var caption = el("span");
    var input = el("input");
    input.type = type;
    input.maxLength = max;
    input.autocomplete = autocomplete;
    label.appendChild(caption);
    label.appendChild(input);
    return { label: label, caption: caption, input: input };
  }

  function label() {
    leaveName.caption.textContent = t("leave_name");
    leaveEmail.caption.textContent = t("leave_email");
    leavePhone.caption.textContent = t("leave_phone");
    leaveText.setAttribute("aria-label", t("leave_text"));
    leaveText.placeholder = t("leave_text");
    leaveSubmit.textContent = t("leave_submit");
    leaveOpen.textContent = t("leave_again");
    launcherText.textContent = t("open");
    closeButton.setAttribute("aria-label", t("close"));
    panel.setAttribute("aria-label", t("title"));
    input.setAttribute("aria-label", t("placeholder"));
    input.placeholder = t("placeholder");
    humanButton.textContent = t("human");
    attachButton.setAttribute("aria-label", t("attach"));
    attachButton.title = t("attach");
    sendButton.textContent = t("send");
  }

  function setOpen(value) {
    open = value;
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      if (!socket) connect();
      showAvailability();
      unread = 0;
      showBadge();
      input.focus();
      markRead();
    }
  }
  // Before any conversation waits: outside hours say when people are back; without a bot, offer a message at once.
  function showAvailability() {
    if (availability.available || !queueNote.hidden) return;
    if (!availability.bot && availability.reason) { offerLeave(availability.reason, availability.opens_at); return; }
    if (availability.reason === "closed" && availability.opens_at) {
      queueNote.textContent = t("agents_offline").replace("{time}", when(availability.opens_at));
      queueNote.hidden = false;
    }
  }
  function showBadge() {
    badge.hidden = unread === 0;
    badge.textContent = String(unread);
    badge.setAttribute("aria-label", unread + " " + t("unread"));
  }

  function render(message) {
    if (shown[message.seq] || message.private) return;
    shown[message.seq] = true;
    var item = el("li", "msg " + message.sender);
    item.dataset.seq = String(message.seq);
    if (message.kind === "event") {
      var event = message.event || {};
      if (event.event === "assigned") item.appendChild(el("span", "line", t("assigned").replace("{name}", event.name || t("agent"))));
      else if (event.event === "resolved") item.appendChild(el("span", "line", t("resolved")));
      else if (event.event === "ticket" && event.link) {
        item.appendChild(el("span", "line", t("ticket").replace("{number}", event.number || "") + " "));
        var follow = el("a", "ticket-link", t("ticket_follow"));
        follow.href = new URL(event.link, origin).href;
        follow.target = "_blank";
        follow.rel = "noopener";
        item.appendChild(follow);
      }
      else return;
    } else {
      var who = message.sender === "customer" ? t("you") : message.sender === "bot" ? t("bot") : t("agent");
      item.appendChild(el("span", "who", who));
      if (message.attachment) item.appendChild(fileView(message.attachment));
      else item.appendChild(el("p", "text", message.text));
      if (message.sources && message.sources.length) {
        var sources = el("div", "sources", t("sources"));
        message.sources.forEach(function (source) {
          if (source.url) {
            var link = el("a", null, source.title);
            link.href = new URL(source.url, origin).href;
            link.target = "_blank";
            link.rel = "noopener";
            sources.appendChild(link);
          } else {
            sources.appendChild(el("span", null, source.title));
          }
        });
        item.appendChild(sources);
      }
    }
    // Keep the list in sequence order whatever order frames arrive in.
    var after = null;
    for (var i = log.children.length - 1; i >= 0; i--) {
      var other = log.children[i];
      if (!other.dataset.seq || Number(other.dataset.seq) < message.seq) break;
      after = other;
    }
    log.insertBefore(item, after);
    log.scrollTop = log.scrollHeight;
    if (message.sender !== "customer" && !open) { unread += 1; showBadge(); }
  }

  // An image inline (a link to the full size), any other file as a download link; names are always text.
  function fileView(file) {
    var link = el("a", "file");
    link.href = new URL(file.url, origin).href;
    link.target = "_blank";
    link.rel = "noopener";
    if (/^image\//.test(file.content_type)) {
      var image = el("img");
      image.src = link.href;
      image.alt = file.name;
      image.loading = "lazy";
      link.appendChild(image);
    } else {
      link.textContent = file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)";
      link.setAttribute("download", file.name);
    }
    return link;
  }

  function pendingItem(entry) {
    var item = el("li", "msg customer pending");
    item.dataset.pending = entry.id;
    item.appendChild(el("span", "who", t("you")));
    item.appendChild(el("p", "text", entry.text));
    item.appendChild(el("span", "sending", t("sending")));
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function lastShown() {
    var seqs = Object.keys(shown).map(Number);
    return seqs.length ? Math.max.apply(null, seqs) : 0;
  }
  function send(frame) {
    if (socket && socket.readyState === 1) { socket.send(JSON.stringify(frame)); return true; }
    return false;
  }
  function markRead() {
    if (!open || !state.conversation || !state.lastSeq || state.lastSeq <= readSent) return;
    if (send({ type: "read", conversation: state.conversation, seq: state.lastSeq })) readSent = state.lastSeq;
  }
  // A message of another conversation (the customer started a new one): show that one from its start.
  function follow(conversation) {
    if (conversation === state.conversation) return;
    state.conversation = conversation;
    state.lastSeq = 0;
    readSent = 0;
    shown = {};
    Array.prototype.slice.call(log.children).forEach(function (item) { if (!item.dataset.pending) item.remove(); });
    save();
  }
  function flushPending() {
    (state.pending || []).forEach(function (entry) {
      var frame = { type: "send", id: entry.id, text: entry.text };
      if (state.conversation) frame.conversation = state.conversation;
      send(frame);
    });
  }

  function connect() {
    var url = (base.protocol === "https:" ? "wss://" : "ws://") + base.host + "/ws/v1/widget";
    socket = new WebSocket(url);
    socket.onopen = function () {
      retry = 0;
      status.textContent = "";
      var hello = { type: "hello", v: 1, widget_key: key, locale: texts.__locale || "en" };
      if (state.token) hello.visitor_token = state.token;
      send(hello);
      clearInterval(pingTimer);
      pingTimer = setInterval(function () { send({ type: "ping" }); }, 25000);
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      handle(frame);
    };
    socket.onclose = function (event) {
      clearInterval(pingTimer);
      readSent = 0;
      if (event.code === 4401 && state.token) {
        // A token this shop no longer knows: start afresh as a new visitor, keeping what was not sent yet.
        state = { pending: state.pending || [] };
        save();
        shown = {};
        log.replaceChildren();
        state.pending.forEach(pendingItem);
      }
      status.textContent = t("offline");
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 500 * Math.pow(2, retry - 1) + Math.random() * 300);
    };
  }

  function handle(frame) {
    switch (frame.type) {
      case "welcome":
        state.token = frame.visitor_token;
        if (frame.conversation) follow(frame.conversation);
        save();
        // A fresh page shows the whole conversation; a reconnect within the page asks only for what it missed.
        if (state.conversation) send({ type: "subscribe", conversation: state.conversation, last_seq: lastShown() });
        else flushPending();
        break;
      case "synced":
        flushPending();
        markRead();
        break;
      case "ack":
        follow(frame.conversation);
        if (frame.id === leaveID) left(frame);
        state.pending = (state.pending || []).filter(function (entry) { return entry.id !== frame.id; });
        save();
        var item = log.querySelector('[data-pending="' + CSS.escape(frame.id) + '"]');
        if (item) item.remove();
        break;
      case "message":
        follow(frame.conversation);
        var message = frame.message;
        if (message.client_id) {
          var pending = log.querySelector('[data-pending="' + CSS.escape(message.client_id) + '"]');
          if (pending) pending.remove();
        }
        render(message);
        if (message.seq > (state.lastSeq || 0)) { state.lastSeq = message.seq; save(); }
        markRead();
        break;
      case "conversation":
        if (frame.state && frame.state.status === "open" && frame.state.last_seq) status.textContent = "";
        break;
      case "queue":
        showPlace(frame);
        break;
      case "typing":
        status.textContent = frame.typing ? (frame.name || t("agent")) + " " + t("typing") : "";
        break;
      case "error":
        if (frame.id && frame.id === leaveID) { leaveID = null; leaveError.textContent = frame.detail || frame.code; break; }
        if (frame.id && final[frame.code]) failed(frame.id, frame.message);
        // Anything else (a rate limit, the server's database restarting) is cured by sending again: it stores once.
        else if (frame.id) setTimeout(flushPending, 1500);
        break;
    }
  }

  function when(iso) {
    return new Date(iso).toLocaleString(texts.__locale === "zh-CN" ? "zh-CN" : "en", {
      weekday: "short", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit"
    });
  }
  // Why nobody answers now, in words; "" when someone does.
  function awayText(reason, opensAt) {
    if (reason === "closed") return opensAt ? t("offline_closed").replace("{time}", when(opensAt)) : t("offline_nobody");
    if (reason === "nobody_online") return t("offline_nobody");
    return "";
  }
  function offerLeave(reason, opensAt) {
    if (state.left && state.left === state.conversation) return;
    var wasHidden = leave.hidden;
    queueNote.textContent = awayText(reason, opensAt);
    queueNote.hidden = false;
    leaveIntro.textContent = t("leave_intro");
    leaveText.required = !state.conversation;
    leave.hidden = false;
    if (wasHidden) {
      leaveError.textContent = "";
      unfold(!state.conversation);
    }
  }
  function unfold(open) {
    leaveFields.hidden = !open;
    leaveOpen.hidden = open;
  }
  function left(frame) {
    leaveID = null;
    state.left = frame.conversation;
    save();
    leave.hidden = true;
    var contact = leaveEmail.input.value.trim() || leavePhone.input.value.trim();
    queueNote.textContent = t("leave_thanks").replace("{contact}", contact);
    queueNote.dataset.left = "true";
    queueNote.hidden = false;
    leaveText.value = "";
  }

  function showPlace(frame) {
    if (!frame.waiting) {
      queueNote.hidden = true;
      queueNote.textContent = "";
      leave.hidden = true;
      return;
    }
    if (frame.available === false) {
      availability = { available: false, reason: frame.reason, opens_at: frame.opens_at };
      if (state.left && state.left === frame.conversation) return;  // the thanks stay
      queueNote.textContent = awayText(frame.reason, frame.opens_at);
      queueNote.dataset.position = String(frame.position);
      queueNote.hidden = false;
      offerLeave(frame.reason, frame.opens_at);
      return;
    }
    leave.hidden = true;
    var text = frame.position === 1 ? t("queue_next") : t("queue_position").replace("{position}", String(frame.position));
    if (frame.estimated_wait_s) {
      var minutes = Math.max(1, Math.round(frame.estimated_wait_s / 60));
      text += " · " + t("queue_wait").replace("{minutes}", String(minutes));
    }
    queueNote.textContent = text;
    queueNote.dataset.position = String(frame.position);
    queueNote.hidden = false;
  }

  function failed(id, reason) {
    var before = (state.pending || []).length;
    state.pending = (state.pending || []).filter(function (entry) { return entry.id !== id; });
    if (state.pending.length === before) return;
    save();
    var item = log.querySelector('[data-pending="' + CSS.escape(id) + '"]');
    if (!item) return;
    item.classList.add("failed");
    var note = item.querySelector(".sending");
    if (note) note.textContent = t("not_sent") + (reason ? ": " + reason : "");
    item.removeAttribute("data-pending");
  }

  leaveOpen.addEventListener("click", function () { unfold(true); leaveEmail.input.focus(); });
  leave.addEventListener("input", function () { leaveError.textContent = ""; });
  leave.addEventListener("submit", function (event) {
    event.preventDefault();
    var email = leaveEmail.input.value.trim(), phone = leavePhone.input.value.trim(), text = leaveText.value.trim();
    if (!email && !phone) { leaveError.textContent = t("leave_need_contact"); return; }
    if (!state.conversation && !text) { leaveError.textContent = t("leave_text"); leaveText.focus(); return; }
    leaveID = uid();
    var frame = { type: "leave_message", id: leaveID, text: text, email: email, phone: phone, name: leaveName.input.value.trim() };
    if (state.conversation) frame.conversation = state.conversation;
    leaveError.textContent = "";
    if (!socket) connect();
    var attempt = function (left) {
      if (frame.id !== leaveID) return;
      if (send(frame)) return;
      if (left > 0) setTimeout(function () { attempt(left - 1); }, 500);
      else { leaveID = null; leaveError.textContent = t("offline"); }
    };
    attempt(20);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    var entry = { id: uid(), text: text };
    state.pending = (state.pending || []).concat([entry]);
    save();
    pendingItem(entry);
    input.value = "";
    var frame = { type: "send", id: entry.id, text: text };
    if (state.conversation) frame.conversation = state.conversation;
    send(frame);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); form.requestSubmit(); }
  });
  input.addEventListener("input", function () {
    if (!state.conversation) return;
    // At most one "typing" every three seconds, and one "stopped" after a pause.
    if (Date.now() - typingSentAt > 3000 && send({ type: "typing", conversation: state.conversation, typing: true })) {
      typingSentAt = Date.now();
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () {
      typingSentAt = 0;
      send({ type: "typing", conversation: state.conversation, typing: false });
    }, 3000);
  });
  attachButton.addEventListener("click", function () { fileInput.click(); });
  fileInput.addEventListener("change", function () {
    var file = fileInput.files && fileInput.files[0];
    fileInput.value = "";
    if (!file || !state.token) return;
    var entry = { id: uid(), text: file.name };
    pendingItem(entry);
    var item = log.querySelector('[data-pending="' + CSS.escape(entry.id) + '"]');
    if (item) item.querySelector(".sending").textContent = t("uploading");
    var url = origin + "/api/v1/widget/" + encodeURIComponent(key) + "/attachments?name=" + encodeURIComponent(file.name) +
      "&client_id=" + encodeURIComponent(entry.id) + "&locale=" + encodeURIComponent(texts.__locale || "en");
    if (state.conversation) url += "&conversation=" + encodeURIComponent(state.conversation);
    var attempt = function (left) {
      fetch(url, { method: "POST", headers: { "X-Kefu-Visitor": state.token, "Content-Type": "application/octet-stream" }, body: file })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (body) { return { response: response, body: body }; });
        })
        .then(function (result) {
          if (result.response.ok) {
            follow(result.body.conversation_id);
            if (item) item.remove();
            render(result.body);
            return;
          }
          // Refused for good (too large, a type we do not take, storage full): say so; a busy server or a spent
          // allowance is retried, after the time the server names (at most a minute).
          var code = result.response.status;
          var retriable = code === 429 || (code >= 500 && code !== 507);
          if (!retriable || left <= 0) {
            state.pending = (state.pending || []).concat([entry]);
            failed(entry.id, result.body.error && result.body.error.message);
          } else {
            var wait = code === 429 ? Math.min(60, Number(result.response.headers.get("Retry-After")) || 2) : 2;
            setTimeout(function () { attempt(left - 1); }, wait * 1000);
          }
        })
        .catch(function () {
          if (left > 0) { setTimeout(function () { attempt(left - 1); }, 2000); return; }
          state.pending = (state.pending || []).concat([entry]);
          failed(entry.id, "");
        });
    };
    attempt(3);
  });
  humanButton.addEventListener("click", function () {
    if (state.conversation) send({ type: "handoff", conversation: state.conversation });
    else { input.value = t("human"); form.requestSubmit(); }
  });
  launcher.addEventListener("click", function () { setOpen(!open); });
  closeButton.addEventListener("click", function () { setOpen(false); launcher.focus(); });
  panel.addEventListener("keydown", function (event) { if (event.key === "Escape") { setOpen(false); launcher.focus(); } });

  var wanted = (script.dataset.locale || navigator.language || "en").toLowerCase().indexOf("zh") === 0 ? "zh-CN" : "en";
  fetch(origin + "/api/v1/widget/" + encodeURIComponent(key) + "?locale=" + wanted)
    .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
    .then(function (settings) {
      texts = settings.strings || {};
      texts.__locale = settings.locale;
      availability = {
        available: settings.available !== false, reason: settings.reason, opens_at: settings.opens_at, bot: settings.bot_active
      };
      host.style.setProperty("--kefu-brand", settings.brand_color);
      title.textContent = settings.name;
      label();
      (state.pending || []).forEach(pendingItem);
      document.body.appendChild(host);
      // A returning visitor resumes at once (replies and the unread badge); a new one only when they open the chat,
      // so page views alone make no contacts.
      if (state.token || (state.pending || []).length) connect();
    })
    .catch(function () { /* an unknown key: no widget */ });
})();

// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector("[data-nav-toggle]");
  const nav = document.getElementById("main-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  document.querySelectorAll("[data-select-on-focus]").forEach((input) => {
    input.addEventListener("focus", () => input.select());
  });
  document.querySelectorAll("time[datetime]").forEach((el) => {
    const d = new Date(el.getAttribute("datetime"));
    if (!isNaN(d)) el.textContent = d.toLocaleString(document.documentElement.lang || undefined);
  });

  // Knowledge base: live Markdown preview, rendered and sanitised by the server.
  document.querySelectorAll("textarea[data-preview]").forEach((area) => {
    const target = document.querySelector(area.getAttribute("data-preview"));
    if (!target) return;
    let timer;
    area.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const response = await fetch("/api/v1/kb/preview", {
          method: "POST", headers: { "content-type": "application/json" }, credentials: "same-origin",
          body: JSON.stringify({ body: area.value }),
        });
        if (response.ok) target.innerHTML = (await response.json()).html;
      }, 250);
    });
  });
  // Bot models: reload while a training job runs.
  const training = document.querySelector("[data-refresh-while]");
  if (training) setTimeout(() => window.location.replace(window.location.pathname), 2000);
  // Help center ticket form: articles that may answer the question, as the subject is typed; opening one is counted.
  const ticketForm = document.getElementById("ticket-form");
  const suggestions = document.getElementById("ticket-suggestions");
  if (ticketForm && suggestions) {
    const subject = document.getElementById("ticket-subject");
    const list = suggestions.querySelector("ul");
    let wait;
    let asked = 0;
    subject.addEventListener("input", () => {
      clearTimeout(wait);
      wait = setTimeout(async () => {
        const q = subject.value.trim();
        const mine = ++asked;
        if (q.length < 2) { suggestions.hidden = true; return; }
        const response = await fetch(ticketForm.dataset.searchApi + "&limit=5&q=" + encodeURIComponent(q));
        if (!response.ok || mine !== asked) return;
        const results = (await response.json()).results;
        list.replaceChildren(...results.map((result) => {
          const item = document.createElement("li");
          const link = document.createElement("a");
          link.href = result.url;
          link.target = "_blank";
          link.rel = "noopener";
          link.textContent = result.title;
          link.className = "ticket-suggestion";
          link.addEventListener("click", () => {
            const id = (result.url.match(/articles\/([0-9A-Fa-f-]{36})/) || [])[1];
            if (!id) return;
            fetch(ticketForm.dataset.deflectApi, {
              method: "POST", keepalive: true, headers: { "Content-Type": "application/json" },
              body: JSON.stringify({ article_id: id }),
            });
          });
          item.appendChild(link);
          return item;
        }));
        suggestions.hidden = results.length === 0;
      }, 250);
    });
  }

  // Help center: the workspace's colour, search as you type, votes.
  const brand = document.body.getAttribute("data-brand");
  if (brand && /^#[0-9a-fA-F]{6}$/.test(brand)) document.body.style.setProperty("--brand", brand);
  const search = document.getElementById("portal-search");
  const live = document.getElementById("portal-live-results");
  if (search && live) {
    const input = search.querySelector("input[name=q]");
    const api = search.getAttribute("data-search-api");
    const locale = search.getAttribute("data-locale");
    let timer;
    let latest = 0;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const q = input.value.trim();
        const ticket = ++latest;
        if (!q) { live.replaceChildren(); return; }
        const response = await fetch(api + "?locale=" + encodeURIComponent(locale) + "&q=" + encodeURIComponent(q));
        if (!response.ok || ticket !== latest) return;
        const list = document.createElement("ul");
        list.className = "plain";
        for (const result of (await response.json()).results) {
          const item = document.createElement("li");
          const link = document.createElement("a");
          link.href = result.url;
          link.textContent = result.title;
          item.append(link, document.createElement("br"));
          const snippet = document.createElement("span");
          snippet.className = "snippet";
          let rest = result.snippet;
          for (const word of result.highlights) {
            const at = rest.indexOf(word);
            if (at < 0) continue;
            const mark = document.createElement("mark");
            mark.textContent = word;
            snippet.append(rest.slice(0, at), mark);
            rest = rest.slice(at + word.length);
          }
          snippet.append(rest);
          item.append(snippet);
          list.append(item);
        }
        live.replaceChildren(list);
      }, 150);
    });
  }
  const vote = document.getElementById("portal-vote");
  if (vote) {
    vote.querySelectorAll("button[data-helpful]").forEach((button) => {
      button.addEventListener("click", async () => {
        const response = await fetch(vote.getAttribute("data-vote-url"), {
          method: "POST", headers: { "content-type": "application/json" }, credentials: "same-origin",
          body: JSON.stringify({ helpful: button.getAttribute("data-helpful") === "true" }),
        });
        if (response.ok) {
          vote.querySelectorAll("button").forEach((b) => { b.disabled = true; });
          document.getElementById("vote-thanks").hidden = false;
        }
      });
    });
  }
});

/* AIGO web pages: the web chat and shared helpers. No build step; served as is. */
"use strict";

const AIGO = {
  /* The page can be used: marked once (the browser tests read it as time to interactive). */
  ready() {
    if (document.body.dataset.ready) return;
    document.body.dataset.ready = "1";
    performance.mark("aigo-interactive");
  },
  csrf() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  },
  async postJSON(url, data) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": AIGO.csrf() },
      body: JSON.stringify(data),
    });
    const body = await response.json().catch(() => ({}));
    return { ok: response.ok, status: response.status, body };
  },
};

/* Text with its URLs as links, built from DOM nodes (never innerHTML). */
function appendLinked(parent, text) {
  const parts = text.split(/(https?:\/\/[^\s]+)/g);
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      const a = document.createElement("a");
      a.href = part;
      a.textContent = part;
      parent.appendChild(a);
    } else if (part) {
      parent.appendChild(document.createTextNode(part));
    }
  });
}

function initChat(root) {
  const log = root.querySelector("#log");
  const form = root.querySelector("#composer");
  const input = root.querySelector("#message");

  function bubble(who, text) {
    const li = document.createElement("li");
    li.className = "msg " + who;
    appendLinked(li, text);
    log.appendChild(li);
    li.scrollIntoView({ block: "end" });
    return li;
  }

  function buttons(list) {
    const li = document.createElement("li");
    li.className = "buttons";
    list.forEach((b) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = b.title;
      button.addEventListener("click", () => send(b.payload, b.title));
      li.appendChild(button);
    });
    log.appendChild(li);
    li.scrollIntoView({ block: "end" });
  }

  function links(list) {
    const li = document.createElement("li");
    li.className = "buttons";
    list.forEach((l) => {
      const a = document.createElement("a");
      a.className = "button primary";
      a.href = l.url;
      a.textContent = l.title;
      li.appendChild(a);
    });
    log.appendChild(li);
  }

  async function send(text, shown) {
    if (shown !== null) bubble("user", shown || text);
    root.classList.add("busy");
    const { ok, body } = await AIGO.postJSON("/chat/messages", { text });
    root.classList.remove("busy");
    if (!ok) {
      bubble("bot error", body.error || root.dataset.error);
      return;
    }
    body.replies.forEach((r) => {
      if (r.text) bubble("bot", r.text);
      if (r.buttons) buttons(r.buttons);
      if (r.links) links(r.links);
    });
    AIGO.ready();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
  send("/greet", null);
}

/* Inside LINE (LINE_LIFF_ID set): a page that asks for the chat's link signs in with LINE's ID
   token instead (the server verifies it with LINE), then loads again. */
async function liffSignIn(notice) {
  const liffId = document.body.dataset.liffId;
  if (!liffId || !window.liff || !notice || notice.dataset.message !== "need_link") return;
  const say = (text) => { notice.querySelector("p").textContent = text; };
  try {
    say(notice.dataset.liffWait);
    await window.liff.init({ liffId });
    if (!window.liff.isLoggedIn()) {
      window.liff.login({ redirectUri: location.href });
      return;
    }
    const { ok } = await AIGO.postJSON("/liff/session", { id_token: window.liff.getIDToken() });
    if (ok) location.reload();
    else say(notice.dataset.liffFailed);
  } catch (error) {
    say(notice.dataset.liffFailed);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const chat = document.getElementById("chat");
  if (chat) initChat(chat);
  else AIGO.ready();
  liffSignIn(document.querySelector("[data-message]"));
});

/* AIGO web pages: the web chat, the challenge form and shared helpers. No build step; served as is. */
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
    show(body.replies);
    AIGO.ready();
  }

  function show(replies) {
    replies.forEach((r) => {
      if (r.text) bubble(r.notice ? "bot notice" : "bot", r.text);
      if (r.buttons) buttons(r.buttons);
      if (r.links) links(r.links);
    });
  }

  /* Notices (a challenge returned, a team changed) arrive while the page is open. */
  async function poll() {
    if (document.visibilityState !== "visible" || root.classList.contains("busy")) return;
    const { ok, body } = await AIGO.postJSON("/chat/notices", {});
    if (ok) show(body.replies);
  }
  setInterval(poll, 60000);

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

/* The challenge form: live messages from the chat's own checks while typing (a pause of
   CHECK_DELAY ms), autosave of a field when it is left, and the presentation's size checked
   before it is sent (the server checks again, and checks the type by content). */
const CHECK_DELAY = 500;

function initChallengeForm(form) {
  const status = document.getElementById("save-status");
  const timers = new Map();
  let pending = Promise.resolve();

  function show(input, message) {
    const box = document.getElementById("m-" + input.name);
    if (box) box.textContent = message || "";
    input.closest(".form-field").classList.toggle("invalid", Boolean(message));
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  async function check(input) {
    const value = input.value;
    const { ok, body } = await AIGO.postJSON(form.dataset.checkUrl, { field: input.name, value });
    if (ok && input.value === value) show(input, body.message);
  }

  function save(input) {
    status.textContent = form.dataset.saving;
    pending = pending.then(async () => {
      const fields = { [input.name]: input.value };
      const { ok, body } = await AIGO.postJSON(form.dataset.saveUrl, { fields });
      if (!ok) {
        status.textContent = body.error || form.dataset.saveFailed;
        return;
      }
      show(input, (body.problems || {})[input.name]);
      status.textContent = body.status || "";
    }).catch(() => { status.textContent = form.dataset.saveFailed; });
    return pending;
  }

  form.querySelectorAll(".form-field input:not([type=file]), .form-field select, .form-field textarea")
    .forEach((input) => {
      input.addEventListener("input", () => {
        clearTimeout(timers.get(input));
        timers.set(input, setTimeout(() => {
          if (input.value.trim()) check(input);
          else show(input, "");
        }, CHECK_DELAY));
      });
      input.addEventListener("change", () => {
        clearTimeout(timers.get(input));
        save(input);
      });
    });

  const upload = document.getElementById("upload-form");
  const file = document.getElementById("presentation");
  const chosenName = document.getElementById("file-chosen");
  if (file && chosenName) {
    file.addEventListener("change", () => {
      if (file.files[0]) chosenName.textContent = file.files[0].name;
    });
  }
  if (upload && file) {
    upload.addEventListener("submit", async (event) => {
      event.preventDefault();
      const chosen = file.files[0];
      if (chosen && chosen.size > Number(file.dataset.maxBytes)) {
        document.getElementById("m-challenge_presentation").textContent = form.dataset.tooLarge;
        file.closest(".form-field").classList.add("invalid");
        return;
      }
      await pending; /* the field just left is saved before the page reloads */
      upload.submit();
    });
  }
  AIGO.ready();
}

/* "Copy" buttons: data-copy names the input whose value goes to the clipboard. */
function initCopy(button) {
  button.addEventListener("click", async () => {
    const input = document.getElementById(button.dataset.copy);
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      button.textContent = button.dataset.done;
    } catch (error) {
      /* the text stays selected for a manual copy */
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-copy]").forEach(initCopy);
  const chat = document.getElementById("chat");
  const challengeForm = document.getElementById("challenge-form");
  if (chat) initChat(chat);
  else if (challengeForm) initChallengeForm(challengeForm);
  else AIGO.ready();
  liffSignIn(document.querySelector("[data-message]"));
});

// The live parts of the desk and the chat: no framework, no build. Every page works without it;
// with it, the queue and the ticket follow changes, and the chat answers in place.
"use strict";

function every(ms, fn) { fn(); return setInterval(fn, ms); }

async function getJSON(url) {
  const r = await fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"});
  if (!r.ok) throw new Error(url + ": " + r.status);
  return r.json();
}

function followQueue(box) {
  every(2000, async () => {
    try {
      const {version} = await getJSON("/desk/changes");
      if (String(version) === box.dataset.version) return;
      const r = await fetch(box.dataset.liveRows, {credentials: "same-origin"});
      if (!r.ok) return;
      box.innerHTML = await r.text();
      box.dataset.version = String(version);
    } catch (e) { /* the next tick tries again */ }
  });
}

function followTicket(box) {
  every(2000, async () => {
    try {
      const {version} = await getJSON("/desk/changes");
      if (String(version) === box.dataset.version) return;
      const typing = [...document.querySelectorAll("textarea, input[name=to]")].some(el => el.value.trim());
      if (!typing) location.replace(location.pathname);
      else box.dataset.version = String(version);
    } catch (e) { /* the next tick tries again */ }
  });
}

function cannedReplies() {
  for (const pick of document.querySelectorAll("select[data-role=canned]")) {
    pick.addEventListener("change", () => {
      const area = pick.closest("form").querySelector("textarea[name=text]");
      if (pick.value && area) area.value = pick.value;
    });
  }
}

const TABLE = /^-{3,}(?: {2,}-{3,})*[ \t]*$/m;   // a table's rule of dashes (pages.py's TABLE)

// what the pages' one sanitiser (sanitize.safe) shows of a control, bidi or invisible character: its escape
// ("\u202e"), so a line can never reverse the text around it or draw an empty bubble; tabs and line breaks kept
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;
function visible(text) {
  return String(text).replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code < 256 ? "\\x" + code.toString(16).padStart(2, "0") : "\\u" + code.toString(16).padStart(4, "0");
  });
}

function line(list, from, text, kind) {
  const li = document.createElement("li");
  li.dataset.from = from;
  if (kind) li.className = kind;
  if (from === "assistant" && TABLE.test(text || "")) li.classList.add("table");   // its columns line up
  li.textContent = visible(text);
  list.appendChild(li);
  li.scrollIntoView({block: "nearest"});
  return li;
}

// the feedback box under an answer, as chat.html draws it for the newest one after a reload
function feedback(list, question, answer) {
  const words = list.dataset;
  const box = document.createElement("li");
  box.dataset.role = "feedback";
  box.className = "feedback";
  box.dataset.question = question;
  box.dataset.answer = answer;
  const ask = document.createElement("span");
  ask.textContent = words.helpful + " ";
  box.appendChild(ask);
  for (const [value, label] of [["yes", words.helpfulYes], ["not_related", words.helpfulNotRelated],
                                ["not_answered", words.helpfulNotAnswered]]) {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.feedback = value;
    b.textContent = label;
    box.appendChild(b);
  }
  list.appendChild(box);
  return box;
}

function chat(form) {
  const list = document.querySelector("[data-role=transcript]");
  const choices = document.querySelector("[data-role=choices]");
  const prompt = document.querySelector("[data-role=prompt]");
  const bar = document.querySelector("[data-role=status-bar]");
  const csrf = form.querySelector("input[name=csrf]").value;

  const attach = document.querySelector("form[data-action=attach]");
  const named = JSON.parse(choices.dataset.labels || "{}");   // a value's label in the page's language

  // a newer turn makes the older turns' buttons stale: a click on them would answer the wrong question
  function settle() {
    for (const b of list.querySelectorAll("li[data-role=feedback] button")) b.remove();
  }

  // one verdict an answer: a click sends it (after the lines sent before it) and the box says thanks;
  // an answer judged already (in another tab) says thanks too (409)
  function judged(box) {
    for (const b of box.querySelectorAll("button[data-feedback]")) {
      b.addEventListener("click", () => {
        const body = new URLSearchParams({csrf, question: box.dataset.question, answer: box.dataset.answer,
                                          verdict: b.dataset.feedback});
        for (const other of box.querySelectorAll("button")) other.disabled = true;
        input.focus();   // the box becomes its thanks: focus back on the input, not lost to the page
        sent = sent.then(async () => {
          const r = await fetch("/chat/feedback", {method: "POST", body, credentials: "same-origin"});
          box.textContent = r.ok || r.status === 409 ? list.dataset.thanks : "";
        }).catch(() => {});
      });
    }
  }

  // the customer's lines reach the service in the order typed, each after the reply to the one
  // before: a second line sent while the first was on its way could be read first, and answer the
  // first's offer ("转人工" then "好的" at once confirmed an older offer and opened no ticket)
  // Each line says which step of the conversation it answers (the latest this page showed, its own
  // lines' replies included): a line from a page another tab moved on from is refused, never taken as
  // the answer to a question this page did not show, and the page is drawn again, caught up.
  let sent = Promise.resolve();
  let step = list.dataset.step || "";
  // TYPED: the line was typed in the box (not a button's), so a refusal puts it back there
  function say(text, typed = true) {
    settle();
    line(list, "customer", text);
    const turn = sent.then(async () => shown(await fetch("/chat/say", {method: "POST", body: new URLSearchParams({csrf, text, step}),
                                                                        credentials: "same-origin",
                                                                        headers: {"Accept": "application/json"}}), text, typed));
    sent = turn.catch(() => {});   // a failed line does not stop the ones after it
    return turn;
  }

  // a choice answers once: the first press turns every choice off (a double click said "是" twice, and
  // the second met "nothing is waiting for a yes or no"); the reply draws the next question's choices
  function choose(said) {
    if (choices.dataset.chosen) return;
    choices.dataset.chosen = "1";
    for (const b of choices.querySelectorAll("button")) b.disabled = true;
    input.focus();   // the pressed button goes away with its question: the keyboard stays in the conversation
    say(said, false).catch(() => line(list, "assistant", list.dataset.notSent, "error")).finally(() => {
      delete choices.dataset.chosen;
      for (const b of choices.querySelectorAll("button")) b.disabled = false;   // a refused press may be made again
    });
  }

  // QUESTION is the customer's line the view answers (none for an upload): the feedback box sends it.
  // the session ended (signed out in another tab, its hours up, its token revoked): said, with a link to
  // sign in again, and the line typed (KEPT) put back in the box rather than lost
  const input = form.querySelector("input[name=text]");
  function keep(kept) {
    if (kept && !input.value.trim()) input.value = kept;
  }
  function signedOut(said, kept) {
    const li = line(list, "assistant", said + " ", "error");
    li.dataset.role = "signed-out";
    const a = document.createElement("a");
    a.href = "/login";
    a.textContent = list.dataset.signInAgain;
    li.appendChild(a);
    keep(kept);
  }

  async function shown(r, question, typed = false) {
    if (!r.ok) {
      const refused = await r.json().catch(() => ({}));
      if (r.status === 401 && refused.signed_out) return signedOut(refused.error, typed ? question : "");
      line(list, "assistant", refused.error || r.statusText, "error");
      if (r.status === 409 && refused.moved) location.reload();   // kept in the transcript: the page catches up
      return;
    }
    const view = await r.json();
    if (view.step !== undefined) step = String(view.step);
    if (view.most) input.maxLength = view.most;         // as long a line as the conversation reads at its prompt now
    if (view.refused && typed) keep(question);                    // a line refused stays in the box, to mend and send again
    const labels = {};
    settle();
    for (const l of view.lines) {
      line(list, "assistant", l.text, l.kind);
      const m = /^\s*(\d+)[.)]\s+(.*)$/.exec(l.text);
      if (l.kind === "choice" && m) labels[m[1]] = m[2];
    }
    const answer = view.lines.find(l => l.kind === "answer" && l.entry);   // the knowledge base's answers only
    const waiting = view.waiting;
    // helpful or not is asked of an answer, never beside a question the assistant asks itself
    // (an offer's yes/no, a go-ahead, numbered choices): those buttons are the reply wanted now
    const asks = Boolean(waiting) && ["offer", "confirm", "pick"].includes(waiting.kind);
    if (answer && question && !asks) judged(feedback(list, question, answer.text));
    choices.replaceChildren();
    // the question waited on beside the buttons, unless the transcript's last line just asked it
    const last = view.lines.length ? view.lines[view.lines.length - 1].text.trim() : "";
    prompt.textContent = waiting && waiting.prompt.trim() !== last ? waiting.prompt : "";
    for (const c of (waiting && waiting.choices || []).slice(0, 12)) {
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.choice = c;
      b.textContent = labels[c] ? c + ". " + labels[c] : (named[c] || c);
      const said = labels[c] ? c : (named[c] || c);   // 是, not "yes", in a Chinese chat (the conversation reads both)
      b.addEventListener("click", () => choose(said));
      choices.appendChild(b);
    }
    if (view.toolbar) bar.textContent = view.toolbar;
    const file = waiting && waiting.kind === "file";
    attach.hidden = !file;
    if (file) {
      const input = attach.querySelector("input[type=file]");
      input.accept = (waiting.accept || []).join(",");
      input.multiple = Boolean(waiting.multiple);
    }
  }

  attach.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = attach.querySelector("input[type=file]");
    if (!input.files.length) return;
    settle();
    line(list, "customer", [...input.files].map(f => f.name).join(", "));
    const body = new FormData(attach);
    body.set("step", step);
    input.value = "";
    fetch("/chat/files", {method: "POST", body, credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(r => shown(r)).catch(() => line(list, "assistant", list.dataset.notSent, "error"));
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    say(text).catch(() => { line(list, "assistant", list.dataset.notSent, "error"); keep(text); });
  });
  list.scrollTop = list.scrollHeight;   // a reload shows the latest turn (the question open now), not the first
  for (const box of list.querySelectorAll("li[data-role=feedback]")) judged(box);   // the newest answer's, after a reload
  for (const b of choices.querySelectorAll("form[data-action=choose]")) {
    b.addEventListener("submit", (event) => { event.preventDefault(); choose(b.querySelector("input[name=text]").value); });
  }
  // every open tab reads the replies newer than the last it has (its own mark, not a shared "seen"),
  // and skips one the page already shows (a reply written while the page was made)
  let after = Number(list.dataset.after || 0);
  let ended = false;
  every(3000, async () => {
    try {
      const news = await getJSON("/chat/inbox?after=" + after);
      for (const m of news) {
        after = Math.max(after, m.id);
        if (list.querySelector('li[data-message="' + m.id + '"]')) continue;
        // "Support (lin, #1): …", "客服（lin，#1）：…": the page's words, each field filled once (never a text's "{…}")
        const said = { author: m.author, ticket: String(m.ticket), text: m.text };
        line(list, "support", list.dataset.supportLine.replace(/\{(author|ticket|text)\}/g, (_, k) => said[k]), "support")
          .dataset.message = String(m.id);
        if (m.hint) line(list, "hint", m.hint, "muted hint");   // how to answer it: the next line goes to them
      }
      if (news.length) bar.textContent = (await getJSON("/chat/status")).toolbar;   // a resolution closes a ticket
    } catch (e) {   // offline: the next tick tries again; signed out: said once
      if (String(e.message).endsWith(": 401") && !ended) {
        ended = true;
        signedOut(list.dataset.sessionEnded, "");
      }
    }
  });
}

// a page answered to a form (a refusal, its words kept in their box) takes its own address: a reload
// reads the page again rather than sending the form a second time; its refusal is focused, so it is read out
function settleAddress() {
  const address = document.body.dataset.address;
  if (address && location.pathname !== address) history.replaceState(null, "", address);
  const refusal = document.querySelector("[data-role=error][tabindex]");
  if (refusal) refusal.focus();
}

document.addEventListener("DOMContentLoaded", () => {
  settleAddress();
  const queue = document.getElementById("queue");
  if (queue && queue.dataset.liveRows) followQueue(queue);
  const live = document.getElementById("live");
  if (live && live.dataset.liveReload) followTicket(live);
  cannedReplies();
  const say = document.querySelector("form[data-action=say]");
  if (say) chat(say);
});

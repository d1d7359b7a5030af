// The chat page's own behaviour, around Gradio's components:
// the conversation log (kept in this page and in this tab's sessionStorage, so that the reload
// Gradio does after a dropped connection does not lose it; nowhere else), the pending state,
// the live character count, Enter during Japanese input-method conversion, buttons that ask,
// citation links opening the cited page, copy, saving the conversation, 👍/👎, the
// やさしい日本語 switch, arrow keys on the tabs, the skip link and a short announcement per answer.
(() => {
  const CONFIG = __PLANQA_CONFIG__;
  const T = CONFIG.text;
  const LIMIT = CONFIG.limit;
  let composing = false;
  let compositionEndedAt = 0;
  let pending = null;
  let typed = false; // the pending question was typed (keep the cursor in the box) or tapped
  let pendingTimer = null;
  let server = null;
  let pageData = null;
  let plainOn = false;
  let connectionLost = false;
  let waiting = ""; // the last question sent and not answered yet (put back in the box after a reload)
  const STORE = "planqa-conversation"; // sessionStorage: this tab only, gone when it closes

  // The page is Japanese whatever the visitor's browser language is.
  const keepLang = () => { if (document.documentElement.lang !== "ja") document.documentElement.lang = "ja"; };
  keepLang();
  new MutationObserver(keepLang).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });

  const $ = (sel, root = document) => root.querySelector(sel);
  const textarea = () => $("#planqa-question textarea");
  const sendButton = () => $("#planqa-send");
  const logEl = () => $("#planqa-log");
  const isQuestion = (el) => el && el.closest && el.closest("#planqa-question") && el.tagName === "TEXTAREA";

  function say(text) {
    const el = $("#planqa-client-notice");
    if (el) el.textContent = text || "";
  }

  function setSendEnabled(on) {
    const b = sendButton();
    if (b) { b.disabled = !on; b.setAttribute("aria-disabled", String(!on)); }
  }

  function updateCounter() {
    const ta = textarea();
    const el = $("#planqa-counter");
    if (!ta || !el) return;
    const n = ta.value.length;
    const over = n - LIMIT;
    el.textContent = over > 0
      ? T.counterOver.replace("{n}", n.toLocaleString("ja-JP")).replace("{limit}", LIMIT.toLocaleString("ja-JP")).replace("{over}", over.toLocaleString("ja-JP"))
      : T.counter.replace("{n}", n.toLocaleString("ja-JP")).replace("{limit}", LIMIT.toLocaleString("ja-JP"));
    el.classList.toggle("planqa-over", over > 0);
    if (!pending) setSendEnabled(over <= 0);
  }

  // --- input: IME and Enter ---------------------------------------------------------------
  document.addEventListener("compositionstart", (e) => { if (isQuestion(e.target)) composing = true; }, true);
  document.addEventListener("compositionend", (e) => {
    if (isQuestion(e.target)) { composing = false; compositionEndedAt = Date.now(); }
  }, true);
  function guardEnter(e) {
    if (!isQuestion(e.target) || e.key !== "Enter" || e.shiftKey) return;
    // Enter that confirms a conversion must not send (Safari ends composition just before it).
    if (e.isComposing || composing || e.keyCode === 229 || Date.now() - compositionEndedAt < 60) {
      e.stopImmediatePropagation();
      return;
    }
    if (e.target.value.length > LIMIT) {
      e.stopImmediatePropagation();
      e.preventDefault();
      say(T.tooLong);
    }
  }
  window.addEventListener("keydown", guardEnter, true);
  window.addEventListener("keypress", guardEnter, true);
  document.addEventListener("input", (e) => {
    if (!isQuestion(e.target)) return;
    updateCounter();
    say("");
    const notice = $("#planqa-notice");
    if (notice) notice.querySelectorAll("p").forEach((p) => p.remove()); // the server's refusal, if any
  }, true);

  // --- the conversation -------------------------------------------------------------------
  function hasTurns(on) {
    document.body.classList.toggle("planqa-has-turns", on);
  }

  // The log, the question still waiting for its answer and the switch, in this tab's
  // sessionStorage: Gradio reloads the page when a dropped connection comes back.
  function persist() {
    try {
      const log = logEl();
      const turns = log ? [...log.querySelectorAll(".planqa-turn[data-turn]")].map((t) => t.outerHTML) : [];
      if (!turns.length && !waiting && !plainOn && !connectionLost) { sessionStorage.removeItem(STORE); return; }
      sessionStorage.setItem(STORE, JSON.stringify({ turns, waiting, plain: plainOn, lost: connectionLost }));
    } catch (_) { /* storage full or disabled: the log still lives in the page */ }
  }

  function restore() {
    let saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(STORE) || "null"); } catch (_) { saved = null; }
    if (!saved) return;
    setPlain(Boolean(saved.plain), false);
    if (saved.turns && saved.turns.length) {
      logEl().innerHTML = saved.turns.join("");
      hasTurns(true);
    }
    const notes = [];
    if (saved.lost) notes.push(T.reconnected);
    if (saved.waiting) {
      waiting = saved.waiting;
      notes.push(T.resend);
      // after Gradio has given the box its (empty) first value
      setTimeout(() => {
        const ta = textarea();
        if (!ta || ta.value) return;
        const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value").set;
        setter.call(ta, waiting);
        ta.dispatchEvent(new Event("input", { bubbles: true }));
        say(notes.join(" "));
      }, 300);
    }
    say(notes.join(" "));
    persist();
  }

  function setPlain(on, save = true) {
    plainOn = on;
    document.body.classList.toggle("planqa-plain-on", on);
    const b = $("#planqa-plain-toggle");
    if (b) b.setAttribute("aria-pressed", String(on));
    if (save) persist();
  }

  // Gradio says "Connection to the server was lost" in English and reloads the page once the
  // server answers again: its toast is replaced by a Japanese line, and the log is kept.
  function watchConnection() {
    new MutationObserver((records) => {
      for (const r of records) {
        for (const n of r.addedNodes) {
          if (n.nodeType !== 1) continue;
          const toasts = n.matches("[data-testid=toast-body]") ? [n] : [...n.querySelectorAll("[data-testid=toast-body]")];
          for (const t of toasts) {
            if (!/Connection (to the server was lost|Lost)/i.test(t.textContent || "")) continue;
            (t.closest(".toast-wrap") || t).style.display = "none";
            connectionLost = true;
            persist();
            say(T.connectionLost);
          }
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  }

  function scrollToTurn(turn) {
    const q = turn.querySelector(".planqa-q");
    const target = q && q.getBoundingClientRect().height < window.innerHeight * 0.35 ? turn : turn.querySelector(".planqa-a");
    (target || turn).scrollIntoView({ block: "start", behavior: "instant" });
  }

  function startPending(question) {
    if (pending) return;
    const q = (question || "").trim();
    if (!q) { say(T.empty); return; }
    if (question.length > LIMIT) { say(T.tooLong); return; }
    say("");
    typed = [textarea(), sendButton()].includes(document.activeElement);
    const turn = document.createElement("article");
    turn.className = "planqa-turn planqa-pending";
    turn.setAttribute("aria-busy", "true");
    waiting = question;
    const qDiv = document.createElement("div");
    qDiv.className = "planqa-q";
    const sr = document.createElement("span");
    sr.className = "planqa-sr";
    sr.textContent = T.you + "：";
    const p = document.createElement("p");
    p.textContent = question;
    qDiv.append(sr, p);
    const a = document.createElement("div");
    a.className = "planqa-a";
    a.setAttribute("role", "status");
    a.innerHTML = '<p class="planqa-wait"><span class="planqa-spinner" aria-hidden="true"></span></p>';
    a.querySelector(".planqa-wait").append(T.pending);
    turn.append(qDiv, a);
    logEl().append(turn);
    hasTurns(true);
    pending = turn;
    setSendEnabled(false);
    scrollToTurn(turn);
    persist();
  }

  // The carried-topic chip: the same question again, on its own; its answer replaces this turn.
  function reask(chip) {
    const turn = chip.closest(".planqa-turn");
    const box = $("#planqa-reask-request textarea, #planqa-reask-request input");
    const send = $("#planqa-reask-send");
    if (!turn || !box || !send || pending) return;
    const a = turn.querySelector(".planqa-a");
    a.setAttribute("aria-busy", "true");
    a.innerHTML = '<p class="planqa-wait" role="status"><span class="planqa-spinner" aria-hidden="true"></span></p>';
    a.querySelector(".planqa-wait").append(T.pending);
    pending = turn;
    typed = false;
    setSendEnabled(false);
    const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(box), "value").set;
    setter.call(box, JSON.stringify({ question: chip.dataset.reask, turn: turn.dataset.turn }));
    box.dispatchEvent(new Event("input", { bubbles: true }));
    setTimeout(() => send.click(), 30);
  }

  function announce(text) {
    const el = $("#planqa-announce");
    if (!el || !text) return;
    el.textContent = "";
    setTimeout(() => { el.textContent = text; }, 50); // a change the screen reader notices
  }

  function commit(element) {
    const fresh = element.querySelector(".planqa-turn");
    if (!fresh) return;
    const turn = fresh.cloneNode(true);
    if (logEl().querySelector(`[data-turn="${CSS.escape(turn.dataset.turn)}"]`)) return;
    const old = turn.dataset.replaces && logEl().querySelector(`[data-turn="${CSS.escape(turn.dataset.replaces)}"]`);
    if (old) old.replaceWith(turn);
    else if (pending && pending.isConnected && pending.classList.contains("planqa-pending")) pending.replaceWith(turn);
    else logEl().append(turn);
    pending = null;
    waiting = "";
    clearTimeout(pendingTimer);
    hasTurns(true);
    updateCounter();
    // a tapped button is gone from the page now: move the focus to the answer it asked for
    const a = turn.querySelector(".planqa-a");
    if (a && !typed) { a.setAttribute("tabindex", "-1"); a.focus({ preventScroll: true }); }
    else if (typed && textarea()) textarea().focus({ preventScroll: true });
    scrollToTurn(turn);
    announce(turn.dataset.announce);
    persist();
  }

  function settle() {
    // After the server finished: if no answer arrived (queue full, connection lost), say so.
    clearTimeout(pendingTimer);
    pendingTimer = setTimeout(() => {
      if (!pending) return;
      const a = pending.querySelector(".planqa-a");
      a.textContent = "";
      const p = document.createElement("p");
      p.className = "planqa-error";
      p.setAttribute("role", "alert");
      p.textContent = T.failed;
      a.append(p);
      pending.classList.remove("planqa-pending");
      pending.removeAttribute("aria-busy");
      pending = null;
      updateCounter();
      persist();
    }, 1500);
  }

  function clearConversation() {
    logEl().textContent = "";
    pending = null;
    waiting = "";
    connectionLost = false;
    clearTimeout(pendingTimer);
    hasTurns(false);
    say("");
    updateCounter();
    persist();
    window.scrollTo({ top: 0, behavior: "instant" });
  }

  function ask(question) {
    const ta = textarea();
    if (!ta || pending) return;
    const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value").set;
    setter.call(ta, question);
    ta.dispatchEvent(new Event("input", { bubbles: true }));
    setTimeout(() => sendButton().click(), 30);
  }

  // --- downloads ----------------------------------------------------------------------------
  function download(text, filename, mime) {
    const url = URL.createObjectURL(new Blob([text], { type: mime }));
    const a = document.createElement("a");
    a.href = url;
    a.download = filename;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  function saveConversation() {
    const turns = [...logEl().querySelectorAll(".planqa-turn[data-md]")];
    if (!turns.length) { say(T.nothingToSave); return; }
    const stamp = new Date().toLocaleString("ja-JP");
    const head = `# ${T.saveTitle}\n\n${T.savedAt}${stamp}\n\n`;
    download(head + turns.map((t) => t.dataset.md).join("\n---\n\n"), T.saveFile, "text/markdown;charset=utf-8");
  }

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (_) {
      const ta = document.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.style.position = "fixed";
      ta.style.opacity = "0";
      document.body.append(ta);
      ta.select();
      const ok = document.execCommand("copy");
      ta.remove();
      return ok;
    }
  }

  // --- the cited page -----------------------------------------------------------------------
  function pages() {
    if (!pageData) pageData = JSON.parse($("#planqa-pages").dataset.json);
    return pageData;
  }

  function openCitation(btn) {
    const dialog = $("#planqa-viewer");
    const d = btn.dataset;
    const data = pages();
    const text = (data.pages[d.plan] || {})[d.page] || "";
    const spans = (d.spans || "").split(",").filter(Boolean).map((s) => s.split("-").map(Number));
    dialog.querySelector(".planqa-viewer-title").textContent = `[${d.n}] ${d.label}`;
    dialog.querySelector(".planqa-viewer-doc").textContent = data.titles[d.plan] || "";
    const note = dialog.querySelector(".planqa-viewer-note");
    note.textContent = spans.length ? T.viewerHint : T.viewerNotFound + d.passage;
    const body = dialog.querySelector(".planqa-page-text");
    body.textContent = "";
    let pos = 0;
    for (const [s, e] of spans) {
      body.append(text.slice(pos, s));
      const m = document.createElement("mark");
      m.textContent = text.slice(s, e);
      body.append(m);
      pos = e;
    }
    body.append(text.slice(pos));
    dialog.showModal();
    // scroll the page text only (scrollIntoView would scroll the dialog and hide its head)
    const first = body.querySelector("mark");
    body.scrollTop = 0;
    if (first) body.scrollTop = first.getBoundingClientRect().top - body.getBoundingClientRect().top - body.clientHeight / 3;
    dialog.querySelector(".planqa-viewer-close").focus({ preventScroll: true });
  }

  // --- feedback -----------------------------------------------------------------------------
  async function sendFeedback(turn, vote, comment) {
    const status = turn.querySelector(".planqa-action-status");
    try {
      const res = server ? await server.send_feedback({ token: turn.dataset.feedback || "", vote, comment: comment || "" }) : null;
      const ok = res === true || (res && res.ok);
      status.textContent = ok ? (comment ? T.commentThanks : T.thanks) : ((res && res.message) || T.feedbackFailed);
      return ok;
    } catch (_) {
      status.textContent = T.feedbackFailed;
      return false;
    }
  }

  // --- one click handler for everything inside answers and dialogs --------------------------
  document.addEventListener("click", async (e) => {
    const t = e.target.closest ? e.target : null;
    if (!t) return;
    if (t.closest(".planqa-skip")) { e.preventDefault(); if (textarea()) textarea().focus(); return; }
    if (t.closest("#planqa-plain-toggle")) { setPlain(!plainOn); return; }
    const chip = t.closest(".planqa-carried");
    if (chip) { e.preventDefault(); reask(chip); return; }
    const askBtn = t.closest("[data-ask]");
    if (askBtn) { e.preventDefault(); ask(askBtn.dataset.ask); return; }
    const cite = t.closest(".planqa-cite");
    if (cite) { e.preventDefault(); openCitation(cite); return; }
    if (t.closest(".planqa-viewer-close")) { $("#planqa-viewer").close(); return; }
    if (t.id === "planqa-viewer") { t.close(); return; } // a click on the backdrop
    const copy = t.closest(".planqa-copy");
    if (copy) {
      const turn = copy.closest(".planqa-turn");
      const ok = await copyText(turn.dataset.copy || "");
      turn.querySelector(".planqa-action-status").textContent = ok ? T.copied : "";
      return;
    }
    const vote = t.closest(".planqa-vote");
    if (vote) {
      const turn = vote.closest(".planqa-turn");
      turn.querySelectorAll(".planqa-vote").forEach((b) => b.setAttribute("aria-pressed", String(b === vote)));
      turn.dataset.vote = vote.dataset.vote;
      const ok = await sendFeedback(turn, vote.dataset.vote, "");
      const form = turn.querySelector(".planqa-feedback-form");
      if (ok && form) form.hidden = false;
    }
  });
  document.addEventListener("submit", async (e) => {
    const form = e.target.closest && e.target.closest(".planqa-feedback-form");
    if (!form) return;
    e.preventDefault();
    const turn = form.closest(".planqa-turn");
    const comment = form.querySelector("textarea").value.trim();
    if (!comment) return;
    if (await sendFeedback(turn, turn.dataset.vote || "down", comment)) form.hidden = true;
  });

  // --- tabs: arrow keys move between tabs (one Tab stop for the whole tab list) -------------
  function syncTabs() {
    document.querySelectorAll("#planqa-tabs [role=tab]").forEach((tab) => {
      tab.setAttribute("tabindex", tab.getAttribute("aria-selected") === "true" ? "0" : "-1");
    });
    const list = $("#planqa-tabs [role=tablist]");
    if (list && !list.hasAttribute("aria-label")) list.setAttribute("aria-label", T.tabList);
  }
  document.addEventListener("keydown", (e) => {
    const tab = e.target.closest && e.target.closest("#planqa-tabs [role=tab]");
    if (!tab) return;
    const tabs = [...tab.closest("[role=tablist]").querySelectorAll("[role=tab]:not([disabled])")];
    const i = tabs.indexOf(tab);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const target = tabs[(next + tabs.length) % tabs.length];
    target.focus();
    target.click();
  });

  window.planqa = {
    attach(element, srv, watch) {
      server = srv;
      watch("value", () => commit(element));
      const ready = () => {
        if (!logEl()) { requestAnimationFrame(ready); return; }
        restore();
        updateCounter();
        syncTabs();
        const tabs = $("#planqa-tabs");
        if (tabs) new MutationObserver(syncTabs).observe(tabs, { attributes: true, subtree: true, attributeFilter: ["aria-selected"] });
        watchConnection();
      };
      ready();
    },
    pending: startPending,
    settle,
    clear: clearConversation,
    save: saveConversation,
    ask,
  };
})();

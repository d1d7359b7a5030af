// The chat page's own behaviour, around Gradio's components:
// the conversation log (kept only in this page, never in browser storage), the pending state,
// the live character count, Enter during Japanese input-method conversion, buttons that ask,
// citation links opening the cited page, copy, saving the conversation, and 👍/👎.
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
  document.addEventListener("input", (e) => { if (isQuestion(e.target)) { updateCounter(); say(""); } }, true);

  // --- the conversation -------------------------------------------------------------------
  function hasTurns(on) {
    document.body.classList.toggle("planqa-has-turns", on);
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
  }

  function commit(element) {
    const fresh = element.querySelector(".planqa-turn");
    if (!fresh) return;
    const turn = fresh.cloneNode(true);
    if (logEl().querySelector(`[data-turn="${CSS.escape(turn.dataset.turn)}"]`)) return;
    if (pending && pending.isConnected) pending.replaceWith(turn); else logEl().append(turn);
    pending = null;
    clearTimeout(pendingTimer);
    hasTurns(true);
    updateCounter();
    // a tapped button is gone from the page now: move the focus to the answer it asked for
    const a = turn.querySelector(".planqa-a");
    if (a && !typed) { a.setAttribute("tabindex", "-1"); a.focus({ preventScroll: true }); }
    else if (typed && textarea()) textarea().focus({ preventScroll: true });
    scrollToTurn(turn);
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
    }, 1500);
  }

  function clearConversation() {
    logEl().textContent = "";
    pending = null;
    clearTimeout(pendingTimer);
    hasTurns(false);
    say("");
    updateCounter();
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
    const first = body.querySelector("mark");
    if (first) first.scrollIntoView({ block: "center", behavior: "instant" });
    else body.scrollTop = 0;
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

  window.planqa = {
    attach(element, srv, watch) {
      server = srv;
      watch("value", () => commit(element));
      updateCounter();
    },
    pending: startPending,
    settle,
    clear: clearConversation,
    save: saveConversation,
    ask,
  };
})();

// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");

// Triage by keyboard. Each key is shown in a <kbd> beside what it does; the element that
// carries data-key="x" is clicked (a checkbox, a radio, the skip link) or, for a text box,
// focused. Keys do nothing while typing, except Ctrl+Enter (save) and Escape (stop typing).
(function () {
  function triageForm() {
    return document.querySelector("[data-triage-form]");
  }

  function isTyping(element) {
    return element.matches("textarea, select, [contenteditable], input:not([type=checkbox]):not([type=radio]):not([type=submit]):not([type=button])");
  }

  // Question 2's box arrives with the class preview. "a" pressed while the preview is on its
  // way waits for the box, keeping what is typed meanwhile instead of reading it as keys.
  let pending = null;

  function answerBox() {
    const form = triageForm();
    return form && form.querySelector('[data-key="a"]');
  }

  document.addEventListener("htmx:afterSettle", function () {
    if (!pending) return;
    const box = answerBox();
    const { text, submit } = pending;
    pending = null;
    if (box) {
      box.focus();
      box.value += text;
    }
    if (submit) triageForm().requestSubmit(triageForm().querySelector("button.primary[type=submit]"));
  });

  ["htmx:responseError", "htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function () { pending = null; });
  });

  document.addEventListener("keydown", function (event) {
    const form = triageForm();
    if (!form || event.defaultPrevented || event.isComposing) return;
    const save = event.key === "Enter" && (event.ctrlKey || event.metaKey);
    if (pending) {
      event.preventDefault();
      if (save) pending.submit = true;
      else if (event.key === "Backspace") pending.text = pending.text.slice(0, -1);
      else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey) pending.text += event.key;
      return;
    }
    if (save) {
      event.preventDefault();
      form.requestSubmit(form.querySelector("button.primary[type=submit]"));
      return;
    }
    if (isTyping(event.target)) {
      if (event.key === "Escape" && form.contains(event.target)) {
        event.preventDefault();
        form.focus();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) return;
    const key = event.key.toLowerCase();
    const target = form.querySelector('[data-key="' + CSS.escape(key) + '"]');
    if (key === "a" && form.querySelector(".htmx-request")) {
      event.preventDefault();
      pending = { text: "", submit: false };
      return;
    }
    if (!target) return;
    event.preventDefault();
    if (isTyping(target)) {
      target.focus();
    } else {
      target.click();
    }
  });

  // Focus lands where the person acts next: the triage form (so its keys work) after a page
  // load, or what an htmx swap brought that asks for it. No scrolling: on a phone it would
  // push the item being triaged off the screen.
  function focusNew(swapped) {
    const within = swapped && swapped.matches && (swapped.matches("[data-autofocus]")
      ? swapped : swapped.querySelector("[data-autofocus]"));
    const target = within || document.querySelector("[data-autofocus]");
    if (target) target.focus({ preventScroll: true });
  }
  document.addEventListener("DOMContentLoaded", function () { focusNew(); });
  document.addEventListener("htmx:afterSettle", function (event) {
    // A swap that replaced the focused element drops focus to <body>: bring it back.
    if (!document.activeElement || document.activeElement === document.body) {
      focusNew(event.target);
    }
  });
})();

// An in-place update the server refused swaps nothing, so the page and its input stay.
// Say why: the session ended (401, with the way back in) or the database is away (503).
const REFUSALS = { 401: "[data-session-ended]", 503: "[data-database-unavailable]" };
document.addEventListener("htmx:responseError", function (event) {
  const selector = REFUSALS[event.detail.xhr.status];
  const notice = selector && document.querySelector(selector);
  if (!notice) return;
  notice.hidden = false;
  notice.focus();
});
// The printable review page's "Print this page" button (no inline handlers under the CSP).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

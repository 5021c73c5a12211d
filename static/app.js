// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");

// Triage by keyboard. Each key is shown in a <kbd> beside what it does; the element that
// carries data-key="x" is clicked (a checkbox, a radio, the skip link) or, for a text box,
// focused. A success metric is m then its key, an indirect beneficiary i then the persona's
// key (data-key="m1", "i3"). Keys do nothing while typing, except Ctrl+Enter (save) and
// Escape (stop typing, or forget a pressed m or i).
(function () {
  const PREFIXES = { m: "a success metric", i: "a persona who benefits indirectly" };

  function triageForm() {
    return document.querySelector("[data-triage-form]");
  }

  function isTyping(element) {
    return element.matches("textarea, select, [contenteditable], input:not([type=checkbox]):not([type=radio]):not([type=submit]):not([type=button])");
  }

  // A preview (the class, metrics and question 2 for the picks so far) or a save is on its way.
  function busy(form) {
    return form.matches(".htmx-request") || form.querySelector(".htmx-request") !== null;
  }

  let prefix = null;

  function setPrefix(form, value) {
    prefix = value;
    const hint = form.querySelector("[data-key-prefix]");
    if (hint) hint.textContent = value ? value + ": now the key of " + PREFIXES[value] + " (Esc: never mind)." : "";
  }

  // Keys meant for what a preview on its way brings (question 2's answer, the metrics, the
  // indirect beneficiaries) wait for it, and so does every key pressed after them: each is
  // replayed in order once it has arrived, so typing fast loses nothing and no key lands on
  // the wrong thing.
  let pending = [];

  // Act on one key press; "wait" when it must wait for the preview. `replaying` keys were
  // held back, so one meant for a text box is typed into it here.
  function handle(form, press, replaying) {
    if (press.save) {
      form.requestSubmit(form.querySelector("button.primary[type=submit]"));
      return true;
    }
    const active = document.activeElement;
    if (active && isTyping(active)) {
      if (press.key === "Escape" && form.contains(active)) {
        form.focus();
        return true;
      }
      if (!replaying || !form.contains(active)) return false;
      if (press.key === "Backspace") active.value = active.value.slice(0, -1);
      else if (press.key === "Enter") active.value += "\n";
      else if (press.key.length === 1) active.value += press.key;
      return true;
    }
    if (press.key === "Escape" && prefix) {
      setPrefix(form, null);
      return true;
    }
    if (press.modified || press.key.length !== 1) return false;
    const key = press.key.toLowerCase();
    if (!prefix && key in PREFIXES) {
      setPrefix(form, key);
      return true;
    }
    const target = form.querySelector('[data-key="' + CSS.escape((prefix || "") + key) + '"]');
    if (busy(form) && (!target || target.closest(".triage-answer"))) return "wait";
    const prefixed = prefix !== null;
    setPrefix(form, null);
    if (!target) return prefixed;  // m or i then a key nothing has: swallowed, not a persona
    if (isTyping(target)) target.focus();
    else target.click();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    const form = triageForm();
    if (!form || event.defaultPrevented || event.isComposing) return;
    const press = {
      key: event.key,
      save: event.key === "Enter" && (event.ctrlKey || event.metaKey),
      modified: event.ctrlKey || event.metaKey || event.altKey,
    };
    if (pending.length) {
      const held = press.save || (!press.modified && (press.key.length === 1
        || ["Backspace", "Enter", "Escape"].includes(press.key)));
      if (held) {
        event.preventDefault();
        pending.push(press);
      }
      return;
    }
    const used = handle(form, press, false);
    if (used === "wait") pending.push(press);
    if (used) event.preventDefault();
  });

  function replay() {
    const form = triageForm();
    while (form && pending.length && !busy(form)) {
      const press = pending.shift();
      if (handle(form, press, true) === "wait") {
        pending.unshift(press);
        return;
      }
    }
    if (!form) pending = [];
  }
  // After the swap; and after any answer, in case one swaps nothing.
  document.addEventListener("htmx:afterSettle", replay);
  document.addEventListener("htmx:afterRequest", replay);

  ["htmx:responseError", "htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function () {
      pending = [];
      const form = triageForm();
      if (form) setPrefix(form, null);
    });
  });

  // "Whose problem" follows the picks while they are all on one side, until the PM chooses
  // (c, u or a click); on both sides it keeps what the first picks said. The hidden
  // whose_problem_prefilled says which side was filled in, so the server (a preview without
  // JavaScript, the save) applies the same rule. Capture: before htmx reads the form.
  function prefillWhoseProblem(form) {
    const prefilled = form.querySelector("[name=whose_problem_prefilled]");
    const chosen = form.querySelector("[name=whose_problem]:checked");
    if (!prefilled || (chosen && chosen.value !== prefilled.value)) return;
    const sides = new Set(Array.from(
      form.querySelectorAll("[name=primary_beneficiaries]:checked"), (box) => box.dataset.side));
    if (sides.size > 1 || sides.has("both")) return;
    const side = sides.size ? sides.values().next().value : "";
    form.querySelectorAll("[name=whose_problem]").forEach(function (radio) {
      radio.checked = radio.value === side;
    });
    prefilled.value = side;
  }

  document.addEventListener("change", function (event) {
    const form = event.target.closest("[data-triage-form]");
    if (!form) return;
    if (event.target.name === "primary_beneficiaries") prefillWhoseProblem(form);
    if (event.target.name === "whose_problem") {
      form.querySelector("[name=whose_problem_prefilled]").value = "";
    }
  }, true);

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

// Evidence by keyboard: n starts a new note in the quick-add form (when no text box has
// the focus), Ctrl+Enter in a note form saves it. After an htmx save the form comes back
// with the focus in its text box (data-autofocus), ready for the next note.
document.addEventListener("keydown", function (event) {
  if (event.defaultPrevented || event.isComposing || document.querySelector("[data-triage-form]")) return;
  const form = event.target.closest && event.target.closest("[data-quick-add]");
  if (form && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    form.requestSubmit(form.querySelector("button.primary[type=submit]"));
    return;
  }
  const typing = event.target.matches("textarea, select, input, [contenteditable]");
  if (typing || event.ctrlKey || event.metaKey || event.altKey || event.key !== "n") return;
  const box = document.querySelector('[data-quick-add] [data-key="n"]');
  if (box) {
    event.preventDefault();
    box.focus();
  }
});

// Bulk edit on the roadmap list by keyboard: j and k move between the items' tick boxes,
// x ticks or unticks the one with the focus. Ticking every item on the page and the count of
// ticked items need this file; the form posts without it.
(function () {
  function boxes(form) {
    return Array.from(form.querySelectorAll("[name=bulk-items]"));
  }

  function showCount(form) {
    const ticked = boxes(form).filter((box) => box.checked).length;
    form.querySelector("[data-ticked-count]").textContent = ticked ? ticked + " ticked." : "";
    const all = form.querySelector("[data-tick-all]");
    all.checked = ticked > 0 && ticked === boxes(form).length;
    all.indeterminate = ticked > 0 && !all.checked;
  }

  function setUp() {
    const form = document.querySelector("[data-bulk-edit]");
    if (!form) return;
    form.querySelectorAll("[data-needs-js]").forEach((element) => { element.hidden = false; });
    showCount(form);
  }
  document.addEventListener("DOMContentLoaded", setUp);
  document.addEventListener("htmx:afterSettle", setUp);  // the filters swapped the list

  document.addEventListener("change", function (event) {
    const form = event.target.closest("[data-bulk-edit]");
    if (!form) return;
    if (event.target.matches("[data-tick-all]")) {
      boxes(form).forEach((box) => { box.checked = event.target.checked; });
    }
    showCount(form);
  });

  document.addEventListener("keydown", function (event) {
    const form = document.querySelector("[data-bulk-edit]");
    if (!form || event.defaultPrevented || event.isComposing
        || event.ctrlKey || event.metaKey || event.altKey
        || event.target.matches("textarea, select, input:not([type=checkbox]), [contenteditable]")) return;
    const all = boxes(form);
    const at = all.indexOf(document.activeElement);
    if (event.key === "x" && at >= 0) {
      event.preventDefault();
      all[at].click();
      return;
    }
    const step = { j: 1, k: -1 }[event.key];
    if (!step || !all.length) return;
    event.preventDefault();
    const next = all[Math.min(Math.max(at + step, 0), all.length - 1)];
    next.focus();
    next.closest("tr").scrollIntoView({ block: "nearest" });
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

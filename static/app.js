// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");

// The printable review page's "Print this page" button (no inline handlers under the CSP).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

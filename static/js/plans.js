// The scorecard's "Print / save as PDF" button (no inline scripts: a strict CSP stays possible).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});

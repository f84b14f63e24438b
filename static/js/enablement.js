// Enablement pages. No inline scripts (CSP script-src 'self'): behaviour hangs on data attributes.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();

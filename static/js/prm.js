/* PRM's own behaviour, loaded on every page after bootstrap.bundle.min.js.
 * Rule: no inline <script> blocks and no on* attributes in templates, so a strict
 * Content-Security-Policy (script-src 'self') keeps working. Put page behaviour here (or in another
 * static/js/*.js file loaded from {% block extra_js %}) and hook it to data-* attributes.
 */
(function () {
  "use strict";

  // Destructive actions ask first: a POST form (or the button that submits it) with
  // data-confirm="<question>" is sent only if the user confirms. Without JavaScript the form is
  // sent as before (the server's status guards still apply).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question =
      (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // The skip link moves keyboard focus, not only the scroll position, to the main content.
  document.addEventListener("DOMContentLoaded", function () {
    var skip = document.querySelector(".skip-link");
    var main = document.getElementById("main");
    if (skip && main) {
      skip.addEventListener("click", function () {
        main.focus();
      });
    }
  });
})();

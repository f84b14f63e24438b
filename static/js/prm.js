/* PRM's own behaviour, loaded on every page after bootstrap.bundle.min.js.
 * Rule: no inline <script> blocks and no on* attributes in templates, so a strict
 * Content-Security-Policy (script-src 'self') keeps working. Put page behaviour here (or in another
 * static/js/*.js file loaded from {% block extra_js %}) and hook it to data-* attributes.
 */
(function () {
  "use strict";

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

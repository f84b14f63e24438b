// Enablement setup pages: the live preview of Markdown fields. The server renders and sanitises
// the text (enablement.rendering, the same code the portal uses), so what is shown here is what
// partners will see; this script only sends the text and shows the answer. No inline scripts.
(function () {
  "use strict";
  var form = document.querySelector("form[data-preview-url]");
  if (!form) {
    return;
  }
  var url = form.getAttribute("data-preview-url");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]");

  document.querySelectorAll("[data-markdown-preview]").forEach(function (preview) {
    var source = document.getElementById(preview.getAttribute("data-markdown-preview"));
    if (!source) {
      return;
    }
    var timer = null;
    var sent = 0;
    source.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var mine = ++sent;
        var body = new URLSearchParams();
        body.append("text", source.value);
        fetch(url, {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { "X-CSRFToken": token ? token.value : "" },
        })
          .then(function (response) {
            return response.ok ? response.text() : null;
          })
          .then(function (html) {
            // Only the latest answer counts; an older, slower one must not overwrite it.
            if (html !== null && mine === sent) {
              preview.innerHTML = html; // sanitised by the server (nh3)
            }
          })
          .catch(function () {});
      }, 400);
    });
  });
})();

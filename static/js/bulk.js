// The partner list's bulk actions (console.bulk): "select all on this page", the count of what
// is selected, and on a bulk action's result page the progress bar of a worker running it.
// Everything works without this script (the server validates every selection); no inline scripts.
(function () {
  "use strict";

  var form = document.querySelector("[data-bulk-form]");
  if (form) {
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-bulk-row]"));
    var page = form.querySelector("[data-bulk-page]");
    var matching = form.querySelector("[data-bulk-all-matching]");
    var count = form.querySelector("[data-bulk-count]");
    var submit = form.querySelector("[data-bulk-submit]");

    var update = function () {
      var ticked = rows.filter(function (box) { return box.checked; }).length;
      var n = matching && matching.checked ? Number(matching.getAttribute("data-total")) : ticked;
      if (page) {
        page.checked = ticked > 0 && ticked === rows.length;
        page.indeterminate = ticked > 0 && ticked < rows.length;
      }
      rows.forEach(function (box) { box.disabled = Boolean(matching && matching.checked); });
      if (page) { page.disabled = Boolean(matching && matching.checked); }
      var text = n === 0 ? count.getAttribute("data-empty")
        : n === 1 ? count.getAttribute("data-one")
        : count.getAttribute("data-many").replace("__count__", String(n));
      count.textContent = text;
      submit.disabled = n === 0;
    };

    if (page) {
      page.addEventListener("change", function () {
        rows.forEach(function (box) { box.checked = page.checked; });
        update();
      });
    }
    rows.forEach(function (box) { box.addEventListener("change", update); });
    if (matching) { matching.addEventListener("change", update); }
    update();
  }

  var progress = document.querySelector("[data-bulk-progress]");
  if (progress) {
    var url = progress.getAttribute("data-bulk-progress");
    var bar = progress.querySelector("[data-bulk-bar]");
    var holder = progress.querySelector("[role=progressbar]");
    var done = progress.querySelector("[data-bulk-done]");
    var poll = function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) {
            return;
          }
          if (data.finished) {
            window.location.reload();
            return;
          }
          if (done) {
            done.textContent = done.getAttribute("data-template")
              .replace("__done__", String(data.done)).replace("__total__", String(data.total));
          }
          bar.style.width = data.percent + "%";
          bar.textContent = data.percent + "%";
          holder.setAttribute("aria-valuenow", String(data.percent));
          window.setTimeout(poll, 1500);
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 1000);
  }
})();

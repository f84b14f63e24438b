// Partner import job page: while the import runs, poll its JSON progress and move the bar;
// reload the page once it has finished, so the results (errors, changes) are shown.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || box.getAttribute("data-running") !== "true") return;
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector(".progress-bar");
  var wrap = box.querySelector(".progress");
  function field(name, value) {
    var el = box.querySelector('[data-field="' + name + '"]');
    if (el) el.textContent = value;
  }
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        bar.style.width = data.percent + "%";
        bar.textContent = data.percent + "%";
        wrap.setAttribute("aria-valuenow", String(data.percent));
        field("processed_rows", data.processed_rows);
        field("total_rows", data.total_rows);
        field("stage_label", data.stage_label);
        if (data.running) {
          window.setTimeout(poll, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 500);
})();

// Tier setup: the requirement form asks the server, on each change, how many active partners
// meet the requirement today (tiers.impact.partners_meeting, the nightly evaluation's own
// measures), and shows the subject select only for a measure that takes one. Without JavaScript
// the form's "Check" button does the same by a round trip. No inline scripts.
(function () {
  "use strict";
  var form = document.querySelector("form[data-count-url]");
  if (!form) {
    return;
  }
  var url = form.getAttribute("data-count-url");
  var subjects = JSON.parse(form.getAttribute("data-subject-measures") || "{}");
  var out = form.querySelector("[data-live-count]");
  var metric = form.querySelector("[name=metric]");
  var timer = null;
  var sent = 0;

  var help = form.querySelector("[data-measure-help]");

  function showHelp() {
    if (!help) {
      return;
    }
    var entry = null;
    form.querySelectorAll("[data-counting]").forEach(function (dd) {
      if (dd.getAttribute("data-counting") === metric.value) {
        entry = dd;
      }
    });
    help.textContent = entry ? entry.textContent : "";
  }

  function showSubjects() {
    showHelp();
    var wanted = subjects[metric.value] || "";
    form.querySelectorAll("[data-subject-field]").forEach(function (box) {
      var name = box.getAttribute("data-subject-field");
      box.hidden = name !== wanted;
      if (box.hidden) {
        var select = box.querySelector("select");
        if (select) {
          select.value = "";
        }
      }
    });
  }

  function count() {
    var params = new URLSearchParams();
    form.querySelectorAll("select, input[name=minimum]").forEach(function (el) {
      if (el.name) {
        params.append(el.name, el.value);
      }
    });
    var mine = ++sent;
    fetch(url + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        if (mine !== sent || !out) {
          return;
        }
        if (data.text) {
          out.textContent = data.text;
        } else if (data.errors) {
          var first = Object.keys(data.errors)[0];
          out.textContent = first ? data.errors[first][0].message : "";
        }
      })
      .catch(function () {});
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(count, 300);
  }

  metric.addEventListener("change", showSubjects);
  form.addEventListener("change", later);
  form.addEventListener("input", later);
  showSubjects();
  if (metric.value) {
    count();
  }
})();

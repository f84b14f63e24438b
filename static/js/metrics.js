/* Metric charts. Data comes from json_script elements (no inline scripts: strict CSP). */
(function () {
  "use strict";
  var canvas = document.getElementById("adoption-history");
  var source = document.getElementById("adoption-history-data");
  if (!canvas || !source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [{ label: "Adoption score", data: data.scores, tension: 0.25, pointRadius: 0, fill: true }],
    },
    options: {
      animation: false,
      scales: { y: { min: 0, max: 100 } },
      plugins: { legend: { display: false } },
    },
  });
})();

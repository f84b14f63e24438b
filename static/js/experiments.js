/* Activation experiment results: Kaplan-Meier curves (share activated by day) per variant, and
   the progress bars' widths. Data from json_script (no inline scripts or styles: strict CSP). */
(function () {
  "use strict";
  document.querySelectorAll(".progress-bar[data-width]").forEach(function (bar) {
    bar.style.width = Math.max(0, Math.min(100, Number(bar.dataset.width) || 0)) + "%";
  });
  var canvas = document.getElementById("experiment-curves");
  var source = document.getElementById("experiment-curves-data");
  if (!canvas || !source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  new window.Chart(canvas, {
    type: "line",
    data: {
      datasets: data.series.map(function (series) {
        return { label: series.label, data: series.points, stepped: "before", pointRadius: 0 };
      }),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: true,
      scales: {
        x: { type: "linear", min: 0, max: data.window, title: { display: true, text: data.x_label } },
        y: {
          min: 0,
          max: 1,
          ticks: {
            callback: function (value) {
              return Math.round(value * 100) + " %";
            },
          },
        },
      },
    },
  });
})();

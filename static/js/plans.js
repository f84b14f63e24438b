// The scorecard's "Print / save as PDF" button (no inline scripts: a strict CSP stays possible).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});

// The scorecard's trend: a small bar chart per measured goal over the last four periods (the
// figures are also in the table under the charts; a period without a figure draws no bar).
(function () {
  var source = document.getElementById("scorecard-trend-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  document.querySelectorAll("[data-trend-chart]").forEach(function (canvas) {
    var series = data.series[Number(canvas.dataset.trendChart)];
    if (!series) {
      return;
    }
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: series.label, data: series.values }] },
      options: {
        animation: false,
        scales: { y: { beginAtZero: true } },
        plugins: { legend: { display: false } },
      },
    });
  });
})();

/* Dashboard charts (Chart.js, vendored). Each <canvas data-chart-source="ID"> is drawn from the
   JSON of <script type="application/json" id="ID"> (Django's json_script: no inline scripts, so a
   strict CSP holds). The numbers are also in the table under each chart, for readers without
   JavaScript. A drawn chart gets a PNG download (Chart.js toBase64Image). A dataset with "hrefs"
   (one per bar or point) opens the partner list behind the clicked bar, as the table's links do. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var palette = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#dc3545", "#198754"];

  function hrefAt(spec, elements) {
    if (!elements || !elements.length) {
      return "";
    }
    var set = spec.datasets[elements[0].datasetIndex];
    return (set && set.hrefs && set.hrefs[elements[0].index]) || "";
  }

  function options(spec) {
    var valueAxis = { beginAtZero: true };
    if (spec.max) {
      valueAxis.max = spec.max;
    }
    var scales = spec.horizontal ? { x: valueAxis } : { y: valueAxis };
    return {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: spec.horizontal ? "y" : "x",
      scales: scales,
      plugins: { legend: { display: spec.datasets.length > 1 } },
      onClick: function (event, elements) {
        var href = hrefAt(spec, elements);
        if (href) {
          window.location.assign(href);
        }
      },
      onHover: function (event, elements) {
        event.native.target.style.cursor = hrefAt(spec, elements) ? "pointer" : "default";
      },
    };
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chartSource);
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var datasets = spec.datasets.map(function (set, i) {
      var color = palette[i % palette.length];
      return {
        label: set.label,
        data: set.data,
        backgroundColor: spec.type === "line" ? color + "33" : color,
        borderColor: color,
        fill: spec.type === "line" && spec.datasets.length === 1,
        tension: 0.2,
        pointRadius: spec.type === "line" ? 2 : 0,
      };
    });
    var chart = new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: options(spec),
    });
    canvas.dataset.drawn = "true";
    var png = document.querySelector("[data-chart-png='" + canvas.id + "']");
    if (png) {
      png.classList.remove("d-none");
      png.addEventListener("click", function () {
        // A white background: the canvas is transparent, and a PNG on dark viewers would vanish.
        var ctx = canvas.getContext("2d");
        ctx.save();
        ctx.globalCompositeOperation = "destination-over";
        ctx.fillStyle = "#ffffff";
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.restore();
        png.href = chart.toBase64Image("image/png", 1);
      });
    }
  }

  document.querySelectorAll("canvas[data-chart-source]").forEach(draw);
})();

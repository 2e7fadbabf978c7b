/* The operator console's metrics charts (Chart.js from the npm package, served by
   whitenoise): each <canvas data-chart="name"> draws charts[name] from the
   json_script tag "metrics-charts". The same figures are in the page's tables. */
(function () {
  "use strict";
  var source = document.getElementById("metrics-charts");
  if (!source || typeof window.Chart === "undefined") { return; }
  var charts = JSON.parse(source.textContent);
  var colours = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#64748b"];
  window.olCharts = {};
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = charts[canvas.dataset.chart];
    if (!spec) { return; }
    var round = spec.type === "doughnut";
    var datasets = spec.datasets.map(function (set, i) {
      var colour = colours[i % colours.length];
      return Object.assign({}, set, {
        backgroundColor: round ? colours.slice(0, set.data.length) : colour,
        borderColor: round ? "#fff" : colour,
        borderWidth: round ? 1 : 2, pointRadius: 2, tension: 0.2
      });
    });
    var options = {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: round || datasets.length > 1, position: "bottom" } }
    };
    if (!round) { options.scales = { y: { beginAtZero: true, ticks: { precision: 0 } } }; }
    window.olCharts[canvas.dataset.chart] = new window.Chart(canvas, {
      type: spec.type, data: { labels: spec.labels, datasets: datasets }, options: options
    });
  });
})();

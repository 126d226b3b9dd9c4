// "Print" buttons ([data-print]) and charts that fit the printed page (no inline scripts: CSP).
(function () {
  function resizeCharts() {
    if (!window.Plotly) return;
    document.querySelectorAll(".js-plotly-plot").forEach(function (chart) {
      window.Plotly.Plots.resize(chart);
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (!button) return;
    event.preventDefault();
    resizeCharts();
    window.print();
  });
  window.addEventListener("beforeprint", resizeCharts);
  window.addEventListener("afterprint", resizeCharts);
})();

// Draws every Plotly figure embedded as <script type="application/json" data-plotly> (no inline
// scripts, so the Content-Security-Policy can forbid them), on load and after htmx swaps.
(function () {
  function draw(root) {
    root.querySelectorAll("script[data-plotly]").forEach(function (node) {
      var target = document.getElementById(node.dataset.plotly);
      if (!target || !window.Plotly) return;
      var figure = JSON.parse(node.textContent);
      var config = Object.assign({ responsive: true, displaylogo: false }, figure.config || {});
      window.Plotly.react(target, figure.data, figure.layout, config);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();

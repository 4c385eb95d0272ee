/* Draw every chart on the page from its embedded Plotly JSON (plotly.js is loaded once). */
(function () {
  "use strict";
  var config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
  document.querySelectorAll("[data-figure]").forEach(function (element) {
    var source = document.getElementById(element.getAttribute("data-figure"));
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(element, figure.data, figure.layout, config);
  });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      if (element.data) { window.Plotly.relayout(element, { width: 640 }); }
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      if (element.data) { window.Plotly.relayout(element, { width: null, autosize: true }); }
    });
  });
})();

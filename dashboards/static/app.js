/* Draw every chart on the page from its embedded Plotly JSON (plotly.js is loaded once), and
   show the backtest beside each working-agreement target as it is typed. */
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

/* The team page's agreement form: as a target is typed, ask GET /api/v1/agreements/backtest
   (the session cookie signs the GET in) how often it would have fired in the last 30 days. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-backtest]");
  if (!form) { return; }
  var DAYS = 30;
  form.querySelectorAll("[data-rule]").forEach(function (input) {
    var rule = input.getAttribute("data-rule");
    var out = form.querySelector('[data-backtest-for="' + rule + '"]');
    var timer = null;
    var asked = 0;
    var show = function () {
      var value = input.type === "checkbox" ? (input.checked ? "1" : "") : input.value.trim();
      clearTimeout(timer);
      asked += 1;
      if (!value || !(Number(value) > 0)) { out.textContent = ""; return; }
      var mine = asked;
      out.textContent = "checking the last " + DAYS + " days…";
      timer = setTimeout(function () {
        var query = new URLSearchParams({ team: form.getAttribute("data-team"), name: rule, value: value, days: String(DAYS) });
        fetch(form.getAttribute("data-backtest") + "?" + query.toString(), {
          credentials: "same-origin", headers: { Accept: "application/json" }
        }).then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        }).then(function (answer) {
          if (mine !== asked) { return; }
          var fired = answer.counts[rule] || 0;
          out.textContent = "would have fired " + fired + " time" + (fired === 1 ? "" : "s") + " in the last " + DAYS + " days";
        }).catch(function () {
          if (mine === asked) { out.textContent = "the backtest could not be run for this value"; }
        });
      }, 250);
    };
    input.addEventListener("input", show);
    input.addEventListener("change", show);
  });
})();

/* The pain map's path panel: a click on a box asks GET /api/v1/painmap/path (the session
   cookie signs the GET in) for the PRs, runs, flags and commits behind it, shown as links. */
(function () {
  "use strict";
  var panel = document.getElementById("painmap-panel");
  var plot = document.querySelector('[data-figure="fig-painmap"]');
  if (!panel || !plot) { return; }
  var link = function (href, text) {
    var a = document.createElement("a");
    a.textContent = text;
    if (href) { a.href = href; }
    return a;
  };
  var list = function (title, items, render) {
    var heading = document.createElement("h4");
    heading.textContent = title + " (" + items.length + ")";
    panel.appendChild(heading);
    var ul = document.createElement("ul");
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.appendChild(render(item));
      ul.appendChild(li);
    });
    panel.appendChild(ul);
  };
  var show = function (path, answer) {
    panel.textContent = "";
    var heading = document.createElement("h3");
    heading.textContent = path || "(whole repository)";
    panel.appendChild(heading);
    list("Pull requests", answer.pulls, function (p) {
      var hours = p.wait_hours === null ? "no review wait"
        : p.first_review_at ? p.wait_hours + " h to first review"
        : "waiting " + p.wait_hours + " h, no review yet";
      return link(p.url, "#" + p.number + " " + p.title + " (" + hours + ")");
    });
    list("Failed and flaky runs", answer.runs, function (r) {
      return link(r.url, r.name + " #" + r.id + (r.flaky ? " (flaky)" : " (failed)"));
    });
    list("Flags", answer.flags, function (f) { return link(f.url, f.summary + " (" + f.status + ")"); });
    list("Commits", answer.commits, function (c) { return link(c.url, c.sha.slice(0, 8) + " " + c.summary); });
    panel.hidden = false;
  };
  var ask = function (path) {
    var query = new URLSearchParams({
      repo: panel.getAttribute("data-repo"), path: path,
      since: panel.getAttribute("data-since"), until: panel.getAttribute("data-until")
    });
    panel.hidden = false;
    panel.textContent = "Loading the evidence for " + (path || "the repository") + "…";
    fetch("/api/v1/painmap/path?" + query.toString(), {
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (answer) { show(path, answer); }).catch(function () {
      panel.textContent = "The evidence for " + path + " could not be loaded.";
    });
  };
  var attach = function () {
    if (!plot.on) { window.setTimeout(attach, 50); return; }
    plot.on("plotly_click", function (event) {
      var point = event && event.points && event.points[0];
      if (!point || !point.customdata) { return true; }
      var path = String(point.customdata[0]);
      var kind = point.customdata[10];
      if (kind === "root") { path = ""; }
      ask(kind === "other" || kind === "binary-group" ? path.replace(/\/?[^/]*$/, "") : path);
      return true;
    });
  };
  window.addEventListener("load", attach);
})();

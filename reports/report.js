// Draws every chart from the embedded configurations and makes every table sortable.
(function () {
  "use strict";
  var specs = JSON.parse(document.getElementById("armbench-charts").textContent);
  specs.forEach(function (spec) {
    var canvas = document.getElementById("chart-" + spec.id);
    if (canvas) new Chart(canvas, spec.config);
  });

  function key(cell) {
    var v = cell.getAttribute("data-v");
    return v === null ? cell.textContent : v === "" ? null : Number(v);
  }
  // Absent numbers sort last either way; numbers before text.
  function compare(a, b, dir) {
    if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
    if (typeof a === "number" && typeof b === "number") return dir * (a - b);
    return dir * String(a).localeCompare(String(b), undefined, { numeric: true });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      th.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) { return compare(key(r1.cells[col]), key(r2.cells[col]), dir); });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();

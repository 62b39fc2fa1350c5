(function () {
  "use strict";
  var each = function (list, f) { Array.prototype.forEach.call(list, f); };
  // Filter: hide cards and rows (marked data-f) that do not hold every word typed.
  var form = document.getElementById("filter-form"), box = document.getElementById("filter");
  var status = document.getElementById("filter-status");
  var words = function (el) {  // its text, cell by cell (words never run across cells),
    var walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), parts = [];
    while (walk.nextNode()) { parts.push(walk.currentNode.nodeValue); }
    var group = el.closest("[data-group]");  // and the heading of its candidate
    if (group) { parts.push(group.querySelector("h4").textContent); }
    return parts.join(" ").toLowerCase();
  };
  var items = Array.prototype.map.call(document.querySelectorAll("[data-f]"), function (el) {
    return [el, words(el)];
  });
  var groups = document.querySelectorAll("[data-group]");
  form.hidden = false;
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  box.addEventListener("input", function () {
    var asked = box.value.toLowerCase().split(/\s+/).filter(Boolean), shown = 0;
    items.forEach(function (it) {
      var keep = asked.every(function (w) { return it[1].indexOf(w) >= 0; });
      it[0].hidden = !keep;
      shown += keep;
    });
    each(groups, function (g) { g.hidden = !g.querySelector("[data-f]:not([hidden])"); });
    status.textContent = asked.length ? shown + " of " + items.length + " rows and cards match" : "";
  });
  // Sortable columns: a button in each th[data-sort]; numbers sort as numbers.
  each(document.querySelectorAll("th[data-sort]"), function (th) {
    var button = document.createElement("button");
    button.type = "button";
    while (th.firstChild) { button.appendChild(th.firstChild); }
    th.appendChild(button);
    button.addEventListener("click", function () {
      var table = th.closest("table"), body = table.tBodies[0];
      var index = Array.prototype.indexOf.call(th.parentNode.children, th);
      var up = th.getAttribute("aria-sort") !== "ascending";
      each(table.querySelectorAll("th[aria-sort]"), function (o) { o.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", up ? "ascending" : "descending");
      var key = function (row) { var c = row.cells[index]; return c ? c.textContent.trim() : ""; };
      var rows = Array.prototype.slice.call(body.rows);
      var numeric = rows.every(function (r) { return key(r) === "" || !isNaN(key(r)); });
      rows.sort(function (a, b) {
        var x = key(a), y = key(b), d = numeric ? x - y : x.localeCompare(y);
        return up ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();

(function () {
  "use strict";
  var panel = document.getElementById("filters");
  var search = document.getElementById("hsm-search");
  var count = document.getElementById("filter-count");
  var boxes = Array.prototype.slice.call(panel.querySelectorAll('input[name="status"]'));
  var hsms = Array.prototype.slice.call(document.querySelectorAll("article.hsm"));
  function apply() {
    var shown = {};
    boxes.forEach(function (box) {
      shown[box.value] = box.checked;
    });
    var text = search.value.trim().toLowerCase();
    var visible = 0;
    hsms.forEach(function (hsm) {
      var rows = Array.prototype.slice.call(hsm.querySelectorAll("tr.finding, div.fix"));
      var any = false;
      rows.forEach(function (row) {
        var on = shown[row.getAttribute("data-status")] === true;
        row.classList.toggle("is-hidden", !on);
        if (on && row.tagName === "TR") any = true;
      });
      var match = text === "" || (hsm.getAttribute("data-name") || "").indexOf(text) !== -1;
      var keep = match && any;
      hsm.classList.toggle("is-hidden", !keep);
      if (keep) visible += 1;
    });
    document.querySelectorAll("section.subscription > table tr.finding").forEach(function (row) {
      row.classList.toggle("is-hidden", shown[row.getAttribute("data-status")] !== true);
    });
    count.textContent = visible + " of " + hsms.length + " HSMs shown";
  }
  boxes.forEach(function (box) {
    box.addEventListener("change", apply);
  });
  search.addEventListener("input", apply);
  panel.hidden = false;
  apply();
})();

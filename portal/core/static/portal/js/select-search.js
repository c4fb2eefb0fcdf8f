// A search box for long selects (select[data-searchable]): typing narrows the options to
// those containing the words typed, in any letter case and with or without accents; the
// chosen option always stays. Without JavaScript the select works as it is.
(function () {
  "use strict";
  var fold = function (text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  };
  document.querySelectorAll("select[data-searchable]").forEach(function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "select-search";
    box.id = select.id + "-search";
    box.setAttribute("aria-label", select.dataset.searchLabel || "Search");
    box.setAttribute("aria-controls", select.id);
    box.autocomplete = "off";
    select.parentNode.insertBefore(box, select);
    var count = 0;
    box.addEventListener("input", function () {
      var words = fold(box.value).split(/\s+/).filter(Boolean);
      count = 0;
      Array.prototype.forEach.call(select.options, function (option) {
        var text = fold(option.textContent);
        var match = !option.value || option.selected || words.every(function (w) { return text.indexOf(w) !== -1; });
        option.hidden = !match;
        if (match && option.value) count += 1;
      });
      select.size = words.length ? Math.min(Math.max(count + 1, 2), 8) : 0;
    });
  });
})();

// A "select all" box in a table header: ticks or clears every box named by its
// data-select-all in the same form, and shows itself mixed when only some are ticked.
// Without JavaScript it stays hidden and each row is ticked by hand.
(function () {
  "use strict";
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var form = all.form || all.closest("form");
    if (!form) return;
    var boxes = function () {
      return form.querySelectorAll('input[type="checkbox"][name="' + all.dataset.selectAll + '"]');
    };
    var sync = function () {
      var list = boxes();
      var ticked = Array.prototype.filter.call(list, function (box) { return box.checked; }).length;
      all.checked = list.length > 0 && ticked === list.length;
      all.indeterminate = ticked > 0 && ticked < list.length;
    };
    all.hidden = boxes().length === 0;
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
      all.indeterminate = false;
    });
    form.addEventListener("change", function (event) {
      if (event.target !== all) sync();
    });
    sync();
  });
})();

// The verification queue: "select all on this page" ticks or clears every post's box
// of the bulk form (the boxes work one by one without it).
(function () {
  'use strict';
  var all = document.querySelector('[data-pick-all]');
  if (!all) return;
  var boxes = function () {
    return document.querySelectorAll('input[type=checkbox][name=ids][form="' + all.getAttribute('data-pick-all') + '"]');
  };
  all.addEventListener('change', function () {
    boxes().forEach(function (b) { b.checked = all.checked; });
  });
  document.addEventListener('change', function (e) {
    if (e.target === all || e.target.name !== 'ids') return;
    var list = boxes();
    var ticked = Array.prototype.filter.call(list, function (b) { return b.checked; }).length;
    all.checked = ticked === list.length;
    all.indeterminate = ticked > 0 && ticked < list.length;
  });
})();

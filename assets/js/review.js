// A review's page: text selected in the latest version fills the "passage" field, so a
// reviewer comments on a passage by selecting it.
(function () {
  const latest = document.getElementById('latest-text');
  const passage = document.getElementById('f-passage');
  if (!latest || !passage) return;
  const take = () => {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || !latest.contains(sel.anchorNode) || !latest.contains(sel.focusNode)) return;
    const text = sel.toString().trim();
    if (text) passage.value = text.slice(0, 1000);
  };
  latest.addEventListener('mouseup', take);
  latest.addEventListener('touchend', take);
  latest.addEventListener('keyup', take);
})();

// Copy a draft with one tap. Without JavaScript the draft is still selectable text.
document.addEventListener('click', async (event) => {
  const button = event.target.closest('button.copy');
  if (!button) return;
  const area = document.getElementById(button.dataset.copy);
  if (!area) return;
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(area.value);
  } catch {
    area.select();
    document.execCommand('copy');
  }
  button.textContent = button.dataset.done || label;
  setTimeout(() => { button.textContent = label; }, 2000);
});

// Small progressive enhancements; every page works without this file.
document.addEventListener("click", (e) => {
  // Buttons that do something irreversible ask first.
  const b = e.target.closest("[data-confirm]");
  if (b && !window.confirm(b.dataset.confirm)) e.preventDefault();
  // Copy a freshly created token to the clipboard.
  const c = e.target.closest("[data-copy]");
  if (c && navigator.clipboard) {
    navigator.clipboard.writeText(document.getElementById(c.dataset.copy).textContent.trim());
  }
});
document.addEventListener("click", (e) => {
  if (e.target.closest("[data-print]")) window.print();
});

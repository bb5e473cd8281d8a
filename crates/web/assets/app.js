// Small progressive enhancements; every page works without this file.
document.addEventListener("click", (e) => {
  // Copy a freshly created token to the clipboard.
  const c = e.target.closest("[data-copy]");
  if (c && navigator.clipboard) {
    navigator.clipboard.writeText(document.getElementById(c.dataset.copy).textContent.trim());
  }
});
document.addEventListener("click", (e) => {
  if (e.target.closest("[data-print]")) window.print();
});
// Folds that only a phone needs (the inbox's filters) open where there is room.
if (window.matchMedia("(min-width: 40.01rem)").matches) {
  for (const d of document.querySelectorAll("details[data-open-wide]")) d.open = true;
}
// A file picker in the page's language shows the names of the chosen files.
for (const input of document.querySelectorAll("input[type=file][data-names]")) {
  const out = document.getElementById(input.dataset.names);
  const show = () => {
    // Each name isolated (FSI … PDI): a Latin name cannot reorder a Persian list.
    const names = Array.from(input.files, (f) => `\u2068${f.name}\u2069`);
    out.textContent = names.length
      ? out.dataset.chosen.replace("{files}", names.join(document.documentElement.lang === "fa" ? "، " : ", "))
      : out.dataset.none;
  };
  show();
  input.addEventListener("change", show);
}

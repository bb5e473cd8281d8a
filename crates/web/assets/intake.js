// The idea submission form: autosave of the draft and similar ideas as the title and problem are
// typed. The form works without this file (its "save draft" and "check for similar ideas"
// buttons post the form).
(() => {
  const form = document.getElementById("idea-form");
  if (!form || !form.dataset.draftUrl) return;
  const status = document.getElementById("draft-status");
  const list = document.getElementById("similar-list");
  const fields = () => {
    const data = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (typeof v === "string") data.append(k, v);
    return data;
  };
  const debounce = (fn, ms) => {
    let t;
    return () => { clearTimeout(t); t = setTimeout(fn, ms); };
  };
  const save = debounce(async () => {
    try {
      const r = await fetch(form.dataset.draftUrl, {
        method: "POST",
        body: fields(),
        credentials: "same-origin",
        headers: { "X-CSRF-Token": form.elements.csrf.value },
      });
      if (!r.ok) throw new Error(r.status);
      status.textContent = (await r.json()).message;
    } catch (_) {
      status.textContent = status.dataset.failed;
    }
  }, 2000);
  const similar = debounce(async () => {
    const q = `${form.elements.title.value}\n${form.elements.problem.value}`.trim();
    if (q.length < 3) return;
    const r = await fetch(`${form.dataset.similarUrl}?q=${encodeURIComponent(q)}`, { credentials: "same-origin" });
    // The fragment is rendered (and escaped) by the server.
    if (r.ok) list.innerHTML = await r.text();
  }, 800);
  form.addEventListener("input", (e) => {
    if (e.target.type === "file") return;
    save();
    if (e.target.name === "title" || e.target.name === "problem") similar();
  });
})();

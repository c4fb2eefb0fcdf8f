// Progressive enhancement only: every form works without this file.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-autosubmit]")) {
    const select = form.querySelector("select");
    if (!select || select.disabled) continue;
    select.addEventListener("change", () => form.requestSubmit());
  }
});

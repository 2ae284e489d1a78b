// Submit the filter form as soon as a menu changes; the Apply button still works without scripts.
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-autosubmit]");
  if (form && event.target.tagName === "SELECT") {
    form.requestSubmit();
  }
});
// Leave empty fields out of the URL so shared links stay short.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-autosubmit]")) return;
  for (const field of form.elements) {
    if (field.name && field.value === "") field.disabled = true;
  }
});
// Fields disabled above stay disabled when the browser restores the page from its back/forward cache.
window.addEventListener("pageshow", () => {
  for (const field of document.querySelectorAll("form[data-autosubmit] [disabled]")) field.disabled = false;
});

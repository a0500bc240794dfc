// Copy buttons: <button class="copy" data-copy="element-id">. No inline script (CSP).
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  try {
    await navigator.clipboard.writeText(source.textContent.trim());
    button.textContent = "Copied";
  } catch {
    const range = document.createRange();
    range.selectNodeContents(source);
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    button.textContent = "Selected: press Ctrl+C";
  }
  setTimeout(() => { button.textContent = "Copy"; }, 2000);
});

// A form with data-watch="<element id>" (the test sign-in, which opens in a new tab) makes
// that element start following the attempt: it fetches its own polling URL once.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-watch]");
  if (!form || !window.htmx) return;
  const id = form.dataset.watch;
  setTimeout(() => {
    const status = document.getElementById(id);
    if (status) htmx.ajax("GET", status.dataset.watchUrl, { target: `#${id}`, swap: "outerHTML" });
  }, 1000);
});

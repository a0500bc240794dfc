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

// A search box with data-filter-list="<list id>" hides the list's items whose data-name does
// not contain what is typed (the groups-sync checklist); data-filter-count names a live count.
// A value typed (or restored by the browser) before this script ran is applied on load.
function applyFilter(box) {
  const wanted = box.value.trim().toLowerCase();
  const items = document.querySelectorAll(`#${box.dataset.filterList} > li`);
  let shown = 0;
  items.forEach((item) => {
    item.hidden = !item.dataset.name.includes(wanted);
    if (!item.hidden) shown += 1;
  });
  const count = document.getElementById(box.dataset.filterCount || "");
  if (count) count.textContent = wanted ? `${shown} of ${items.length} groups shown` : `${items.length} groups`;
}
document.addEventListener("input", (event) => {
  const box = event.target.closest("input[data-filter-list]");
  if (box) applyFilter(box);
});
document.querySelectorAll("input[data-filter-list]").forEach((box) => {
  if (box.value) applyFilter(box);
});

// Escape closes a user's groups pop-up without moving focus (WCAG 1.4.13).
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const popup = event.target.closest(".groups-popup");
  if (popup) popup.classList.add("dismissed");
});
// Focus leaving the trigger, or the pointer coming onto it, re-arms the pop-up.
for (const type of ["focusout", "mouseover"]) {
  document.addEventListener(type, (event) => {
    const popup = event.target.closest(".groups-popup");
    if (popup && !popup.contains(event.relatedTarget)) popup.classList.remove("dismissed");
  });
}

// A form with data-autosubmit (a SAML request posted to the IdP) goes as soon as the page
// is read; its own button does the same where scripts do not run.
document.querySelectorAll("form[data-autosubmit]").forEach((form) => form.submit());

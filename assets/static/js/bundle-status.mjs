// The disclosure bundle page: while the bundle is being produced, ask the server for its
// progress every few seconds and move the progress bar; when it is ready (or has failed),
// load the page again to show the download. Without JavaScript the page has a "Check again"
// link. External module: the content security policy allows no inline script.

const INTERVAL_MS = 3000;

const panel = document.querySelector("[data-bundle-status-url]");
const url = panel ? panel.dataset.bundleStatusUrl : "";

async function check() {
  let body;
  try {
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    });
    if (!response.ok) return false;
    body = await response.json();
  } catch {
    return false;
  }
  const bar = panel.querySelector("[data-bundle-progress]");
  const text = panel.querySelector("[data-bundle-text]");
  const label = panel.querySelector("[data-bundle-label]");
  if (bar) {
    bar.value = body.percent;
    bar.textContent = `${body.percent}%`;
  }
  if (text) {
    text.textContent = `${body.items_done} of ${body.items_total} item${body.items_total === 1 ? "" : "s"} done (${body.percent}%).`;
  }
  if (label) label.textContent = body.label;
  if (body.finished) {
    window.location.reload();
    return true;
  }
  return false;
}

async function poll() {
  const finished = await check();
  if (!finished) window.setTimeout(poll, INTERVAL_MS);
}

if (panel && url) window.setTimeout(poll, INTERVAL_MS);

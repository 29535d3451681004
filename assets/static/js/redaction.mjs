// Redaction review: select words in the item's text and the "Redact a passage" form gets
// their start and end, counted in characters (Unicode code points) from the beginning of the
// text, as the server counts them. Without JavaScript the officer types the words or the
// positions instead. Loaded as an external module: the content security policy allows no
// inline script.

const SKIP = "[data-offset-skip]";

function codePoints(text) {
  return Array.from(text).length;
}

// The server's offset of a boundary point (node, offset) inside the text element. Each piece
// of the text carries the offset it starts at (data-start); labels for screen readers and the
// exemption codes are marked data-offset-skip and do not count.
function offsetOf(container, node, offset) {
  const range = document.createRange();
  range.setStart(container, 0);
  range.setEnd(node, offset);
  let position = 0;
  for (const piece of container.querySelectorAll("[data-start]")) {
    if (!range.intersectsNode(piece)) break;
    position = Number(piece.dataset.start);
    const walker = document.createTreeWalker(piece, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      if (text.parentElement && text.parentElement.closest(SKIP)) continue;
      if (!range.intersectsNode(text)) break;
      const data = text === range.endContainer ? text.data.slice(0, range.endOffset) : text.data;
      position += codePoints(data);
    }
  }
  return position;
}

function setUp(container, form) {
  const start = form.elements.namedItem("start");
  const end = form.elements.namedItem("end");
  const words = form.elements.namedItem("text");
  const preview = form.querySelector("[data-redaction-preview]");
  if (!start || !end || !words) return;

  function fromSelection() {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) {
      return;
    }
    const from = offsetOf(container, range.startContainer, range.startOffset);
    const to = offsetOf(container, range.endContainer, range.endOffset);
    if (to <= from) return;
    start.value = String(from);
    end.value = String(to);
    // The positions say exactly what to redact: the typed-words route is not needed.
    words.value = "";
    if (preview) {
      const shown = selection.toString().trim();
      preview.textContent = `Selected: “${shown.length > 120 ? `${shown.slice(0, 117)}…` : shown}” (characters ${from} to ${to})`;
      preview.hidden = false;
    }
  }

  container.addEventListener("mouseup", fromSelection);
  container.addEventListener("keyup", fromSelection);
  container.addEventListener("touchend", fromSelection);
  // Keyboard users: the text can take focus, so shift and the arrow keys select within it.
  if (!container.hasAttribute("tabindex")) container.setAttribute("tabindex", "0");
}

const container = document.querySelector("[data-redaction-text]");
const form = document.querySelector("[data-redaction-form]");
if (container && form) setUp(container, form);

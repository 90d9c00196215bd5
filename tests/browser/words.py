"""Words split over two lines (the board's metric names broke inside a word: "Checkou|t success", "Respon|se
time"): ``page.evaluate(SPLIT_WORDS, selector)`` lists, for every visible text under the elements the selector
finds, each place where two characters side by side in one word stand on different lines. A break after a space,
a hyphen, a dash, a slash or "·" is a break between words."""

SPLIT_WORDS = """(selector) => {
  const out = [];
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el.getClientRects().length || el.closest("[hidden]")) continue;
      const text = node.textContent;
      let prev = null;
      for (let i = 0; i < text.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rects = range.getClientRects();
        if (!rects.length) { prev = null; continue; }
        const box = rects[0];
        const between = /[\\s\\-\\u2010\\u2013\\u2014\\/·]/.test(prev ? prev.ch : " ") || /\\s/.test(text[i]);
        if (prev && box.top >= prev.bottom - 1 && !between) {
          out.push(text.trim().slice(0, 60) + " [" + prev.ch + "|" + text[i] + "]");
        }
        prev = {ch: text[i], bottom: box.bottom};
      }
    }
  }
  return out;
}"""

// In-browser accessibility checks (no axe-core download): returns a list of problems.
// Labels on form controls, names on buttons/links/summaries, alt on images, named SVG charts,
// lang="id", one <main> and one <h1>, unique ids, no positive tabindex, and WCAG AA text
// contrast of every visible text node against its effective background.
() => {
  const problems = [];
  const short = (el) => el.outerHTML.slice(0, 90);
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== "hidden" && cs.display !== "none";
  };

  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden") continue;
    const named = (el.labels && el.labels.length) || el.getAttribute("aria-label") ||
      el.getAttribute("aria-labelledby");
    if (!named) problems.push("unlabelled control " + short(el));
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push("image without alt " + short(img));
  }
  for (const el of document.querySelectorAll("button, a[href], summary")) {
    const name = (el.textContent || "").trim() || el.getAttribute("aria-label") ||
      el.getAttribute("title");
    if (!name) problems.push("control without a name " + short(el));
  }
  for (const svg of document.querySelectorAll("svg")) {
    if (svg.getAttribute("role") !== "img" ||
        !(svg.getAttribute("aria-label") || svg.querySelector("title"))) {
      problems.push("svg without role=img and a name");
    }
  }
  if (document.documentElement.lang !== "id") problems.push("html lang is not id");
  if (document.querySelectorAll("main").length !== 1) problems.push("not exactly one <main>");
  if (!document.querySelector("header") || !document.querySelector("footer")) {
    problems.push("missing header/footer landmark");
  }
  if (document.querySelectorAll("h1").length !== 1) problems.push("not exactly one <h1>");
  const ids = {};
  for (const el of document.querySelectorAll("[id]")) ids[el.id] = (ids[el.id] || 0) + 1;
  for (const [id, n] of Object.entries(ids)) if (n > 1) problems.push("duplicate id " + id);
  for (const el of document.querySelectorAll("[tabindex]")) {
    if (parseInt(el.getAttribute("tabindex"), 10) > 0) problems.push("positive tabindex " + short(el));
  }

  const parse = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c);
    if (!m) return null;
    const p = m[1].split(",").map(parseFloat);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  let checked = 0;
  for (const el of document.querySelectorAll("body *")) {
    if (["SCRIPT", "STYLE", "svg", "OPTION"].includes(el.tagName) || el.closest("svg")) continue;
    const ownText = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!ownText || !visible(el) || el.closest(".sr-only, [disabled], .skip")) continue;
    const cs = getComputedStyle(el);
    const fg = parse(cs.color);
    const bg = background(el);
    const l1 = lum(fg), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(cs.fontSize);
    const large = size >= 24 || (parseInt(cs.fontWeight, 10) >= 700 && size >= 18.66);
    const need = large ? 3 : 4.5;
    checked += 1;
    if (ratio < need) {
      problems.push(`contrast ${ratio.toFixed(2)} < ${need}: ${el.tagName}.${el.className} ` +
                    `"${el.textContent.trim().slice(0, 40)}"`);
    }
  }
  if (checked < 5) problems.push("contrast check saw almost no text (" + checked + ")");
  return problems;
}

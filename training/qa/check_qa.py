#!/usr/bin/env python3
"""Check QA training items against the corpus.

Usage: python3 training/qa/check_qa.py training/qa/*.jsonl [--corpus DIR] [--show LOCATOR DOC]

For every item and every gold entry:
  * the locator is resolved to a span of the gold doc:
      - regulations: "Pasal N" = body text from the heading "Pasal N" to the next
        Pasal heading (OCR-tolerant: "Pasal 1 1", "PasaL 244", "Pasal I24", "Pasal2lT",
        "Pasal 2O"); "Penjelasan Pasal N" = same span inside the Penjelasan;
      - SOP markdown: "#N" = section "## N." up to the next "## " heading;
      - FAQ yaml: the FAQ id = the entry's question + variants + answer text;
  * every must_contain phrase (3-12 words) must occur in the normalised span
    (lower-case, whitespace runs collapsed to one space);
  * every answer_facts group must have at least one alternative that occurs in the
    normalised text of at least one gold span.
Also checks schema fields, id uniqueness and duplicate questions.
Prints failures and exits 1 if any.
"""
import argparse
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "corpus"))
if not os.path.isdir(DEFAULT_CORPUS):
    DEFAULT_CORPUS = "/work/shared/corpus"

REGISTERS = {"formal", "chat", "banjar", "english", "mixed", "typo"}
QTYPES = {"duration", "amount", "who", "list", "definition", "how", "yesno", "other"}

# OCR-tolerant heading: "Pasal" (Pa[s5]a[lL1I]) + optional dot + a number written with
# digits or look-alike letters, optionally followed directly by "(1)" (heading merged
# with the first ayat). Nothing else may follow on the line.
HEAD_RE = re.compile(
    r"^[ \t]*(?:\(\d+\)[ \t]*)?Pa[s5]a[lL1I][.,]?[ \t]*([0-9OoIlLiT][0-9OoIlLiT \t]{0,6}?[A-Z]?)[ \t]*(\(1\).*)?$")
OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "L": "1", "i": "1", "T": "7"})


def norm(s):
    return re.sub(r"\s+", " ", s.lower()).strip()


def parse_num(tok):
    t = re.sub(r"\s+", "", tok)
    m = re.fullmatch(r"([0-9OoIlLiT]+)([A-Z]?)", t)
    if not m:
        return None
    digits = m.group(1).translate(OCR_DIGITS)
    if not digits.isdigit():
        return None
    return str(int(digits)) + m.group(2)


def _walk(lines, start, end):
    """Sequential walk over candidate headings in lines[start:end].
    Returns {number: (line_index_start, line_index_end)}.
    A candidate is accepted when its number is the next expected one (allowing a
    skip of up to 3 when a heading was lost by the OCR); letter-suffixed numbers
    (e.g. 18A in amending acts) are accepted after their base number."""
    heads = []
    expected = 1
    for i in range(start, end):
        m = HEAD_RE.match(lines[i])
        if not m:
            continue
        num = parse_num(m.group(1))
        if num is None:
            continue
        if num.isdigit():
            n = int(num)
            if expected <= n <= expected + 3:
                heads.append((num, i))
                expected = n + 1
        else:
            base = int(re.match(r"\d+", num).group(0))
            if heads and base == expected - 1:
                heads.append((num, i))
    spans = {}
    for k, (num, i) in enumerate(heads):
        j = heads[k + 1][1] if k + 1 < len(heads) else end
        spans.setdefault(num, (i, j))
    return spans


_REG_CACHE = {}


def regulation_spans(path):
    if path in _REG_CACHE:
        return _REG_CACHE[path]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    # skip the '#' header block
    first = 0
    while first < len(lines) and lines[first].startswith("#"):
        first += 1
    # split body / Penjelasan at the first "PENJELASAN ATAS" after the header
    split_line = len(lines)
    for i in range(first, len(lines)):
        if re.search(r"\bPENJELASAN\b", lines[i]) and (
            re.search(r"\bPENJELASAN\s+ATAS\b", lines[i])
            or (lines[i].strip() == "PENJELASAN" and i + 1 < len(lines)
                and lines[i + 1].strip().startswith("ATAS"))):
            split_line = i
            break
    body = _walk(lines, first, split_line)
    penj = {}
    if split_line < len(lines):
        # UU 25/2009: Penjelasan starts mid-line; the Pasal headings that follow are on
        # their own lines, so walking from split_line works for every file.
        penj = _walk(lines, split_line, len(lines))
    res = {"lines": lines, "body": body, "penj": penj}
    _REG_CACHE[path] = res
    return res


def sop_span(path, num):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^## %s\.[^\n]*\n" % re.escape(num), text, re.M)
    if not m:
        return None
    nxt = re.search(r"^## ", text[m.end():], re.M)
    return text[m.start(): m.end() + (nxt.start() if nxt else len(text))]


def faq_span(path, fid):
    import yaml
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    for e in data or []:
        if e.get("id") == fid:
            parts = [str(e.get("question", ""))]
            parts += [str(v) for v in (e.get("variants") or [])]
            parts.append(str(e.get("answer", "")))
            return "\n".join(parts)
    return None


def find_doc(corpus, doc):
    for sub in ("regulations", "sop", "faq"):
        p = os.path.join(corpus, sub, doc)
        if os.path.isfile(p):
            return sub, p
    return None, None


def get_span(corpus, doc, locator):
    kind, path = find_doc(corpus, doc)
    if path is None:
        return None, "doc not found: %s" % doc
    loc = locator.strip()
    if kind == "regulations":
        m = re.fullmatch(r"(Penjelasan\s+)?Pasal\s+(\d+[A-Z]?)", loc, re.I)
        if not m:
            return None, "bad regulation locator: %r" % locator
        r = regulation_spans(path)
        table = r["penj"] if m.group(1) else r["body"]
        num = m.group(2).upper()
        if num not in table:
            return None, "locator not found: %s in %s" % (locator, doc)
        a, b = table[num]
        return "\n".join(r["lines"][a:b]), None
    if kind == "sop":
        m = re.fullmatch(r"#(\d+)", loc)
        if not m:
            return None, "bad SOP locator: %r" % locator
        s = sop_span(path, m.group(1))
        return (s, None) if s else (None, "section not found: %s %s" % (doc, locator))
    if kind == "faq":
        s = faq_span(path, loc)
        return (s, None) if s else (None, "FAQ id not found: %s %s" % (doc, locator))
    return None, "unknown doc kind"


def check_item(item, corpus):
    errs = []
    for k in ("id", "question", "gold", "answer_facts"):
        if k not in item:
            errs.append("missing field %s" % k)
    if errs:
        return errs
    if "register" in item and item["register"] not in REGISTERS:
        errs.append("bad register %r" % item["register"])
    if "qtype" in item and item["qtype"] not in QTYPES:
        errs.append("bad qtype %r" % item["qtype"])
    if not item["gold"]:
        errs.append("empty gold")
    spans = []
    for g in item["gold"]:
        span, err = get_span(corpus, g.get("doc", ""), g.get("locator", ""))
        if err:
            errs.append(err)
            continue
        ns = norm(span)
        spans.append(ns)
        mc = g.get("must_contain") or []
        if not 1 <= len(mc) <= 3:
            errs.append("%s: must_contain has %d phrases" % (g["locator"], len(mc)))
        for ph in mc:
            nw = len(ph.split())
            if not 3 <= nw <= 12:
                errs.append("phrase has %d words: %r" % (nw, ph))
            if norm(ph) not in ns:
                errs.append("%s %s: phrase not in span: %r" % (g["doc"], g["locator"], ph))
    af = item["answer_facts"]
    if not 1 <= len(af) <= 4:
        errs.append("answer_facts has %d groups" % len(af))
    for grp in af:
        if not grp:
            errs.append("empty answer_facts group")
            continue
        for alt in grp:
            if alt != alt.lower():
                errs.append("answer fact not lowercase: %r" % alt)
        if spans and not any(norm(alt) in s for alt in grp for s in spans):
            errs.append("no alternative of group %r in gold spans" % (grp,))
    return errs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*")
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--show", nargs=2, metavar=("DOC", "LOCATOR"),
                    help="print the span of a locator and exit")
    a = ap.parse_args()
    if a.show:
        span, err = get_span(a.corpus, a.show[0], a.show[1])
        print(err if err else span)
        return 0
    files = []
    for f in a.files:
        files.extend(sorted(glob.glob(f)) or [f])
    nfail = ntot = 0
    ids, questions = {}, {}
    for fn in files:
        with open(fn, encoding="utf-8") as f:
            for ln, line in enumerate(f, 1):
                if not line.strip():
                    continue
                ntot += 1
                where = "%s:%d" % (os.path.basename(fn), ln)
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as e:
                    print("FAIL %s: bad JSON: %s" % (where, e))
                    nfail += 1
                    continue
                errs = check_item(item, a.corpus)
                iid = item.get("id")
                if iid in ids:
                    errs.append("duplicate id (also %s)" % ids[iid])
                ids.setdefault(iid, where)
                q = norm(item.get("question", ""))
                if q in questions:
                    errs.append("duplicate question (also %s)" % questions[q])
                questions.setdefault(q, where)
                if errs:
                    nfail += 1
                    for e in errs:
                        print("FAIL %s %s: %s" % (where, iid, e))
    print("%d items checked, %d failing" % (ntot, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())

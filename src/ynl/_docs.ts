/**
 * Blanking the doc strings of a spec's text before {@link loadSpec} parses it (internal).
 *
 * Nothing a loaded family holds comes from a `doc` below the top level, yet the YAML parser
 * spends about a third of its time on them (js-yaml reads prose character by character: tc's
 * docs are 6% of its text and a third of a first parse's instructions). So their text is
 * replaced by `""` before the parse, keeping every line break: the lines of the rest of the
 * spec, and of any YAML error in it, stay where they were. Only values the pattern is sure of
 * are blanked: a block scalar (`doc: |`, `doc: >-`) or a plain one (starting with a letter or a
 * digit), with the lines indented deeper than the key that continue it; a quoted or flow value
 * is left to the parser. The top-level `doc` (the spec must have one, as text) is kept.
 *
 * @module
 */

/** What may follow `doc:` for the value to be blanked: a block scalar header, a plain scalar. */
const VALUE = /^(?:[ \t]+[|>][-+0-9]*[ \t]*|[ \t]+[A-Za-z0-9].*|[ \t]*)$/;

/** A line of nothing but blanks. */
const BLANK = /^[ \t]*$/;

/** The indentation of a nested key. */
const INDENT = /^ +$/;

/**
 * `text` with the values of its nested `doc` keys replaced by `""`, line for line (text with
 * carriage returns is returned as it is). The keys are found with `indexOf` rather than one
 * regular expression over the text: a first load runs this once, in cold code.
 */
export function blankNestedDocs(text: string): string {
  if (text.includes("\r")) return text;
  const parts: string[] = [];
  let done = 0; // text before this is in parts
  for (let at = text.indexOf("doc:"); at >= 0; at = text.indexOf("doc:", at + 4)) {
    const ls = text.lastIndexOf("\n", at - 1) + 1;
    if (ls < done || !INDENT.test(text.slice(ls, at))) continue;
    let eol = text.indexOf("\n", at);
    if (eol < 0) eol = text.length;
    if (!VALUE.test(text.slice(at + 4, eol))) continue;
    // the lines that continue the value: blank, or indented deeper than the key
    const deeper = " ".repeat(at - ls + 1);
    let end = eol, breaks = "";
    while (end < text.length) {
      let next = text.indexOf("\n", end + 1);
      if (next < 0) next = text.length;
      if (!text.startsWith(deeper, end + 1) && !BLANK.test(text.slice(end + 1, next))) break;
      breaks += "\n";
      end = next;
    }
    parts.push(text.slice(done, at), 'doc: ""', breaks);
    done = end;
  }
  if (done === 0) return text;
  parts.push(text.slice(done));
  return parts.join("");
}

// Spreadsheet formula neutralisation for CSV exports (CSV injection, OWASP), reversible so a round trip is exact.
//
// Rule (export): a cell whose FIRST character is one of  =  +  -  @  TAB  CR  or  '  gets one leading  '
// (apostrophe). Spreadsheets then show the cell as text instead of running it as a formula; Excel and
// LibreOffice also hide the apostrophe in the cell.
// Why the apostrophe itself is in the list: without it the rule could not be undone, since an exported
// "'=1" could be a neutralised "=1" or a prompt that really starts with an apostrophe. With it, every exported
// cell that starts with ' has exactly one added ', and the import removes exactly that one.
// Rule (import, only for files Abstain exported: mapping.unescapeFormulas): a cell starting with ' loses its
// first character. unneutralise(neutralise(s)) === s for every string s (property-tested).
// JSONL exports are not neutralised: they are not opened in spreadsheets, and JSON strings are exact.

export const FORMULA_PREFIX = "'";
/** Characters that make a leading apostrophe necessary, in the order the rule above lists them. */
export const FORMULA_TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "'"] as const;
const TRIGGER = /^[=+\-@\t\r']/;

export function neutraliseFormula(s: string): string {
  return TRIGGER.test(s) ? FORMULA_PREFIX + s : s;
}

export function unneutraliseFormula(s: string): string {
  return s.startsWith(FORMULA_PREFIX) ? s.slice(1) : s;
}

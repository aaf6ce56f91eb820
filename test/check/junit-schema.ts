/**
 * A JUnit report parsed with a real XML parser and held to the rules of the schema CI tools read
 * (Jenkins' junit-10.xsd, jenkinsci/xunit-plugin): which element may hold which, required and
 * allowed attributes of each, the time format, and counts that add up. No xmllint needed.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

// ---- a JUnit document as the parser gives it (preserveOrder: element order and attributes) ----
type XmlNode = Record<string, unknown> & { ':@'?: Record<string, string> };

export interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

function toElements(nodes: XmlNode[]): El[] {
  const out: El[] = [];
  for (const n of nodes) {
    const name = Object.keys(n).find((k) => k !== ':@') as string;
    if (name === '#text' || name === '?xml') continue;
    const kids = n[name] as XmlNode[];
    out.push({
      name,
      attrs: n[':@'] ?? {},
      children: toElements(kids),
      text: kids.filter((k) => '#text' in k).map((k) => String(k['#text'])).join(''),
    });
  }
  return out;
}

export function parseJunit(xml: string): El {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}`);
  const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, parseTagValue: false, trimValues: false });
  const els = toElements(parser.parse(xml) as XmlNode[]);
  if (els.length !== 1) throw new Error(`expected one root element, found ${els.length}`);
  return els[0];
}

/** The JUnit schema's rules (junit-10.xsd): element nesting, required attributes, time format, and counts that add up. */
export function junitProblems(rootEl: El): string[] {
  const problems: string[] = [];
  const time = /^(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?$/;
  const allowed: Record<string, { children: string[]; required: string[]; attrs: string[] }> = {
    // <testsuites> takes these five only: `skipped` is a <testsuite> attribute
    testsuites: { children: ['testsuite'], required: [], attrs: ['name', 'time', 'tests', 'failures', 'errors'] },
    testsuite: { children: ['testsuite', 'properties', 'testcase', 'system-out', 'system-err'], required: ['name', 'tests', 'failures', 'errors'], attrs: ['name', 'tests', 'failures', 'errors', 'group', 'time', 'skipped', 'timestamp', 'hostname', 'id', 'package', 'file', 'log', 'url'] },
    properties: { children: ['property'], required: [], attrs: [] },
    property: { children: [], required: ['name', 'value'], attrs: ['name', 'value'] },
    testcase: { children: ['skipped', 'error', 'failure', 'system-out', 'system-err'], required: ['name'], attrs: ['name', 'time', 'classname', 'group'] },
    failure: { children: [], required: [], attrs: ['type', 'message'] },
    error: { children: [], required: [], attrs: ['type', 'message'] },
    skipped: { children: [], required: [], attrs: ['type', 'message'] },
    'system-out': { children: [], required: [], attrs: [] },
    'system-err': { children: [], required: [], attrs: [] },
  };
  const walk = (el: El, path: string): void => {
    const rule = allowed[el.name];
    if (rule === undefined) { problems.push(`${path}: unknown element <${el.name}>`); return; }
    for (const a of rule.required) if (el.attrs[a] === undefined) problems.push(`${path}: missing attribute ${a}`);
    for (const a of Object.keys(el.attrs)) if (!rule.attrs.includes(a)) problems.push(`${path}: unexpected attribute ${a}`);
    if (el.attrs.time !== undefined && !time.test(el.attrs.time)) problems.push(`${path}: time '${el.attrs.time}' is not a number of seconds`);
    for (const c of el.children) {
      if (!rule.children.includes(c.name)) problems.push(`${path}: <${c.name}> not allowed in <${el.name}>`);
      walk(c, `${path}/${c.name}`);
    }
    if (el.name === 'testsuite') {
      const cases = el.children.filter((c) => c.name === 'testcase');
      const count = (what: string): number => cases.filter((c) => c.children.some((k) => k.name === what)).length;
      if (Number(el.attrs.tests) !== cases.length) problems.push(`${path}: tests=${el.attrs.tests} but ${cases.length} testcases`);
      if (Number(el.attrs.failures) !== count('failure')) problems.push(`${path}: failures=${el.attrs.failures} but ${count('failure')} failed testcases`);
      if (Number(el.attrs.errors) !== count('error')) problems.push(`${path}: errors=${el.attrs.errors} but ${count('error')} testcases in error`);
    }
  };
  if (rootEl.name !== 'testsuites' && rootEl.name !== 'testsuite') problems.push(`root element <${rootEl.name}>`);
  walk(rootEl, rootEl.name);
  return problems;
}

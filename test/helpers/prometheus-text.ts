// A strict reader of the Prometheus text exposition format (0.0.4), for tests: every line must
// be a HELP, a TYPE or a sample of a declared metric, or it throws saying which line is wrong.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  text.split('\n').forEach((line, index) => {
    const fail = (why: string) => new Error(`exposition line ${index + 1}: ${why}: ${JSON.stringify(line)}`);
    if (line === '') return;
    const type = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
    if (type) {
      if (types.has(type[1]!)) throw fail('second TYPE for one metric');
      types.set(type[1]!, type[2]!);
      return;
    }
    if (new RegExp(`^# HELP ${NAME} `).test(line) || line.startsWith('# ')) return;
    const sample = SAMPLE.exec(line);
    if (!sample) throw fail('not a sample');
    const [, name, labelText, valueText] = sample;
    const base = name!.replace(/_(bucket|sum|count)$/, '');
    if (!types.has(name!) && !types.has(base)) throw fail('sample of a metric without a TYPE');
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    if (Number.isNaN(value) && valueText !== 'NaN') throw fail('value is not a number');
    samples.push({ name: name!, labels: parseLabels(labelText ?? '', fail), value });
  });
  return { types, samples };
}

function parseLabels(text: string, fail: (why: string) => Error): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (!match) throw fail('malformed labels');
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** The one sample with this name and these labels (among others), or undefined. */
export function findSample(exposition: Exposition, name: string, labels: Record<string, string> = {}): Sample | undefined {
  return exposition.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

import { InputError } from '@backstage/errors';
import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';

export {
  INFERENCE_CHART_PATH as CHART_PATH,
  environmentValuesFile as valuesFileFor,
} from '@devops-app/plugin-devops-app-common';

function parse(text: string, file: string): unknown {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new InputError(`${file} is not valid YAML: ${doc.errors[0].message}`);
  }
  return doc.toJS() ?? {};
}

/** `image.tag` of a values file, or undefined when the file does not set it. */
export function readImageTag(
  text: string,
  file = 'values file',
): string | undefined {
  const values = parse(text, file) as { image?: { tag?: unknown } } | null;
  const tag = values?.image?.tag;
  return tag === undefined || tag === null ? undefined : String(tag);
}

const TOP_LEVEL_IMAGE = /^image:[ \t]*(#.*)?$/;
const TOP_LEVEL_KEY = /^[^\s#]/;

/**
 * Sets `image.tag` in a values file by rewriting only the value on the `tag:` line of the top-level
 * `image:` block, so comments, key order, blank lines and quoting elsewhere stay byte for byte. The
 * result is parsed again and must differ from the input in `image.tag` only; anything else (an
 * unusual layout such as a flow mapping `image: {tag: x}`) is refused rather than guessed at.
 */
export function setImageTag(
  text: string,
  tag: string,
  file = 'values file',
): { text: string; before?: string } {
  const beforeValues = parse(text, file) as Record<string, any>;
  const before = readImageTag(text, file);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  const imageLine = lines.findIndex(l => TOP_LEVEL_IMAGE.test(l));

  if (imageLine === -1) {
    if (beforeValues && 'image' in beforeValues) {
      throw new InputError(
        `${file}: the top-level image key is not a plain block mapping`,
      );
    }
    const trailing = text.length === 0 || text.endsWith('\n') ? '' : eol;
    const appended = `${text}${trailing}image:${eol}  tag: "${tag}"${eol}`;
    return { text: check(appended, beforeValues, tag, file), before };
  }

  let end = imageLine + 1;
  while (end < lines.length && !TOP_LEVEL_KEY.test(lines[end])) {
    end++;
  }
  const childIndent = lines
    .slice(imageLine + 1, end)
    .map(l => /^([ \t]+)[^\s#]/.exec(l)?.[1])
    .find(Boolean);

  let replaced = false;
  if (childIndent) {
    for (let i = imageLine + 1; i < end; i++) {
      const m = new RegExp(
        `^${childIndent}tag:([ \\t]*)("[^"]*"|'[^']*'|[^\\s#]*)(.*)$`,
      ).exec(lines[i]);
      if (m) {
        const old = m[2];
        const quote = old.startsWith("'") ? "'" : '"';
        lines[i] = `${childIndent}tag:${m[1] || ' '}${quote}${tag}${quote}${
          m[3]
        }`;
        replaced = true;
        break;
      }
    }
  }
  if (!replaced) {
    lines.splice(imageLine + 1, 0, `${childIndent ?? '  '}tag: "${tag}"`);
  }
  return { text: check(lines.join(eol), beforeValues, tag, file), before };
}

function check(
  text: string,
  beforeValues: Record<string, any>,
  tag: string,
  file: string,
): string {
  const after = parse(text, file) as Record<string, any>;
  const expected = {
    ...(beforeValues ?? {}),
    image: { ...(beforeValues?.image ?? {}), tag },
  };
  if (!isDeepStrictEqual(after, expected)) {
    throw new InputError(
      `${file}: could not change image.tag without touching other values; edit the file by hand`,
    );
  }
  return text;
}

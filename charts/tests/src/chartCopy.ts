import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A throw-away copy of a chart, for tests that add files to it or break it on purpose. */
export function copyChart(chartDir: string): {
  dir: string;
  write(file: string, content: string): void;
  edit(file: string, change: (text: string) => string): void;
  remove(): void;
} {
  const dir = fs.mkdtempSync(
    path.join(os.tmpdir(), `${path.basename(chartDir)}-`),
  );
  fs.cpSync(chartDir, dir, { recursive: true });
  return {
    dir,
    write: (file, content) => fs.writeFileSync(path.join(dir, file), content),
    edit: (file, change) => {
      const target = path.join(dir, file);
      const before = fs.readFileSync(target, 'utf8');
      const after = change(before);
      if (after === before) {
        throw new Error(`edit of ${file} changed nothing`);
      }
      fs.writeFileSync(target, after);
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

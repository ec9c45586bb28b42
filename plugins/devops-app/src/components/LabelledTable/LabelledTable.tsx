import { Table, TableProps } from '@backstage/core-components';
import { useLayoutEffect, useRef } from 'react';

/**
 * Backstage's `Table` whose `<table>` carries an accessible name (`aria-label`), so assistive tech and
 * tests find it by role and name ("Deployment history", "Terraform runs"); the material table under
 * `Table` takes no attribute for its own element, so the label is set on it after each render.
 */
export function LabelledTable<T extends object>(
  props: TableProps<T> & { label: string },
) {
  const { label, ...table } = props;
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    ref.current
      ?.querySelectorAll('table')
      .forEach(element => element.setAttribute('aria-label', label));
  });
  return (
    <div ref={ref}>
      <Table<T> {...table} />
    </div>
  );
}

import { ResponseErrorPanel } from '@backstage/core-components';
import { liveErrorMessage } from '../../hooks/useLiveData';

/**
 * A failed read of a live view, as Backstage shows errors (`ResponseErrorPanel`: the backend's status,
 * cause and request under the title). The title names what could not be read and why, so the reason
 * (and after a 429 "— retrying in N s") reads without opening the panel.
 */
export function LiveErrorPanel(props: { title: string; error: Error }) {
  return (
    <ResponseErrorPanel
      title={`${props.title}: ${liveErrorMessage(props.error)}`}
      error={props.error}
    />
  );
}

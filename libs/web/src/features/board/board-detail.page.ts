import type { Principal } from '@throughline/auth';
import type { BoardEntry, Deselection } from '@throughline/tasking';
import { html } from '../../html/html';
import { empty, page } from '../../html/layout';
import { deselectionRegister, releasedDetailOf } from './board-sections';

/** One person's detail as the owning agencies released it to the meeting. */
export function releasedPage(data: { principal: Principal; csrf: string; row: BoardEntry | null }): string {
  const { row } = data;
  const body = html`<h1>Released to the meeting: ${row ? (row.name ?? 'Name not shared') : 'no one'}</h1>
    <p class="lede">
      What the agency that owns it has released to the tasking meeting, while each release is live. Nothing
      else of the person's record is shown here.
    </p>
    ${row ? releasedDetailOf(row) : empty('This person is not on the board.')}
    <p><a href="/app/board#released">Back to the board</a></p>`;
  return page({
    title: 'Released to the meeting',
    body,
    principal: data.principal,
    csrf: data.csrf,
    section: 'board',
  });
}

/** The whole de-selection register. */
export function deselectionsPage(data: {
  principal: Principal;
  csrf: string;
  deselections: readonly Deselection[];
}): string {
  const body = html`${deselectionRegister(data.deselections)}
    <p><a href="/app/board">Back to the board</a></p>`;
  return page({
    title: 'De-selection register',
    body,
    principal: data.principal,
    csrf: data.csrf,
    section: 'board',
  });
}

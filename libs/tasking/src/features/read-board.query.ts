import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AgreementService } from '@throughline/sharing';
import { type Audited, AuditedRead, type Reader } from '@throughline/subjects';
import { boardRowDisclosure, DESELECTION_FIELDS, flagsDisclosure } from '../domain/disclosure';
import { type BoardEntry, type Deselection, TaskingService } from './tasking.service';

const everyRow = (rows: readonly BoardEntry[]): readonly BoardEntry[] => rows;

/** The tasking board, for the meeting. */
export class ReadBoardQuery {
  constructor(
    readonly reader: Reader,
    /** With `since`, only rows changed since then, each naming what changed. */
    readonly since: string | undefined,
    /** The rows the caller shows (a page filters and sorts them): only those are disclosed. */
    readonly shown: (rows: readonly BoardEntry[]) => readonly BoardEntry[] = everyRow,
    /**
     * `summary` when the caller shows each live release but not its events (a list linking to
     * them): the record then names the releases relied on and no event.
     */
    readonly detail: 'events' | 'summary' = 'events',
  ) {}
}

export interface BoardRead {
  readonly all: readonly BoardEntry[];
  readonly shown: readonly BoardEntry[];
  /** Subjects left out because their record is held back pending repair. */
  readonly heldBack: number;
}

/** The de-selection register, for the meeting. */
export class ReadDeselectionsQuery {
  constructor(
    readonly reader: Reader,
    /**
     * The entries the caller shows (a page the newest of them): only those are disclosed, though
     * the answer holds the register whole for the counts by reason.
     */
    readonly shown: (register: readonly Deselection[]) => readonly Deselection[] = (register) => register,
  ) {}
}

@QueryHandler(ReadBoardQuery)
export class ReadBoardHandler implements IQueryHandler<ReadBoardQuery, Audited<BoardRead>> {
  constructor(
    private readonly tasking: TaskingService,
    private readonly agreements: AgreementService,
    private readonly audited: AuditedRead,
  ) {}

  execute({ reader, since, shown, detail }: ReadBoardQuery): Promise<Audited<BoardRead>> {
    return this.audited.run(reader, 'tasking.board', 'tasking', async () => {
      const agreement = await this.agreements.current();
      const board = await this.tasking.board(since);
      const rows = shown(board.rows);
      return {
        result: { all: board.rows, shown: rows, heldBack: board.heldBack },
        subjects: rows.map((row) => boardRowDisclosure(row.subjectId, row.released, detail)),
        agreementVersion: agreement?.version ?? null,
      };
    });
  }
}

@QueryHandler(ReadDeselectionsQuery)
export class ReadDeselectionsHandler implements IQueryHandler<
  ReadDeselectionsQuery,
  Audited<readonly Deselection[]>
> {
  constructor(
    private readonly tasking: TaskingService,
    private readonly agreements: AgreementService,
    private readonly audited: AuditedRead,
  ) {}

  execute({ reader, shown }: ReadDeselectionsQuery): Promise<Audited<readonly Deselection[]>> {
    return this.audited.run(reader, 'tasking.deselections', 'tasking', async () => {
      const agreement = await this.agreements.current();
      const register = await this.tasking.deselections();
      return {
        result: register,
        subjects: shown(register).map(flagsDisclosure(DESELECTION_FIELDS)),
        agreementVersion: agreement?.version ?? null,
      };
    });
  }
}

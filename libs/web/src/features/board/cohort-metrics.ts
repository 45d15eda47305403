import type { Measures } from '@throughline/tasking';

export interface MonthCounts {
  /** YYYY-MM */
  readonly month: string;
  /** People in the cohort at the end of the month, by their band then. */
  readonly red: number;
  readonly amber: number;
  readonly green: number;
  readonly unbanded: number;
  /** Adoptions (recruitment) and de-selections during the month. */
  readonly adopted: number;
  readonly deselected: number;
}

/** People adopted long enough ago, and their arrests a year either side of adoption. */
export interface ArrestComparison {
  readonly people: number;
  readonly before: number;
  readonly after: number;
}

/** What the board's charts show: the band and flow series and the arrests comparison. */
export interface CohortMetrics {
  readonly asOf: string;
  readonly months: readonly MonthCounts[];
  readonly arrests: ArrestComparison;
}

/** The board's charts from the measures, so the page and the API state the same figures. */
export function cohortMetricsOf({ asOf, measures }: Measures): CohortMetrics {
  const flow = measures['recruitment-and-deselection'].months;
  const { people, before, after } = measures['arrests-before-and-after-adoption'];
  return {
    asOf,
    months: measures['cohort-by-class-and-band'].months.map(
      ({ month, red, amber, green, unbanded }, index) => ({
        month,
        red,
        amber,
        green,
        unbanded,
        adopted: flow[index]?.adopted ?? 0,
        deselected: flow[index]?.deselected ?? 0,
      }),
    ),
    arrests: { people, before, after },
  };
}

/** The compact table the embedded generator is calibrated with (written by scripts/derive-calibration.ts). */
export interface ItalyCalibration {
  year: number;
  source: string;
  /** National totals of the local year, for reference. */
  loadTWh: number;
  solarTWh: number;
  load: {
    /** Share of the year's energy per month (Jan..Dec). */
    monthShare: number[];
    /** [month][0 = working day, 1 = Saturday, 2 = Sunday or holiday][local hour]: mean energy per interval relative to the month's mean. */
    hourShape: number[][][];
  };
  solar: {
    monthShare: number[];
    /** [month][local hour], relative to the month's mean. */
    hourShape: number[][];
  };
}

/** One named line of a LineChart. */
export interface Series {
  label: string;
  color: string;
  values: (number | null)[];
  /** Plot on the right-hand axis, fixed to [0, 1] (a probability beside losses). */
  right?: boolean;
}

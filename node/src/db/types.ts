/** A ParticipantState as stored: bigints kept exact by the JSON repository. */
export interface ParticipantStateJson {
  exportWh: bigint;
  importWh: bigint;
  p2pSoldWh: bigint;
  p2pBoughtWh: bigint;
  gridSoldWh: bigint;
  gridBoughtWh: bigint;
  net: bigint;
}

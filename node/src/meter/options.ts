export interface MeterOptions {
  /** Index of the meter on the hub. */
  meterIndex: number;
  /** Ed25519 secret key (64 bytes hex, tweetnacl form) or 32-byte seed hex. */
  secretKey: string;
  /** Where the profile comes from: `builtin:italy-2020` (optionally `?pvKwp=3&seed=1`) or a CSV path. */
  profile: string;
  /** Profile interval replayed as the community's interval 0 (e.g. a sunny morning). */
  profileOffset: number;
}

/** The keys of `MeterOptions` (a config file's `meter` section may hold only these). */
export const defaultMeterOptionKeys: readonly (keyof MeterOptions)[] = [
  'meterIndex',
  'secretKey',
  'profile',
  'profileOffset',
];

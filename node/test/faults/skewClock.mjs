// Preloaded into a node process by the fault suite (`node --import`): shifts the wall clock the
// node reads (Date.now, new Date()) by FAULTS_CLOCK_SKEW_MS, as a badly synchronised host would.
const skew = Number(process.env.FAULTS_CLOCK_SKEW_MS ?? 0);
if (skew !== 0) {
  const RealDate = Date;
  const realNow = RealDate.now;
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(realNow() + skew);
      else super(...args);
    }
    static now() {
      return realNow() + skew;
    }
  }
  globalThis.Date = SkewedDate;
}

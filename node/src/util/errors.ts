/**
 * Base of every typed error in the node: a `type` object whose `code` names the failure.
 * Tests and metrics use the code, never the message.
 */
export class DiversityError<T extends { code: string }> extends Error {
  readonly type: T;

  constructor(type: T, message?: string) {
    super(message ?? type.code);
    this.name = new.target.name;
    this.type = type;
  }

  get code(): T['code'] {
    return this.type.code;
  }
}

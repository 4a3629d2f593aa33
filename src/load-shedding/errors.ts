/**
 * Base of every error the load-shedding capability raises itself. Callers that only need to
 * know "this came from load shedding" catch this one; subclasses say what went wrong.
 */
export class LoadSheddingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LoadSheddingError';
  }
}

/** Which input of the weights functions was rejected. */
export type WeightsInput = 'groups' | 'primary' | 'percent' | 'maxShedPercent' | 'baseline';

/**
 * An input of `shed`, `restore`, `isSheddable` or `isRestorable` is invalid (weights out of
 * 0–999, duplicate target groups, a percentage outside 0–100, an empty primary ...). Nothing
 * was computed. The message says what is wrong and how to fix it; `input` names the argument
 * so that a handler can report it without parsing the message.
 */
export class WeightsError extends LoadSheddingError {
  readonly input: WeightsInput;

  constructor(input: WeightsInput, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WeightsError';
    this.input = input;
  }
}

/**
 * A reference-app configuration problem (cdk.json context, or a construct prop it feeds): the
 * message names the context key or prop, says what is wrong and how to fix it. `opskit synth`
 * reports it as a usage error, naming the file, instead of as a crash.
 */
export class ReferenceAppConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ReferenceAppConfigError';
  }
}

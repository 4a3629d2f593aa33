/** Flag parsing shared by every `opskit` command: strict, no positionals, usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from './errors.js';

type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/** What util.parseArgs gives for `options`, strict and without positionals. */
type FlagValues<T extends FlagOptions> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>
>['values'];

/** The help hint each command's usage errors end with. */
export const helpHint = (command: string): string =>
  `Run 'opskit ${command} --help' for the options.`;

/**
 * The flags of `opskit <command>`; an unknown flag, a missing value or a stray argument is a
 * usage error that names it (util.parseArgs words the message) and points at the help.
 */
export function parseCommandFlags<const T extends FlagOptions>(
  args: readonly string[],
  options: T,
  command: string,
): FlagValues<T> {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new CliUsageError(`${(error as Error).message.replace(/\.$/, '')}. ${helpHint(command)}`);
  }
}

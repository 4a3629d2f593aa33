#!/usr/bin/env -S npx tsx
/**
 * The `opskit` command (`npm run opskit -- <command>`). Every AWS client it builds talks to an
 * in-memory model, so the AWS SDK's notice about future Node.js support is noise here.
 */
import { main } from '../src/cli/main.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.exitCode = await main(process.argv.slice(2));

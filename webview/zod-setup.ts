/**
 * Imported first: zod compiles fast parsers with `new Function` unless told not to, which a
 * webview's Content-Security-Policy (no 'unsafe-eval') refuses with a console violation.
 */
import { z } from 'zod';

z.config({ jitless: true });

// Imported first by main.ts: tracing has to start before the modules it instruments are loaded.
import { startTracing } from './tracing';

startTracing(process.env);

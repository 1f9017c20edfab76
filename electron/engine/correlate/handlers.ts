// Correlation calls (issue 4). Filled in by the correlation module.
import type { HandlerMap } from '../api';

export const correlateHandlers: HandlerMap = {};

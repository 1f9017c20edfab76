// `casefile trace | chains` (issue 4). Filled in by the correlation module.
import type { Command } from 'commander';

export function registerCorrelateCommands(_program: Command): void {}

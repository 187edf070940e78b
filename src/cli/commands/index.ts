import type { Command } from 'commander';

/** One entry per sub-command; each registers itself on the program. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [];

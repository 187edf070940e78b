import type { Command } from 'commander';
import { register as exec } from './exec.ts';
import { register as firmware } from './firmware.ts';
import { register as model } from './model.ts';
import { register as ports } from './ports.ts';
import { register as run } from './run.ts';
import { register as sim } from './sim.ts';

/** One entry per sub-command; each registers itself on the program. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [run, exec, ports, sim, model, firmware];

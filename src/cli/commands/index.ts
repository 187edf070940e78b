import type { Command } from 'commander';
import { register as advise } from './advise.ts';
import { register as bootrom } from './bootrom.ts';
import { register as compare } from './compare.ts';
import { register as emu } from './emu.ts';
import { register as exec } from './exec.ts';
import { register as firmware } from './firmware.ts';
import { register as flash } from './flash.ts';
import { register as history } from './history.ts';
import { register as model } from './model.ts';
import { register as nightly } from './nightly.ts';
import { register as ports } from './ports.ts';
import { register as profile } from './profile.ts';
import { register as report } from './report.ts';
import { register as run } from './run.ts';
import { register as sim } from './sim.ts';
import { register as validate } from './validate.ts';

/** One entry per sub-command; each registers itself on the program. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  run,
  exec,
  ports,
  sim,
  emu,
  model,
  firmware,
  compare,
  validate,
  report,
  advise,
  history,
  nightly,
  flash,
  bootrom,
  profile,
];

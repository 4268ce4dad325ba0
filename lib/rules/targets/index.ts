/** Registers every target module; importing this file is enough. */
import { registerTarget } from '../registry';
import { acceptTarget, dropTarget, passthroughTarget, returnTarget } from './simple';
import { rejectTarget } from './reject';
import { logTarget } from './log';
import { gotoTarget, jumpTarget } from './jump';
import { notrackTarget } from './notrack';
import { dnatTarget, masqueradeTarget, netmapTarget, redirectTarget, snatTarget } from './nat';

export const TARGET_MODULES = [
  acceptTarget, dropTarget, rejectTarget, returnTarget, logTarget, jumpTarget, gotoTarget,
  dnatTarget, snatTarget, masqueradeTarget, redirectTarget, netmapTarget, passthroughTarget,
  notrackTarget,
];
for (const t of TARGET_MODULES) registerTarget(t);

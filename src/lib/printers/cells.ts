/**
 * Shared cell and field formatting (kn `pkg/commands/human_readable_flags.go`,
 * k8s.io/apimachinery `duration.HumanDuration`/`ShortHumanDuration`): ages, condition counts,
 * READY and REASON cells.
 */
import type { Condition, KnStatus } from '../apis/types.js';
import { READY, getCondition } from '../apis/conditions.js';

/** kubectl's AGE column format (`42s`, `5m3s`, `3h`, `2d`, `<unknown>`). */
export function humanAge(timestamp: string | undefined, now: Date = new Date()): string {
  if (!timestamp) return '<unknown>';
  return humanDuration(now.getTime() - new Date(timestamp).getTime());
}

/** duration.HumanDuration: two-unit precision for short spans, one unit for long ones. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${years}y`;
}

/** duration.ShortHumanDuration, used by describe (`50s`, `5m`, `2d`). */
export function shortAge(timestamp: string | undefined, now: Date = new Date()): string {
  if (!timestamp) return '';
  const seconds = Math.floor((now.getTime() - new Date(timestamp).getTime()) / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  if (seconds < 86400 * 365) return `${Math.floor(seconds / 86400)}d`;
  return `${Math.floor(seconds / 86400 / 365)}y`;
}

/** CONDITIONS cell: `<#True> OK / <#conditions>` (e.g. `3 OK / 3`). */
export function conditionsCell(status: KnStatus | undefined): string {
  const conds: Condition[] = status?.conditions ?? [];
  return `${conds.filter((c) => c.status === 'True').length} OK / ${conds.length}`;
}

/** READY cell: the Ready condition's status, `<unknown>` when absent. */
export function readyCell(status: KnStatus | undefined): string {
  return getCondition(status, READY)?.status ?? '<unknown>';
}

/** REASON cell: empty when Ready=True, else `Reason : Message` (or just the reason), `<unknown>` without Ready. */
export function reasonCell(status: KnStatus | undefined): string {
  const ready = getCondition(status, READY);
  if (!ready) return '<unknown>';
  if (ready.status === 'True') return '';
  if (ready.reason && ready.message) return `${ready.reason} : ${ready.message}`;
  return ready.reason ?? ready.message ?? '';
}

/** Truncates a cell to kn's 50 characters (`46 chars + " ..."`). */
export function truncateCell(s: string, max = 50): string {
  return s.length <= max ? s : `${s.slice(0, max - 4)} ...`;
}

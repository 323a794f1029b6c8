// Times in journal lines and logs: UTC, to the second, with the date only when it is not today.
export function formatTimeOfDay(at: number, now: number = Date.now()): string {
  const iso = new Date(at).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return sameDay ? `${iso.slice(11, 19)}Z` : `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

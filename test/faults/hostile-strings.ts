// Strings an attacker (or an unlucky file name) might put where medic takes text: shell syntax,
// quotes, path climbs, control characters, format strings, odd Unicode, template markers.
// `PWNED` is replaced by a marker path: if anything ever ran through a shell, the file appears.
export function buildHostileStrings(pwned: string): string[] {
  return [
    '..', '../..', '../../etc/passwd', '/etc/passwd', 'with space', ' leading space', 'trailing space ',
    'a"b', "a'b", "'", '"', '`touch PWNED`', '$(touch PWNED)', '${IFS}touch${IFS}PWNED', '$HOME', '; touch PWNED',
    '&& touch PWNED', '| touch PWNED', '> PWNED', '< /etc/passwd', 'new\nline; touch PWNED', 'tab\there', 'carriage\rreturn',
    'back\\slash', '*', '?', '[a-z]', '~', '-rf', '--help', '-', '--', '%s%n%x', 'é', '😀 emoji', 'rtl \u202e gpj.exe',
    'x'.repeat(4096), '{replicas}', '{level}', '#not a comment',
  ].map((text) => text.replaceAll('PWNED', pwned));
}

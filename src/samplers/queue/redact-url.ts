// Broker URLs carry passwords (amqp://user:secret@host); logs and reasons get them redacted.

export function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    // Not a URL we can parse: hide anything that looks like userinfo.
    return text.replace(/\/\/[^/@]*@/, '//***@');
  }
}

// Removes every occurrence of a URL's password from a message (drivers quote URLs in errors).
export function redactSecrets(message: string, url: string): string {
  try {
    const { password } = new URL(url);
    if (!password) return message;
    return message.split(password).join('***').split(decodeURIComponent(password)).join('***');
  } catch {
    return message;
  }
}

import { REDACTED } from '@devops-app/plugin-devops-app-common';

/**
 * Removes secret values from text before it is streamed or stored. Holds the values of the secret
 * environment variables of a run and the values of outputs terraform marks sensitive.
 */
export class Redactor {
  private secrets: string[] = [];

  constructor(values: Iterable<string | undefined> = []) {
    for (const value of values) this.add(value);
  }

  add(value: string | undefined): void {
    // Very short values would blank out ordinary words; nothing real is that short.
    if (value && value.length >= 4 && !this.secrets.includes(value)) {
      this.secrets.push(value);
      // Longest first, so a secret that contains another is removed whole.
      this.secrets.sort((a, b) => b.length - a.length);
    }
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) {
      result = result.split(secret).join(REDACTED);
    }
    return result;
  }
}

/** Environment variable names whose values are secrets wherever they appear. */
export function isSecretVariable(name: string): boolean {
  return /SECRET|PASSWORD|TOKEN|API_KEY|APP_KEY|ACCESS_KEY|CLIENT_CERTIFICATE/i.test(
    name,
  );
}

/** A captured value (stored as JSON text) as JSON again; text that is not JSON stays text. */
export function parseCaptured(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A numeric attribute as a number; absent (or empty) as null. */
export const numberOrNull = (value: string | undefined): number | null => (value === undefined || value === '' ? null : Number(value));

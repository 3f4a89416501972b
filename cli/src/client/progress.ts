/**
 * Progress of long work on stderr: a bar redrawn in place on a terminal, a
 * line every few seconds otherwise (CI logs, pipes), and a final line always.
 */
export class Progress {
  readonly #stream: NodeJS.WriteStream;
  readonly #label: string;
  readonly #started = Date.now();
  #lastLine = 0;
  #done = 0;
  #total: number;
  #note = '';

  constructor(label: string, total: number, stream: NodeJS.WriteStream = process.stderr) {
    this.#label = label;
    this.#total = total;
    this.#stream = stream;
  }

  advance(by: number, note = this.#note): void {
    this.#done += by;
    this.#note = note;
    const now = Date.now();
    if (this.#stream.isTTY) this.#stream.write(`\r${this.#render()}`);
    else if (now - this.#lastLine >= 2000) {
      this.#lastLine = now;
      this.#stream.write(`${this.#render()}\n`);
    }
  }

  finish(): void {
    this.#stream.write(`${this.#stream.isTTY ? '\r' : ''}${this.#render()}\n`);
  }

  #render(): string {
    const width = 30;
    const fraction = this.#total === 0 ? 1 : Math.min(1, this.#done / this.#total);
    const filled = Math.round(fraction * width);
    const seconds = (Date.now() - this.#started) / 1000;
    const rate = seconds > 0 ? this.#done / seconds : 0;
    return `${this.#label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.#done}/${this.#total} ${(fraction * 100).toFixed(0)}% ${rate.toFixed(1)}/s${this.#note ? `  ${this.#note}` : ''}`;
  }
}

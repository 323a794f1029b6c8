// Keeps only the last `maxBytes` of a stream, so a chatty command cannot fill medic's memory.
export class OutputTail {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer | string): void {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.chunks.push(buffer);
    this.bytes += buffer.length;
    // Compact only once twice the limit is held: amortised O(1) per byte.
    if (this.bytes > this.maxBytes * 2) this.compact();
  }

  text(): string {
    this.compact();
    const buffer = this.chunks[0] ?? Buffer.alloc(0);
    // A cut may land inside a multi-byte character: drop the orphaned continuation bytes.
    let start = 0;
    while (start < buffer.length && start < 4 && ((buffer[start] ?? 0) & 0xc0) === 0x80) start += 1;
    return buffer.subarray(start).toString('utf8');
  }

  private compact(): void {
    const all = Buffer.concat(this.chunks);
    const kept = all.length > this.maxBytes ? all.subarray(all.length - this.maxBytes) : all;
    this.chunks = [kept];
    this.bytes = kept.length;
  }
}

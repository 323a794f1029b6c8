import { describe, expect, it } from 'vitest';
import { OutputTail } from './output-tail.js';

describe('OutputTail', () => {
  it('keeps everything under the limit', () => {
    const tail = new OutputTail(10);
    tail.push('abc');
    tail.push(Buffer.from('def'));
    expect(tail.text()).toBe('abcdef');
  });

  it('keeps only the last maxBytes across many chunks', () => {
    const tail = new OutputTail(8);
    for (let i = 0; i < 100; i += 1) tail.push(`${i % 10}`);
    expect(tail.text()).toBe('23456789');
  });

  it('drops a multi-byte character cut in half at the start', () => {
    const tail = new OutputTail(4);
    tail.push('xé€'); // é is 2 bytes, € is 3: the last 4 bytes start inside é
    expect(tail.text()).toBe('€');
  });
});

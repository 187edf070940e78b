import { describe, expect, it } from 'vitest';
import { CDC_FIFO_BYTES, CdcInput, type CdcLike } from './cdc-input.mjs';

/**
 * A stand-in for rp2040js's USBCDC: its OUT-endpoint handler answers an armed read at once with
 * what its FIFO holds, nothing included (a zero-length packet), as rp2040js 1.4.1's does.
 */
function fakeCdc() {
  const fifo: number[] = [];
  const packets: { endpoint: number; bytes: number[] }[] = [];
  const cdc: CdcLike = {
    outEndpoint: 2,
    txFIFO: {
      get itemCount() {
        return fifo.length;
      },
    },
    sendSerialByte: (byte) => {
      if (fifo.length < CDC_FIFO_BYTES) fifo.push(byte); // rp2040js drops what does not fit
    },
    usb: {
      onEndpointRead: (endpoint, size) => {
        packets.push({ endpoint, bytes: endpoint === 2 ? fifo.splice(0, Math.min(size, fifo.length)) : [] });
      },
    },
  };
  const armRead = (endpoint: number, size: number) => cdc.usb.onEndpointRead!(endpoint, size);
  return { cdc, fifo, packets, armRead };
}

describe('the host side of the CDC serial input', () => {
  it('holds a read the firmware arms while the host has nothing to send: no zero-length packet', () => {
    const { cdc, packets, armRead } = fakeCdc();
    const input = new CdcInput(cdc);
    armRead(2, 64);
    input.feed();
    expect(packets).toEqual([]);
    expect(input.holding).toBe(true);
  });

  it('answers the held read as soon as the host’s bytes arrive', () => {
    const { cdc, packets, armRead } = fakeCdc();
    const input = new CdcInput(cdc);
    armRead(2, 64);
    input.push(Uint8Array.from([0x03, 0x01]));
    expect(input.queued).toBe(true);
    input.feed();
    expect(packets).toEqual([{ endpoint: 2, bytes: [0x03, 0x01] }]);
    expect(input.holding).toBe(false);
    expect(input.queued).toBe(false);
  });

  it('answers a read at once while the FIFO holds bytes, and passes other endpoints through', () => {
    const { cdc, packets, armRead } = fakeCdc();
    const input = new CdcInput(cdc);
    input.push(Uint8Array.from([1, 2, 3]));
    input.feed();
    armRead(2, 2);
    armRead(0, 8);
    armRead(2, 2);
    expect(packets).toEqual([
      { endpoint: 2, bytes: [1, 2] },
      { endpoint: 0, bytes: [] },
      { endpoint: 2, bytes: [3] },
    ]);
  });

  it('never gives the FIFO more than its room, keeping the rest in order', () => {
    const { cdc, fifo, packets, armRead } = fakeCdc();
    const input = new CdcInput(cdc);
    const bytes = Uint8Array.from({ length: 1300 }, (_, i) => i & 0xff);
    input.push(bytes.subarray(0, 700));
    input.push(bytes.subarray(700));
    const received: number[] = [];
    for (let round = 0; round < 30 && received.length < bytes.length; round++) {
      input.feed();
      expect(fifo.length).toBeLessThanOrEqual(CDC_FIFO_BYTES);
      armRead(2, 64);
      received.push(...packets.splice(0).flatMap((p) => p.bytes));
    }
    expect(received).toEqual([...bytes]);
  });
});
